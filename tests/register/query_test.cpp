// From settings and identity to the request document: what a query carries on each transport.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "identity/test_pki.hpp"
#include "vtj/register_query.hpp"

namespace vtj::reg {
namespace {

config::Settings settings_for(Transport t) {
  config::Settings s;
  s.transport = t;
  s.product = "PERUSSANOMA 1";
  s.username = "kunta";
  s.password = "salasana";
  s.end_user = "sähköinen asiointi";
  s.xroad_client = {"FI-TEST", "MUN", "0101263-6", "portal", "", ""};
  return s;
}

identity::CitizenCertificate citizen_certificate() {
  const auto& pki = testpki::Pki::get();
  identity::IssuerSet issuers;
  EXPECT_TRUE(issuers.add_data(testpki::to_pem(pki.citizen_ca.get()), "test CA").ok());
  auto leaf = pki.citizen_leaf(testpki::citizen_spec("12345678N", "Maija", "MEIKÄLÄINEN"));
  auto c = identity::read_citizen_certificate(testpki::to_pem(leaf.get()), issuers, testpki::kNow);
  EXPECT_TRUE(c.ok());
  return c.value();
}

bool has(const std::string& doc, const std::string& part) {
  return doc.find(part) != std::string::npos;
}

TEST(Query, CertificateWithCheckCarriesCertificateIssuerAndFlags) {
  auto s = settings_for(Transport::Soso);
  auto cert = citizen_certificate();
  QueryParams q = query_for_certificate(s, cert);
  EXPECT_EQ(q.satu, "12345678N");
  EXPECT_TRUE(q.hetu.empty());
  EXPECT_EQ(q.issuer, "DVV TEST Citizen Certificates - G4R");
  EXPECT_EQ(q.certificate_base64, cert.der_base64());
  EXPECT_TRUE(q.check_validity);
  EXPECT_TRUE(q.check_revocation);
  auto doc = build_request(s, q);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(has(*doc, "TeeHenkilonTunnusKysely"));
  EXPECT_TRUE(has(*doc, ">12345678N<"));
  EXPECT_TRUE(has(*doc, cert.der_base64()));
  EXPECT_TRUE(has(*doc, ">DVV TEST Citizen Certificates - G4R<"));
  EXPECT_TRUE(has(*doc, "VarmenteenVoimassaolotarkistus>1<"));
  EXPECT_TRUE(has(*doc, "VarmenteenSulkulistatarkistus>1<"));
}

TEST(Query, CertificateWithoutCheckCarriesOnlyTheSatu) {
  auto s = settings_for(Transport::Soso);
  s.certificate_check = false;
  QueryParams q = query_for_certificate(s, citizen_certificate());
  EXPECT_EQ(q.satu, "12345678N");
  EXPECT_TRUE(q.issuer.empty());
  EXPECT_TRUE(q.certificate_base64.empty());
  EXPECT_FALSE(q.check_validity);
  EXPECT_FALSE(q.check_revocation);
}

TEST(Query, HetuOnXRoadCarriesTheConfiguredIdentifiers) {
  auto s = settings_for(Transport::XRoad);
  auto hetu = identity::Hetu::parse("010170-960F");
  ASSERT_TRUE(hetu.ok());
  auto doc = build_request(s, query_for_hetu(s, *hetu));
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(has(*doc, "HenkilonTunnusKysely"));
  EXPECT_TRUE(has(*doc, ">010170-960F<"));
  EXPECT_TRUE(has(*doc, ">0101263-6<"));      // client member code
  EXPECT_TRUE(has(*doc, ">0245437-2<"));      // the register's member code (default service)
  EXPECT_TRUE(has(*doc, ">portal<"));         // client subsystem
  EXPECT_TRUE(has(*doc, ">PERUSSANOMA 1<"));  // product
  EXPECT_TRUE(has(*doc, ">sähköinen asiointi<"));
}

TEST(Query, EveryXRoadMessageHasItsOwnId) {
  auto s = settings_for(Transport::XRoad);
  EXPECT_NE(xroad_headers_for(s).message_id, xroad_headers_for(s).message_id);
}

TEST(Query, XRoadUserIdNamesTheEndUser) {
  auto s = settings_for(Transport::XRoad);
  EXPECT_EQ(xroad_headers_for(s).user_id, "sähköinen asiointi");
  auto satu = identity::Satu::parse("12345678N");
  ASSERT_TRUE(satu.ok());
  auto doc = build_request(s, query_for_satu(s, *satu));
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(has(*doc, "userId>sähköinen asiointi</")) << *doc;
}

Response found_answer(std::vector<Element> henkilo_children) {
  Element henkilo;
  henkilo.name = "Henkilo";
  henkilo.children = std::move(henkilo_children);
  Response r;
  r.outcome = Outcome::Found;
  r.code = "0000";
  r.person = Person(std::move(henkilo));
  return r;
}

Element leaf(std::string name, std::string text) {
  Element e;
  e.name = std::move(name);
  e.text = std::move(text);
  return e;
}

QueryParams asked_hetu(const char* hetu) {
  QueryParams q;
  q.hetu = hetu;
  return q;
}

QueryParams asked_satu(const char* satu) {
  QueryParams q;
  q.satu = satu;
  return q;
}

TEST(AnswerMismatch, HetuMustMatch) {
  EXPECT_FALSE(
      answer_mismatch(asked_hetu("010170-960F"), found_answer({leaf("Henkilotunnus", "010170-960F")})));
  auto why = answer_mismatch(asked_hetu("010170-960F"), found_answer({leaf("Henkilotunnus", "020190-9521")}));
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->find("020190-9521"), std::string::npos) << *why;
  EXPECT_EQ(why->find("010170-960F"), std::string::npos) << *why;
  EXPECT_NE(why->find("020190-****"), std::string::npos) << *why;
  EXPECT_TRUE(answer_mismatch(asked_hetu("010170-960F"), found_answer({})));
}

TEST(AnswerMismatch, SatuMustBeNamedAndMatch) {
  auto with_satu = [](const char* satu) {
    return found_answer({leaf("Henkilotunnus", "010170-960F"), leaf("SahkoinenAsiointitunnus", satu)});
  };
  EXPECT_FALSE(answer_mismatch(asked_satu("12345678N"), with_satu("12345678N")));
  // An answer that names no SATU at all cannot be tied to the certificate asked about.
  Response unnamed = found_answer({leaf("Henkilotunnus", "010170-960F")});
  auto none = answer_mismatch(asked_satu("12345678N"), unnamed);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->find("12345678N"), std::string::npos) << *none;
  // Products without the person's SahkoinenAsiointitunnus are judged by the register's echo of the
  // criteria (Hakuperusteet).
  unnamed.asked_satu = "12345678N";
  EXPECT_FALSE(answer_mismatch(asked_satu("12345678N"), unnamed));
  unnamed.asked_satu = "10000350X";
  EXPECT_TRUE(answer_mismatch(asked_satu("12345678N"), unnamed));
  auto why = answer_mismatch(asked_satu("12345678N"), with_satu("10000350X"));
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->find("10000350X"), std::string::npos) << *why;
  EXPECT_EQ(why->find("12345678N"), std::string::npos) << *why;
  // A second, different SATU is no better than one.
  Response two = with_satu("12345678N");
  Element henkilo = two.person->tree();
  henkilo.children.push_back(leaf("SahkoinenAsiointitunnus", "10000350X"));
  two.person = Person(henkilo);
  EXPECT_TRUE(answer_mismatch(asked_satu("12345678N"), two));
}

TEST(AnswerMismatch, PassivationMustNameAnotherHetu) {
  Response r;
  r.outcome = Outcome::Passivated;
  r.code = "0002";
  r.active_hetu = "010170-960F";
  auto why = answer_mismatch(asked_hetu("010170-960F"), r);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->find("010170-960F"), std::string::npos) << *why;
  r.active_hetu = "020190-9521";
  EXPECT_FALSE(answer_mismatch(asked_hetu("010170-960F"), r));
}

TEST(AnswerMismatch, OtherOutcomesAreNotJudged) {
  Response r;
  r.outcome = Outcome::NotFound;
  EXPECT_FALSE(answer_mismatch(asked_hetu("010170-960F"), r));
}

TEST(Query, IncompleteSettingsAreTypedErrors) {
  auto s = settings_for(Transport::Soso);
  s.end_user.clear();
  auto satu = identity::Satu::parse("12345678N");
  ASSERT_TRUE(satu.ok());
  auto doc = build_request(s, query_for_satu(s, *satu));
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), RequestError::MissingEndUser);
  auto x = settings_for(Transport::XRoad);
  x.xroad_client = {};
  auto xdoc = build_request(x, query_for_satu(x, *satu));
  ASSERT_FALSE(xdoc.ok());
  EXPECT_EQ(xdoc.error(), RequestError::MissingXRoadId);
}

}  // namespace
}  // namespace vtj::reg
