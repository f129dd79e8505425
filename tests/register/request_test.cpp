// Request building for both transports, read back with the same hardened reader.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "register/xml_reader.hpp"
#include "vtj/register_request.hpp"

namespace vtj::reg {
namespace {

// 8-4-4-4-12 lower-case hex, version nibble 4, variant 8..b (std::regex trips a g++ 12 warning under ASan).
bool is_uuid_v4(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    if (dash ? s[i] != '-' : !hex) {
      return false;
    }
  }
  return s[14] == '4' && std::string("89ab").find(s[19]) != std::string::npos;
}

const std::vector<std::string> kFieldOrder = {"SoSoNimi",
                                              "Kayttajatunnus",
                                              "Salasana",
                                              "Loppukayttaja",
                                              "Laskutustiedot",
                                              "Henkilotunnus",
                                              "SahkoinenAsiointitunnus",
                                              "VarmenteenMyontaja",
                                              "X509Certificate",
                                              "VarmenteenVoimassaolotarkistus",
                                              "VarmenteenSulkulistatarkistus",
                                              "Tunnistusportaali",
                                              "Vara1"};

QueryParams by_satu() {
  QueryParams p;
  p.product = "PERUSSANOMA 3";
  p.username = "kayttaja";
  p.password = "salasana";
  p.end_user = "vtj-resolver: portaali.example.fi";
  p.satu = "10000350X";
  p.issuer = "C=FI, O=Digi- ja vaestotietovirasto CA, CN=DVV Citizen Certificates - G4E";
  p.certificate_base64 = "MIIBszCCAVmgAwIBAgIU";
  p.check_validity = true;
  p.check_revocation = true;
  p.portal = "";
  return p;
}

QueryParams by_hetu() {
  QueryParams p;
  p.product = "PERUSSANOMA 3";
  p.username = "kayttaja";
  p.password = "salasana";
  p.end_user = "azure-id: 00000000-0000-0000-0000-000000000000";
  p.hetu = "020501A999T";
  return p;
}

XRoadHeaders headers() {
  XRoadHeaders h;
  h.client = {"FI-TEST", "MUN", "0101263-6", "evaka-test", "", ""};
  h.service = {"FI-TEST", "GOV", "0245437-2", "VTJkysely", "HenkilonTunnusKysely", "v1"};
  h.message_id = "4894e35d-bf0f-44a6-867a-8e51f1daa7e0";
  h.user_id = "00000000-0000-0000-0000-000000000000";
  return h;
}

Element read_back(const std::string& xml) {
  auto r = detail::read_xml(xml, {});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail) << "\n" << xml;
  return r.ok() ? r->root : Element{};
}

const Element* query_of(const Element& envelope, const char* op) {
  const Element* body = envelope.child("Body");
  EXPECT_NE(body, nullptr);
  const Element* q = body != nullptr ? body->child(op) : nullptr;
  EXPECT_NE(q, nullptr) << op;
  return q;
}

void expect_field_order(const Element& fields) {
  ASSERT_EQ(fields.children.size(), kFieldOrder.size());
  for (size_t i = 0; i < kFieldOrder.size(); ++i) {
    EXPECT_EQ(fields.children[i].name, kFieldOrder[i]);
  }
}

TEST(Request, SosoBySatuWithChecks) {
  auto xml = build_soso_request(by_satu());
  ASSERT_TRUE(xml.ok()) << to_string(xml.error());
  EXPECT_NE(xml->find("xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""), std::string::npos);
  EXPECT_NE(xml->find("<TeeHenkilonTunnusKysely xmlns=\"http://tempuri.org/\">"), std::string::npos);
  Element env = read_back(*xml);
  EXPECT_EQ(env.name, "Envelope");
  const Element* q = query_of(env, "TeeHenkilonTunnusKysely");
  ASSERT_NE(q, nullptr);
  expect_field_order(*q);
  EXPECT_EQ(q->value("SoSoNimi"), "PERUSSANOMA 3");
  EXPECT_EQ(q->child("Henkilotunnus")->text, "");
  EXPECT_EQ(q->value("SahkoinenAsiointitunnus"), "10000350X");
  EXPECT_EQ(q->value("VarmenteenMyontaja"), by_satu().issuer);
  EXPECT_EQ(q->value("X509Certificate"), "MIIBszCCAVmgAwIBAgIU");
  EXPECT_EQ(q->value("VarmenteenVoimassaolotarkistus"), "1");
  EXPECT_EQ(q->value("VarmenteenSulkulistatarkistus"), "1");
  EXPECT_EQ(q->child("Vara1")->text, "");
}

TEST(Request, SosoByHetuFlagsEmpty) {
  auto xml = build_soso_request(by_hetu());
  ASSERT_TRUE(xml.ok());
  Element env = read_back(*xml);
  const Element* q = query_of(env, "TeeHenkilonTunnusKysely");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->value("Henkilotunnus"), "020501A999T");
  EXPECT_EQ(q->child("SahkoinenAsiointitunnus")->text, "");
  EXPECT_EQ(q->child("VarmenteenVoimassaolotarkistus")->text, "");
  EXPECT_EQ(q->child("VarmenteenSulkulistatarkistus")->text, "");
}

TEST(Request, Soso12Envelope) {
  auto xml = build_soso12_request(by_hetu());
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml->find("http://www.w3.org/2003/05/soap-envelope"), std::string::npos);
  Element env = read_back(*xml);
  const Element* q = query_of(env, "TeeHenkilonTunnusKysely");
  ASSERT_NE(q, nullptr);
  expect_field_order(*q);
  EXPECT_NE(soso12_content_type().find("application/soap+xml"), std::string::npos);
  EXPECT_NE(soso12_content_type().find("action=\"http://tempuri.org/TeeHenkilonTunnusKysely\""),
            std::string::npos);
}

TEST(Request, XRoadHeadersAndBody) {
  auto xml = build_xroad_request(by_satu(), headers());
  ASSERT_TRUE(xml.ok()) << to_string(xml.error());
  EXPECT_NE(xml->find("xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\""), std::string::npos);
  EXPECT_NE(xml->find("xmlns:id=\"http://x-road.eu/xsd/identifiers\""), std::string::npos);
  EXPECT_NE(xml->find("xmlns:vtj=\"http://xml.vrk.fi/ws/vtj/vtjkysely/1\""), std::string::npos);
  Element env = read_back(*xml);
  const Element* header = env.child("Header");
  ASSERT_NE(header, nullptr);
  const Element* client = header->child("client");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->attribute("objectType"), "SUBSYSTEM");
  EXPECT_EQ(client->value("xRoadInstance"), "FI-TEST");
  EXPECT_EQ(client->value("memberClass"), "MUN");
  EXPECT_EQ(client->value("memberCode"), "0101263-6");
  EXPECT_EQ(client->value("subsystemCode"), "evaka-test");
  EXPECT_EQ(client->child("serviceCode"), nullptr);
  const Element* service = header->child("service");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->attribute("objectType"), "SERVICE");
  EXPECT_EQ(service->value("memberClass"), "GOV");
  EXPECT_EQ(service->value("memberCode"), "0245437-2");
  EXPECT_EQ(service->value("subsystemCode"), "VTJkysely");
  EXPECT_EQ(service->value("serviceCode"), "HenkilonTunnusKysely");
  EXPECT_EQ(service->value("serviceVersion"), "v1");
  EXPECT_EQ(header->value("id"), "4894e35d-bf0f-44a6-867a-8e51f1daa7e0");
  EXPECT_EQ(header->value("userId"), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(header->value("protocolVersion"), "4.0");
  EXPECT_EQ(header->child("issue"), nullptr);
  const Element* q = query_of(env, "HenkilonTunnusKysely");
  ASSERT_NE(q, nullptr);
  const Element* request = q->child("request");
  ASSERT_NE(request, nullptr);
  expect_field_order(*request);
  EXPECT_EQ(request->value("SahkoinenAsiointitunnus"), "10000350X");
  EXPECT_EQ(request->value("VarmenteenSulkulistatarkistus"), "1");
  EXPECT_EQ(xroad_soap_action(), "\"\"");
}

TEST(Request, XRoadOptionalHeaders) {
  XRoadHeaders h = headers();
  h.user_id.clear();
  h.issue = "ticket-1";
  h.message_id.clear();
  h.service.service_version.clear();
  auto xml = build_xroad_request(by_hetu(), h);
  ASSERT_TRUE(xml.ok());
  Element env = read_back(*xml);
  const Element* header = env.child("Header");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->child("userId"), nullptr);
  EXPECT_EQ(header->value("issue"), "ticket-1");
  EXPECT_EQ(header->child("service")->child("serviceVersion"), nullptr);
  // An empty message id is replaced by a fresh UUID.
  EXPECT_TRUE(is_uuid_v4(header->value("id"))) << header->value("id");
}

TEST(Request, XRoadIncompleteIdentifiers) {
  XRoadHeaders h = headers();
  h.client.subsystem.clear();
  EXPECT_EQ(build_xroad_request(by_hetu(), h).error(), RequestError::MissingXRoadId);
  h = headers();
  h.service.service_code.clear();
  EXPECT_EQ(build_xroad_request(by_hetu(), h).error(), RequestError::MissingXRoadId);
  h = headers();
  h.user_id = "a\x01";
  EXPECT_EQ(build_xroad_request(by_hetu(), h).error(), RequestError::InvalidCharacter);
}

TEST(Request, EscapingRoundTrips) {
  QueryParams p = by_hetu();
  p.end_user = "<&>\"' end";
  p.password = "p<a&s>s\"w'o\rrd";
  p.billing = "]]> <![CDATA[ x";
  for (const auto& xml : {build_soso_request(p), build_xroad_request(p, headers())}) {
    ASSERT_TRUE(xml.ok());
    EXPECT_EQ(xml->find("<&>"), std::string::npos);
    Element env = read_back(*xml);
    const Element* body = env.child("Body");
    ASSERT_NE(body, nullptr);
    const Element& op = body->children.at(0);
    const Element& fields = op.child("request") != nullptr ? *op.child("request") : op;
    EXPECT_EQ(fields.child("Loppukayttaja")->text, "<&>\"' end");
    EXPECT_EQ(fields.child("Salasana")->text, "p<a&s>s\"w'o\rrd");
    EXPECT_EQ(fields.child("Laskutustiedot")->text, "]]> <![CDATA[ x");
  }
}

TEST(Request, EndUserLengthInCharacters) {
  QueryParams p = by_hetu();
  p.end_user = std::string(49, 'a') + "ä";  // 50 characters, 51 bytes
  EXPECT_TRUE(build_soso_request(p).ok());
  EXPECT_TRUE(build_xroad_request(p, headers()).ok());
  p.end_user = std::string(50, 'a');
  EXPECT_TRUE(build_soso_request(p).ok());
  p.end_user = std::string(50, 'a') + "ä";  // 51 characters
  EXPECT_EQ(build_soso_request(p).error(), RequestError::EndUserTooLong);
  EXPECT_EQ(build_xroad_request(p, headers()).error(), RequestError::EndUserTooLong);
  p.end_user = std::string(51, 'a');
  EXPECT_EQ(build_soso_request(p).error(), RequestError::EndUserTooLong);
  std::string fifty_umlauts;
  for (int i = 0; i < 50; ++i) {
    fifty_umlauts += "ä";
  }
  p.end_user = fifty_umlauts;  // 100 bytes, 50 characters
  EXPECT_TRUE(build_soso_request(p).ok());
}

TEST(Request, ControlCharactersRefused) {
  for (std::string bad :
       {std::string("a\x01"), std::string("a\0b", 3), std::string("\x1b[31m"), std::string("x\x7f"),
        std::string("c1 \xC2\x85"), std::string("latin1 \xE4"), std::string("\xEF\xBF\xBF")}) {
    QueryParams p = by_hetu();
    p.end_user = bad;
    EXPECT_EQ(build_soso_request(p).error(), RequestError::InvalidCharacter);
    p = by_hetu();
    p.password = bad;
    EXPECT_EQ(build_xroad_request(p, headers()).error(), RequestError::InvalidCharacter);
  }
  QueryParams ok = by_hetu();
  ok.end_user = "tab\there\nnewline";
  ok.certificate_base64 = "MIIB\r\nMIIB\n";
  EXPECT_TRUE(build_soso_request(ok).ok());
}

TEST(Request, MandatoryFields) {
  QueryParams p = by_hetu();
  p.product.clear();
  EXPECT_EQ(build_soso_request(p).error(), RequestError::MissingProduct);
  p = by_hetu();
  p.username.clear();
  EXPECT_EQ(build_soso_request(p).error(), RequestError::MissingCredentials);
  p = by_hetu();
  p.password.clear();
  EXPECT_EQ(build_xroad_request(p, headers()).error(), RequestError::MissingCredentials);
  p = by_hetu();
  p.end_user = "  ";
  EXPECT_EQ(build_soso_request(p).error(), RequestError::MissingEndUser);
  p = by_hetu();
  p.hetu.clear();
  EXPECT_EQ(build_soso_request(p).error(), RequestError::NoIdentifier);
  p = by_hetu();
  p.satu = "10000350X";
  EXPECT_EQ(build_soso_request(p).error(), RequestError::NoIdentifier);
  EXPECT_NE(std::string(to_string(RequestError::NoIdentifier)), "");
}

TEST(Request, ErrorsNeverCarryValues) {
  QueryParams p = by_hetu();
  p.password = "secret\x01";
  auto r = build_soso_request(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(to_string(r.error())).find("secret"), std::string::npos);
}

TEST(Request, HeaderHelpers) {
  EXPECT_EQ(soso_soap_action(), "\"http://tempuri.org/TeeHenkilonTunnusKysely\"");
  EXPECT_EQ(soso_content_type(), "text/xml; charset=utf-8");
  EXPECT_EQ(xroad_content_type(), "text/xml; charset=utf-8");
}

TEST(Request, MessageIdsAreUuidV4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_message_id();
    EXPECT_TRUE(is_uuid_v4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace vtj::reg
