// Envelope shapes and return codes, on small hand-written documents.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "vtj/register_response.hpp"

namespace vtj::reg {
namespace {

std::string vtj_doc(const std::string& code, const std::string& henkilo, const std::string& prefix = "") {
  std::string ns = prefix.empty() ? "" : ":" + prefix.substr(0, prefix.size() - 1);
  return "<" + prefix + "VTJHenkiloVastaussanoma xmlns" + ns +
         "=\"http://xml.vrk.fi/schema/vtjkysely\" sanomatunnus=\"PERUSSANOMA 3\" "
         "tietojenPoimintaaika=\"20240101120000\" versio=\"1.0\"><" +
         prefix + "Paluukoodi koodi=\"" + code + "\">viesti</" + prefix + "Paluukoodi>" + henkilo + "</" +
         prefix + "VTJHenkiloVastaussanoma>";
}

Response parse_ok(const std::string& doc) {
  auto r = parse_response(doc);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
  return r.ok() ? *r : Response{};
}

TEST(Outcome, EveryDocumentedCode) {
  const std::vector<std::pair<const char*, Outcome>> table = {
      {"0000", Outcome::Found},
      {"0018", Outcome::Found},
      {"0001", Outcome::NotFound},
      {"0006", Outcome::NotFound},
      {"0017", Outcome::NotFound},
      {"0002", Outcome::Passivated},
      {"0003", Outcome::CredentialError},
      {"0004", Outcome::CredentialError},
      {"-1500", Outcome::CredentialError},
      {"0005", Outcome::RequestRejected},
      {"0007", Outcome::Deceased},
      {"0008", Outcome::CheckNotPerformed},
      {"0009", Outcome::CheckNotPerformed},
      {"0010", Outcome::ProductError},
      {"0011", Outcome::ProductError},
      {"-1505", Outcome::ProductError},
      {"-1905", Outcome::ProductError},
      {"-1900", Outcome::ProductError},
      {"-1901", Outcome::ProductError},
      {"0012", Outcome::CertificateRejected},
      {"0013", Outcome::CertificateRejected},
      {"0014", Outcome::CertificateRejected},
      {"0015", Outcome::CertificateRejected},
      {"0016", Outcome::CertificateRejected},
      {"0019", Outcome::NotDisclosable},
      {"-1800", Outcome::RegisterInternal},
      {"-1906", Outcome::RegisterInternal},
      {"-1805", Outcome::RequestRejected},
      {"-1902", Outcome::RequestRejected},
      {"-1903", Outcome::RequestRejected},
      {"-1904", Outcome::RequestRejected},
  };
  for (const auto& [code, outcome] : table) {
    EXPECT_EQ(outcome_for_code(code), outcome) << code;
    EXPECT_EQ(outcome_for_code(std::string("  ") + code + "\n"), outcome) << code;
  }
  for (const char* unknown : {"", "0020", "9999", "1", "0", "-1", "00000", "abc", "-15000", "0000x"}) {
    EXPECT_EQ(outcome_for_code(unknown), Outcome::Unknown) << unknown;
  }
  EXPECT_STREQ(to_string(Outcome::NotDisclosable), "not-disclosable");
  EXPECT_STREQ(to_string(ParseErrorKind::TooDeep), "too-deep");
}

TEST(ResponseEnvelope, BareWithPrefixAndDefaultNamespace) {
  for (const char* prefix : {"", "ns2:", "vtj:"}) {
    Response r =
        parse_ok(vtj_doc("0000",
                         std::string("<") + prefix + "Henkilo><" + prefix + "Henkilotunnus>010190-999W</" +
                             prefix + "Henkilotunnus></" + prefix + "Henkilo>",
                         prefix));
    EXPECT_EQ(r.envelope, Envelope::Bare) << prefix;
    EXPECT_EQ(r.outcome, Outcome::Found);
    EXPECT_EQ(r.product, "PERUSSANOMA 3");
    EXPECT_EQ(r.extracted_at, "20240101120000");
    EXPECT_EQ(r.message, "viesti");
    ASSERT_TRUE(r.person.has_value());
    EXPECT_EQ(r.person->hetu(), "010190-999W");
  }
}

TEST(ResponseEnvelope, MissingHenkiloOutcomeFromCodeOnly) {
  Response r = parse_ok(vtj_doc("0001", ""));
  EXPECT_EQ(r.outcome, Outcome::NotFound);
  EXPECT_FALSE(r.person.has_value());
}

TEST(ResponseEnvelope, SuccessWithoutPersonIsRefused) {
  // Found with nobody in it would pass a request with no identity: malformed, fail closed.
  for (const char* code : {"0000", "0018"}) {
    auto r = parse_response(vtj_doc(code, ""));
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse);
  }
}

TEST(ResponseEnvelope, PassivatedWithoutValidActiveHetuIsRefused) {
  for (const char* henkilo : {"", "<Henkilo><Henkilotunnus>garbage&lt;x&gt;</Henkilotunnus></Henkilo>",
                              "<Henkilo><Henkilotunnus>010170-999X</Henkilotunnus></Henkilo>"}) {
    auto r = parse_response(vtj_doc("0002", henkilo));
    ASSERT_FALSE(r.ok()) << henkilo;
    EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse);
    EXPECT_EQ(r.error().detail.find("010170-999X"), std::string::npos);
  }
}

TEST(ResponseEnvelope, NegativeCodeInPaluukoodi) {
  Response r = parse_ok(vtj_doc("-1500", ""));
  EXPECT_EQ(r.code, "-1500");
  EXPECT_EQ(r.outcome, Outcome::CredentialError);
  EXPECT_EQ(parse_ok(vtj_doc(" -1800 ", "")).outcome, Outcome::RegisterInternal);
}

TEST(ResponseEnvelope, PassivatedGivesActiveHetu) {
  Response r = parse_ok(vtj_doc("0002",
                                "<Henkilo><Henkilotunnus voimassaolokoodi=\"1\">\n 020190-9521 \n"
                                "</Henkilotunnus></Henkilo>"));
  EXPECT_EQ(r.outcome, Outcome::Passivated);
  EXPECT_EQ(r.active_hetu, "020190-9521");
}

TEST(ResponseEnvelope, SosoSoap11And12) {
  for (const char* soap_ns :
       {"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"}) {
    std::string doc =
        std::string("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"") + soap_ns +
        "\"><soap:Body><TeeHenkilonTunnusKyselyResponse xmlns=\"http://tempuri.org/\">"
        "<TeeHenkilonTunnusKyselyResult>" +
        vtj_doc("0007", "<Henkilo><Kuolintiedot><Kuollut>1</Kuollut></Kuolintiedot></Henkilo>") +
        "</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse></soap:Body></soap:Envelope>";
    Response r = parse_ok(doc);
    EXPECT_EQ(r.envelope, Envelope::Soso);
    EXPECT_EQ(r.outcome, Outcome::Deceased);
    ASSERT_TRUE(r.person.has_value());
    EXPECT_TRUE(r.person->deceased());
  }
}

TEST(ResponseEnvelope, SosoResultAsEscapedText) {
  std::string inner = vtj_doc("0000", "<Henkilo><Henkilotunnus>010190-999W</Henkilotunnus></Henkilo>");
  std::string escaped;
  for (char c : inner) {
    escaped += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  }
  Response r = parse_ok(
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
      "<TeeHenkilonTunnusKyselyResponse><TeeHenkilonTunnusKyselyResult>" +
      escaped +
      "</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse></soap:Body>"
      "</soap:Envelope>");
  EXPECT_EQ(r.envelope, Envelope::Soso);
  EXPECT_EQ(r.outcome, Outcome::Found);
  ASSERT_TRUE(r.person.has_value());
  EXPECT_EQ(r.person->hetu(), "010190-999W");
}

TEST(ResponseEnvelope, XRoadFaultCodeNotFound) {
  Response r = parse_ok(
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body>"
      "<ns1:HenkilonTunnusKyselyResponse xmlns:ns1=\"http://xml.vrk.fi/ws/vtj/vtjkysely/1\"><ns1:request>"
      "<ns1:SoSoNimi>PERUSSANOMA 3</ns1:SoSoNimi><ns1:Salasana/></ns1:request><ns1:response>"
      "<ns1:faultCode> 0001 </ns1:faultCode><ns1:faultString>Tietoja ei löytynyt</ns1:faultString>"
      "</ns1:response></ns1:HenkilonTunnusKyselyResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>");
  EXPECT_EQ(r.envelope, Envelope::XRoad);
  EXPECT_EQ(r.outcome, Outcome::NotFound);
  EXPECT_EQ(r.code, "0001");
  EXPECT_EQ(r.fault_code, "0001");
  EXPECT_EQ(r.message, "Tietoja ei löytynyt");
  EXPECT_FALSE(r.person.has_value());
}

TEST(ResponseEnvelope, Soap12Fault) {
  Response r = parse_ok(
      "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body><env:Fault>"
      "<env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang=\"en\">"
      "Server was unable to process request</env:Text></env:Reason><env:Detail>d-1</env:Detail></env:Fault>"
      "</env:Body></env:Envelope>");
  EXPECT_EQ(r.envelope, Envelope::SoapFault);
  EXPECT_EQ(r.outcome, Outcome::Fault);
  EXPECT_EQ(r.fault_code, "env:Receiver");
  EXPECT_EQ(r.fault_string, "Server was unable to process request");
  EXPECT_EQ(r.fault_detail, "d-1");
}

TEST(ResponseEnvelope, Soap11FaultLowerCaseCodeAndHeader) {
  Response r = parse_ok(
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/><s:Body><s:Fault>"
      "<faultcode>server.serverproxy.servicefailed</faultcode><faultstring>x</faultstring></s:Fault></s:Body>"
      "</s:Envelope>");
  EXPECT_EQ(r.envelope, Envelope::SoapFault);
  EXPECT_EQ(r.fault_code, "server.serverproxy.servicefailed");
  EXPECT_TRUE(r.fault_detail.empty());
}

TEST(ResponseEnvelope, UnrelatedShapesAreNotResponses) {
  for (const char* doc : {
           "<Envelope><Body/></Envelope>",
           "<Envelope><Header/></Envelope>",
           "<s:Envelope xmlns:s=\"x\"><s:Body><TeeHenkilonTunnusKyselyResponse/></s:Body></s:Envelope>",
           "<s:Envelope "
           "xmlns:s=\"x\"><s:Body><TeeHenkilonTunnusKyselyResponse><TeeHenkilonTunnusKyselyResult>"
           "plain "
           "text</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse></s:Body></s:Envelope>",
           "<s:Envelope "
           "xmlns:s=\"x\"><s:Body><HenkilonTunnusKyselyResponse><request/></HenkilonTunnusKyselyResponse>"
           "</s:Body></s:Envelope>",
           "<s:Envelope "
           "xmlns:s=\"x\"><s:Body><HenkilonTunnusKyselyResponse><response/></HenkilonTunnusKyselyResponse>"
           "</s:Body></s:Envelope>",
           "<root/>",
       }) {
    auto r = parse_response(doc);
    ASSERT_FALSE(r.ok()) << doc;
    EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse) << doc;
  }
}

}  // namespace
}  // namespace vtj::reg
