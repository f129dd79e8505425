// Hostile hand-written answers that could be read two ways: duplicated elements, text beside children,
// repeated attributes, a document beside a fault, an Envelope that is not SOAP. Each fails closed.

#include <gtest/gtest.h>

#include <string>

#include <xercesc/util/PlatformUtils.hpp>

#include "register/xml_reader.hpp"
#include "vtj/register_response.hpp"

namespace vtj::reg {
namespace {

constexpr const char* kSoap11 = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kHetu = "010190-999W";  // valid
constexpr const char* kHenkilo = "<Henkilo><Henkilotunnus>010190-999W</Henkilotunnus></Henkilo>";

std::string vtj_doc(const std::string& inside) {
  return "<VTJHenkiloVastaussanoma sanomatunnus=\"PERUSSANOMA 3\">" + inside + "</VTJHenkiloVastaussanoma>";
}

std::string found_doc(const std::string& henkilo = kHenkilo) {
  return vtj_doc("<Paluukoodi koodi=\"0000\">ok</Paluukoodi>" + henkilo);
}

std::string soap(const std::string& body,
                 const std::string& envelope_attrs = std::string("xmlns:s=\"") + kSoap11 + "\"",
                 const std::string& prefix = "s:", const std::string& header = "") {
  return "<" + prefix + "Envelope " + envelope_attrs + ">" + header + "<" + prefix + "Body>" + body + "</" +
         prefix + "Body></" + prefix + "Envelope>";
}

std::string soso(const std::string& result_inside) {
  return soap("<TeeHenkilonTunnusKyselyResponse><TeeHenkilonTunnusKyselyResult>" + result_inside +
              "</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse>");
}

std::string xroad(const std::string& response_inside) {
  return soap("<HenkilonTunnusKyselyResponse><request/><response>" + response_inside +
              "</response></HenkilonTunnusKyselyResponse>");
}

ParseErrorKind refused(const std::string& doc) {
  auto r = parse_response(doc);
  EXPECT_FALSE(r.ok()) << doc;
  return r.ok() ? ParseErrorKind::Empty : r.error().kind;
}

Response parse_ok(const std::string& doc) {
  auto r = parse_response(doc);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail) << "\n" << doc;
  return r.ok() ? *r : Response{};
}

// The shapes used below are accepted when nothing is duplicated: the refusals are about the duplicate.
TEST(ResponseAmbiguity, BaselinesAreAccepted) {
  EXPECT_EQ(parse_ok(found_doc()).outcome, Outcome::Found);
  EXPECT_EQ(parse_ok(soso(found_doc())).outcome, Outcome::Found);
  EXPECT_EQ(parse_ok(xroad(found_doc())).outcome, Outcome::Found);
}

TEST(ResponseAmbiguity, DuplicatePaluukoodiRefused) {
  // A client reading the first sees success, one reading the last sees "not found".
  std::string doc =
      vtj_doc("<Paluukoodi koodi=\"0000\">ok</Paluukoodi><Paluukoodi koodi=\"0001\">ei</Paluukoodi>" +
              std::string(kHenkilo));
  EXPECT_EQ(refused(doc), ParseErrorKind::NotAResponse);
}

TEST(ResponseAmbiguity, DuplicateHenkiloOrHenkilotunnusRefused) {
  EXPECT_EQ(refused(found_doc(std::string(kHenkilo) + "<Henkilo><Henkilotunnus>020190-9521</Henkilotunnus>"
                                                      "</Henkilo>")),
            ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(found_doc("<Henkilo><Henkilotunnus>010190-999W</Henkilotunnus>"
                              "<Henkilotunnus>020190-9521</Henkilotunnus></Henkilo>")),
            ParseErrorKind::NotAResponse);
}

TEST(ResponseAmbiguity, DuplicateDocumentOrWrapperRefused) {
  EXPECT_EQ(refused(soso(found_doc() + found_doc())), ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(xroad(found_doc() + found_doc())), ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(soap("<TeeHenkilonTunnusKyselyResponse><TeeHenkilonTunnusKyselyResult>" + found_doc() +
                         "</TeeHenkilonTunnusKyselyResult><TeeHenkilonTunnusKyselyResult>" + found_doc() +
                         "</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse>")),
            ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(soap("<HenkilonTunnusKyselyResponse><response>" + found_doc() + "</response><response>" +
                         "<faultCode>0001</faultCode></response></HenkilonTunnusKyselyResponse>")),
            ParseErrorKind::NotAResponse);
}

TEST(ResponseAmbiguity, BodyHoldsExactlyOnePayload) {
  std::string response = "<TeeHenkilonTunnusKyselyResponse><TeeHenkilonTunnusKyselyResult>" + found_doc() +
                         "</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse>";
  std::string fault = "<s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>";
  EXPECT_EQ(refused(soap(response + fault)), ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(soap(fault + response)), ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(soap(response + response)), ParseErrorKind::NotAResponse);
  // Two Bodies: the second one could be the one another reader takes.
  EXPECT_EQ(refused(std::string("<s:Envelope xmlns:s=\"") + kSoap11 + "\"><s:Body>" + response +
                    "</s:Body><s:Body>" + fault + "</s:Body></s:Envelope>"),
            ParseErrorKind::NotAResponse);
}

TEST(ResponseAmbiguity, XRoadDocumentBesideFaultCodeRefused) {
  EXPECT_EQ(refused(xroad(found_doc() + "<faultCode>0001</faultCode><faultString>ei</faultString>")),
            ParseErrorKind::NotAResponse);
  EXPECT_EQ(refused(xroad("<faultCode>0001</faultCode>" + found_doc())), ParseErrorKind::NotAResponse);
  // An empty faultCode beside the document is how some services write "no fault".
  EXPECT_EQ(parse_ok(xroad(found_doc() + "<faultCode/><faultString/>")).outcome, Outcome::Found);
}

TEST(ResponseAmbiguity, MixedContentIsMalformed) {
  // Today's tree would drop the "1" and read the prohibition as not in force.
  EXPECT_EQ(refused(found_doc("<Henkilo><Henkilotunnus>010190-999W</Henkilotunnus><Turvakielto>"
                              "<TurvakieltoTieto>1<b/></TurvakieltoTieto></Turvakielto></Henkilo>")),
            ParseErrorKind::Malformed);
  // Text after the child, and text between children, just the same.
  EXPECT_EQ(refused(found_doc("<Henkilo><Henkilotunnus>010190-999W</Henkilotunnus><Turvakielto>"
                              "<TurvakieltoTieto><b/>1</TurvakieltoTieto></Turvakielto></Henkilo>")),
            ParseErrorKind::Malformed);
  EXPECT_EQ(refused(vtj_doc("<Paluukoodi koodi=\"0000\">ok</Paluukoodi>0001" + std::string(kHenkilo))),
            ParseErrorKind::Malformed);
  EXPECT_EQ(
      refused(vtj_doc("<Paluukoodi koodi=\"0000\">ok<![CDATA[x]]><i/></Paluukoodi>" + std::string(kHenkilo))),
      ParseErrorKind::Malformed);
  // White space (indentation) beside children is not content.
  EXPECT_EQ(
      parse_ok(vtj_doc("\n  <Paluukoodi koodi=\"0000\">ok</Paluukoodi>\n  " + std::string(kHenkilo) + "\n"))
          .outcome,
      Outcome::Found);
}

TEST(ResponseAmbiguity, RepeatedAttributeLocalNameIsMalformed) {
  std::string doc = vtj_doc("<Paluukoodi xmlns:x=\"urn:x\" koodi=\"0001\" x:koodi=\"0000\">ok</Paluukoodi>" +
                            std::string(kHenkilo));
  EXPECT_EQ(refused(doc), ParseErrorKind::Malformed);
  EXPECT_EQ(refused(vtj_doc("<Paluukoodi a:koodi=\"0001\" b:koodi=\"0000\">ok</Paluukoodi>" +
                            std::string(kHenkilo))),
            ParseErrorKind::Malformed);
}

TEST(ResponseAmbiguity, AttributeCountCapped) {
  auto with_attributes = [](size_t n) {
    std::string attrs;
    for (size_t i = 0; i < n; ++i) {
      attrs += " a" + std::to_string(i) + "=\"\"";
    }
    return vtj_doc("<Paluukoodi koodi=\"0000\"" + attrs + ">ok</Paluukoodi>" + std::string(kHenkilo));
  };
  EXPECT_TRUE(parse_response(with_attributes(detail::kMaxAttributes - 1)).ok());
  EXPECT_EQ(refused(with_attributes(detail::kMaxAttributes)), ParseErrorKind::Malformed);
  // A flood just under the size limit is refused too.
  std::string flood = "<r";
  for (size_t i = 0; flood.size() < ParseLimits{}.max_bytes - 64; ++i) {
    flood += " a" + std::to_string(i) + "=''";
  }
  flood += "/>";
  EXPECT_EQ(refused(flood), ParseErrorKind::Malformed);
}

TEST(ResponseAmbiguity, AttributeByteScanCountsOnlyStartTags) {
  std::string many;
  for (size_t i = 0; i <= detail::kMaxAttributes; ++i) {
    many += " a" + std::to_string(i) + "=\"\"";
  }
  EXPECT_TRUE(detail::too_many_attributes_bytes("<r" + many + "/>"));
  EXPECT_TRUE(detail::too_many_attributes_bytes("<r a='>'" + many + "/>"));  // '>' inside a value
  // '=' in text, values, comments, CDATA and processing instructions is not an attribute.
  std::string equals(100, '=');
  EXPECT_FALSE(detail::too_many_attributes_bytes("<?xml version=\"1.0\"?><r a=\"" + equals + "\">" + equals +
                                                 "<!--" + equals + "--><![CDATA[" + equals + "]]><?pi " +
                                                 equals + "?></r>"));
}

TEST(ResponseAmbiguity, SizeLimitIsOneMebibyte) {
  EXPECT_EQ(ParseLimits{}.max_bytes, size_t{1024 * 1024});
  std::string doc = found_doc();
  doc.insert(doc.size() - std::string("</VTJHenkiloVastaussanoma>").size(),
             std::string(ParseLimits{}.max_bytes, ' '));
  EXPECT_EQ(refused(doc), ParseErrorKind::TooLarge);
}

TEST(ResponseAmbiguity, SuccessNeedsAValidHetu) {
  for (const char* henkilo :
       {"<Henkilo/>", "<Henkilo><Henkilotunnus/></Henkilo>",
        "<Henkilo><Henkilotunnus>010190-9998</Henkilotunnus></Henkilo>",
        "<Henkilo><NykyinenSukunimi><Sukunimi>X</Sukunimi></NykyinenSukunimi></Henkilo>"}) {
    for (const char* code : {"0000", "0018"}) {
      auto r = parse_response(
          vtj_doc(std::string("<Paluukoodi koodi=\"") + code + "\">ok</Paluukoodi>" + henkilo));
      ASSERT_FALSE(r.ok()) << code << henkilo;
      EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse);
      EXPECT_EQ(r.error().detail.find("010190-9998"), std::string::npos) << r.error().detail;
    }
  }
  EXPECT_EQ(parse_ok(found_doc()).person->hetu(), kHetu);
}

TEST(ResponseAmbiguity, EnvelopeMustBeBoundToSoapOnItself) {
  std::string payload = "<TeeHenkilonTunnusKyselyResponse><TeeHenkilonTunnusKyselyResult>" + found_doc() +
                        "</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse>";
  // Accepted: SOAP 1.1 or 1.2 bound to the Envelope's prefix, or as the default namespace.
  EXPECT_TRUE(parse_response(soap(payload)).ok());
  EXPECT_TRUE(
      parse_response(soap(payload, "xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"", "env:")).ok());
  EXPECT_TRUE(parse_response(soap(payload, std::string("xmlns=\"") + kSoap11 + "\"", "")).ok());
  for (const auto& [attrs, prefix] : std::initializer_list<std::pair<std::string, std::string>>{
           {"xmlns:s=\"urn:not-soap\"", "s:"},
           {"", "s:"},                                           // prefix not bound at all
           {std::string("xmlns:t=\"") + kSoap11 + "\"", "s:"},   // SOAP bound to another prefix
           {std::string("xmlns:s=\"") + kSoap11 + "/\"", "s:"},  // near miss
           {"xmlns=\"urn:x\"", ""},                              // default namespace, not SOAP
           {"", ""},                                             // no namespace
           {std::string("xmlns:s=\"") + kSoap11 + "\"", ""},     // unprefixed Envelope, default unbound
       }) {
    EXPECT_EQ(refused(soap(payload, attrs, prefix)), ParseErrorKind::NotAResponse) << attrs << " " << prefix;
  }
}

TEST(ResponseAmbiguity, XRoadIdFromTheHeader) {
  std::string header =
      "<s:Header xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\"><xrd:protocolVersion>4.0</xrd:protocolVersion>"
      "<xrd:id>4a7e6c1e-2b1d-4c3f-9d55-0f1e2d3c4b5a</xrd:id></s:Header>";
  std::string body = "<HenkilonTunnusKyselyResponse><response>" + found_doc() +
                     "</response>"
                     "</HenkilonTunnusKyselyResponse>";
  std::string attrs = std::string("xmlns:s=\"") + kSoap11 + "\"";
  Response r = parse_ok(soap(body, attrs, "s:", header));
  EXPECT_EQ(r.xroad_id, "4a7e6c1e-2b1d-4c3f-9d55-0f1e2d3c4b5a");
  EXPECT_TRUE(parse_ok(xroad(found_doc())).xroad_id.empty());
  std::string two_ids = "<s:Header><id>a</id><id>b</id></s:Header>";
  EXPECT_EQ(refused(soap(body, attrs, "s:", two_ids)), ParseErrorKind::NotAResponse);
}

TEST(ResponseAmbiguity, Xml11Refused) {
  for (const char* decl : {"<?xml version=\"1.1\"?>", "<?xml version='1.1' encoding='UTF-8'?>"}) {
    ParseErrorKind kind = refused(decl + found_doc());
    EXPECT_TRUE(kind == ParseErrorKind::Malformed || kind == ParseErrorKind::Encoding) << decl;
  }
  // XML 1.1 would admit a C0 control character through a reference: &#1;.
  ParseErrorKind kind =
      refused("<?xml version=\"1.1\"?>" +
              vtj_doc("<Paluukoodi koodi=\"0000\">o&#1;k</Paluukoodi>" + std::string(kHenkilo)));
  EXPECT_TRUE(kind == ParseErrorKind::Malformed || kind == ParseErrorKind::Encoding);
  EXPECT_TRUE(parse_response("<?xml version=\"1.0\"?>" + found_doc()).ok());
}

TEST(ResponseAmbiguity, EscapedInnerDocumentDeclaringUtf16IsReadAsText) {
  // A .NET string serialised into the result declares utf-16, but it reaches us as decoded text.
  std::string inner = "<?xml version=\"1.0\" encoding=\"utf-16\"?>" +
                      vtj_doc("<Paluukoodi koodi=\"0000\">Löytyi</Paluukoodi>" + std::string(kHenkilo));
  std::string escaped;
  for (char c : inner) {
    escaped += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  }
  Response r = parse_ok(soso(escaped));
  EXPECT_EQ(r.envelope, Envelope::Soso);
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.message, "Löytyi");
  // The same declaration on the outer bytes is still refused: those are bytes, and they are not UTF-16.
  EXPECT_EQ(refused(inner), ParseErrorKind::Encoding);
  // XML 1.1 is refused inside too.
  std::string inner11 = "&lt;?xml version=\"1.1\"?>" + escaped.substr(escaped.find("&lt;VTJ"));
  EXPECT_EQ(refused(soso(inner11)), ParseErrorKind::Malformed);
}

TEST(ResponseAmbiguity, XercesPanicThrowsInsteadOfExiting) {
  // The default handler would exit() the whole process (a web server worker) here.
  ASSERT_TRUE(detail::xerces_ready());
  EXPECT_THROW(
      XERCES_CPP_NAMESPACE::XMLPlatformUtils::panic(XERCES_CPP_NAMESPACE::PanicHandler::Panic_SystemInit),
      detail::XercesPanic);
}

}  // namespace
}  // namespace vtj::reg
