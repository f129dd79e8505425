// Reading requests: any namespace prefixes, entities and character references, SOAP 1.1 and 1.2, the
// X-Road headers; and how what is not a readable query is answered.

#include <gtest/gtest.h>

#include "envelope.hpp"
#include "sim_test_util.hpp"
#include "soap_request.hpp"

namespace vtj::sim {
namespace {

HttpRequest soso(std::string body, std::string_view content_type = "text/xml; charset=utf-8",
                 std::string_view action = "\"http://tempuri.org/TeeHenkilonTunnusKysely\"") {
  HttpRequest r;
  r.method = "POST";
  r.path = "/sosowebsite/soso.asmx";
  r.headers = {{"content-type", std::string(content_type)}, {"soapaction", std::string(action)}};
  r.body = std::move(body);
  return r;
}

HttpRequest xroad(std::string body) {
  HttpRequest r = soso(std::move(body), "text/xml; charset=utf-8", "\"\"");
  r.path = "/";
  return r;
}

// A SoSo request written by hand with unusual (but legal) prefixes and layout.
std::string odd_prefixes(std::string_view end_user) {
  return "<?xml version='1.0' encoding='UTF-8'?>\n<!-- a comment --><e:Envelope "
         "xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'>\r\n  <e:Header/>\r\n  <e:Body>"
         "<q:TeeHenkilonTunnusKysely xmlns:q=\"http://tempuri.org/\">"
         "<q:SoSoNimi>PERUSSANOMA3</q:SoSoNimi><q:Kayttajatunnus>vtj-sim-customer</q:Kayttajatunnus>"
         "<q:Salasana><![CDATA[sim-secret-2026]]></q:Salasana><q:Loppukayttaja>" +
         std::string(end_user) +
         "</q:Loppukayttaja><q:Henkilotunnus>010190-901R</q:Henkilotunnus><q:SahkoinenAsiointitunnus/>"
         "</q:TeeHenkilonTunnusKysely></e:Body></e:Envelope>";
}

TEST(RequestParse, PrefixesEntitiesAndCharacterReferences) {
  auto q = parse_request(soso(odd_prefixes("a&amp;b &lt;&gt;&quot;&apos; &#228;&#xF6;&#x159;")));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->transport, Transport::Soso11);
  EXPECT_EQ(q->value(FieldId::EndUser), "a&b <>\"' äöř");
  EXPECT_EQ(q->value(FieldId::Password), "sim-secret-2026");
  EXPECT_EQ(q->value(FieldId::Hetu), "010190-901R");
  EXPECT_TRUE(q->has(FieldId::Satu));
  EXPECT_FALSE(q->has(FieldId::Certificate));
  // The same request answers as any other.
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  reg::Response r = test::parse(reg->answer(soso(odd_prefixes("x"))));
  EXPECT_EQ(r.code, "0000");
}

TEST(RequestParse, DefaultNamespaceAndALatin1Request) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Envelope "
      "xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\">"
      "<Body><TeeHenkilonTunnusKysely xmlns=\"http://tempuri.org/\"><Loppukayttaja>K\xE4ytt\xE4j\xE4"
      "</Loppukayttaja></TeeHenkilonTunnusKysely></Body></Envelope>";
  auto q = parse_request(soso(body));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->value(FieldId::EndUser), "Käyttäjä");
}

TEST(RequestParse, FieldsOutsideTheOperationsNamespaceAreNotFields) {
  std::string body =
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<TeeHenkilonTunnusKysely xmlns=\"http://tempuri.org/\"><SoSoNimi xmlns=\"\">PERUSSANOMA3</SoSoNimi>"
      "</TeeHenkilonTunnusKysely></s:Body></s:Envelope>";
  auto q = parse_request(soso(body));
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->has(FieldId::Product));
}

TEST(RequestParse, Soap12CarriesTheActionInTheContentType) {
  reg::QueryParams p = test::by_hetu("010190-901R");
  HttpRequest r = test::request_via(test::Via::Soso12, p);
  auto q = parse_request(r);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->transport, Transport::Soso12);
  // A 1.1 envelope under the 1.2 media type is refused.
  HttpRequest mixed = test::request_via(test::Via::Soso11, p);
  mixed.headers = {{"content-type", "application/soap+xml; charset=utf-8"}};
  auto m = parse_request(mixed);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, Rejection::Kind::SoapClient);
  EXPECT_EQ(m.error().transport, Transport::Soso12);
}

// Each broken request, answered as the SoSo service (SOAP Client fault, HTTP 500) and as an X-Road
// security server (Client.InvalidSoap, HTTP 200).
TEST(RequestParse, WhatIsNotWellFormedIsAClientFault) {
  const std::string good = odd_prefixes("x");
  const std::vector<std::string> broken = {
      "",
      "not xml at all",
      good.substr(0, good.size() - 5),                                                // unclosed root
      "<!DOCTYPE x [<!ENTITY e 'boom'>]>" + good,                                     // DTD
      std::string(good).replace(good.find("</q:Loppukayttaja>"), 18, "</q:Loppu>"),   // mismatched end tag
      std::string(good).replace(good.find(">x<"), 3, ">&nbsp;<"),                     // undefined entity
      std::string(good).replace(good.find(">x<"), 3, ">&#0;<"),                       // not an XML character
      std::string(good).replace(good.find(">x<"), 3, ">\x01<"),                       // control character
      std::string(good).replace(good.find(">x<"), 3, ">\xC3<"),                       // not UTF-8
      std::string(good).replace(good.find("q:Henkilotunnus>0"), 2, "z:"),             // undeclared prefix
      good + "<second/>",                                                             // two roots
      std::string(good).replace(good.find("<q:SoSoNimi>"), 0, "<q:a b='1' b='2'/>"),  // duplicate attribute
  };
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (size_t i = 0; i < broken.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    Reply s = reg->answer(soso(broken[i]));
    EXPECT_EQ(s.status, 500);
    reg::Response sr = test::parse(s);
    EXPECT_EQ(sr.outcome, reg::Outcome::Fault);
    EXPECT_EQ(sr.fault_code, "soap:Client");
    Reply x = reg->answer(xroad(broken[i]));
    EXPECT_EQ(x.status, 200);
    reg::Response xr = test::parse(x);
    EXPECT_EQ(xr.outcome, reg::Outcome::Fault);
    EXPECT_EQ(xr.fault_code, "Client.InvalidSoap");
    EXPECT_EQ(xr.fault_detail.size(), 36u);  // a UUID for log correlation
  }
  EXPECT_NE(reg->counters_json().find("\"rejected\":24,"), std::string::npos) << reg->counters_json();
  EXPECT_NE(reg->counters_json().find("\"queries\":0,"), std::string::npos);
}

TEST(RequestParse, HttpLevelMistakes) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  HttpRequest r = test::request_via(test::Via::Soso11, test::by_hetu("010190-901R"));
  HttpRequest get = r;
  get.method = "GET";
  EXPECT_EQ(reg->answer(get).status, 405);
  HttpRequest elsewhere = r;
  elsewhere.path = "/soso.asmx";
  EXPECT_EQ(reg->answer(elsewhere).status, 404);
  HttpRequest json = r;
  json.headers = {{"content-type", "application/json"}};
  EXPECT_EQ(reg->answer(json).status, 415);
  HttpRequest no_action = r;
  no_action.headers = {{"content-type", "text/xml; charset=utf-8"}};
  Reply na = reg->answer(no_action);
  EXPECT_EQ(na.status, 500);
  EXPECT_NE(test::parse(na).fault_string.find("SOAPAction"), std::string::npos);
  // The action may come without quotes.
  HttpRequest bare = r;
  bare.headers = {{"content-type", "text/xml"}, {"soapaction", "http://tempuri.org/TeeHenkilonTunnusKysely"}};
  EXPECT_EQ(test::parse(reg->answer(bare)).code, "0000");
  // Another operation of the service is not simulated.
  HttpRequest other = r;
  test::tamper(other, "TeeHenkilonTunnusKysely xmlns", "TeeHenkilonTunnistusKysely xmlns");
  test::tamper(other, "</TeeHenkilonTunnusKysely>", "</TeeHenkilonTunnistusKysely>");
  EXPECT_EQ(test::parse(reg->answer(other)).fault_code, "soap:Client");
}

TEST(RequestParse, XRoadHeadersAreRequired) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  auto fault_of = [&](std::string_view from, std::string_view to) {
    HttpRequest r = test::request_via(test::Via::XRoad, test::by_hetu("010190-901R"));
    test::tamper(r, from, to);
    Reply reply = reg->answer(r);
    EXPECT_EQ(reply.status, 200);
    return test::parse(reply).fault_code;
  };
  EXPECT_EQ(fault_of("<xrd:protocolVersion>4.0</xrd:protocolVersion>", ""), "Client.MissingHeaderField");
  EXPECT_EQ(fault_of("<xrd:protocolVersion>4.0<", "<xrd:protocolVersion>3.1<"),
            "Client.InvalidProtocolVersion");
  EXPECT_EQ(fault_of(std::string("<xrd:id>") + std::string(test::kMessageId) + "</xrd:id>", ""),
            "Client.MissingHeaderField");
  EXPECT_EQ(fault_of("<id:memberCode>0101263-6</id:memberCode>", ""), "Client.MissingHeaderField");
  EXPECT_EQ(fault_of("<id:serviceCode>HenkilonTunnusKysely<", "<id:serviceCode>HenkilonTunnistusKysely<"),
            "Server.ServerProxy.UnknownService");
  EXPECT_EQ(fault_of("<SOAP-ENV:Header>", "<SOAP-ENV:Header><xrd:centralService/>"),
            "Client.MissingHeaderField");
  EXPECT_EQ(
      fault_of("<vtj:HenkilonTunnusKysely>",
               "<vtj:HenkilonTunnusKysely><vtj:x/></vtj:HenkilonTunnusKysely><vtj:HenkilonTunnusKysely>"),
      "Client.InvalidSoap");
  // Another operation of the service is not simulated.
  HttpRequest other = test::request_via(test::Via::XRoad, test::by_hetu("010190-901R"));
  test::tamper(other, "<vtj:HenkilonTunnusKysely>", "<vtj:HenkilonTunnistusKysely>");
  test::tamper(other, "</vtj:HenkilonTunnusKysely>", "</vtj:HenkilonTunnistusKysely>");
  EXPECT_EQ(test::parse(reg->answer(other)).fault_code, "Client.InvalidSoap");
}

TEST(RequestParse, XRoadEchoesTheHeadersAndTheRequestWithoutThePassword) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  reg::XRoadHeaders h = test::xroad_headers();
  auto p = test::by_hetu("010190-901R");
  HttpRequest request = test::request_via(test::Via::XRoad, p);
  Reply reply = reg->answer(request);
  EXPECT_EQ(reply.body.find(std::string(test::kPassword)), std::string::npos);
  EXPECT_NE(reply.body.find("<Salasana/>"), std::string::npos);
  EXPECT_NE(reply.body.find("<Kayttajatunnus>vtj-sim-customer</Kayttajatunnus>"), std::string::npos);
  EXPECT_NE(reply.body.find(">0101263-6</a:memberCode>"), std::string::npos);
  EXPECT_NE(reply.body.find(">vtj-sim-tests</h:userId>"), std::string::npos);
  EXPECT_NE(reply.body.find(">4.0</h:protocolVersion>"), std::string::npos);
  std::string hash =
      "algorithmId=\"http://www.w3.org/2001/04/xmlenc#sha512\">" + request_hash(request.body) + "<";
  EXPECT_NE(reply.body.find(hash), std::string::npos);
  EXPECT_EQ(request_hash("").size(), 88u);
  EXPECT_EQ(request_hash("abc").substr(0, 12), "3a81oZNherrM");  // SHA-512("abc"), as published
  EXPECT_EQ(test::parse(reply).xroad_id, test::kMessageId);
}

}  // namespace
}  // namespace vtj::sim
