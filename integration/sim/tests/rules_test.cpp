// The register's rules before the lookup: product, credentials, end user, criteria and check flags, in
// that order, on every transport.

#include <gtest/gtest.h>

#include "rules.hpp"
#include "sim_test_util.hpp"

namespace vtj::sim {
namespace {

using test::Via;

class Rules : public ::testing::TestWithParam<Via> {
 protected:
  void SetUp() override {
    reg_ = test::load_register();
    ASSERT_NE(reg_, nullptr);
  }

  // Asks with the request as the core builds it, after `edit` changed its body.
  reg::Response ask(const reg::QueryParams& p, std::string_view from = {}, std::string_view to = {}) {
    HttpRequest r = test::request_via(GetParam(), p);
    if (!from.empty()) {
      test::tamper(r, from, to);
    }
    return test::parse(reg_->answer(r));
  }

  // The element as the core writes it on this transport.
  std::string field(std::string_view name, std::string_view value) const {
    std::string prefix = GetParam() == Via::XRoad ? "vtj:" : "";
    return "<" + prefix + std::string(name) + ">" + std::string(value) + "</" + prefix + std::string(name) +
           ">";
  }

  std::unique_ptr<Register> reg_;
};

TEST_P(Rules, ProductMustBeOneOfThePermit) {
  reg::Response r = ask(test::by_hetu("010190-901R", "PERUSSANOMA 1"));
  EXPECT_EQ(r.code, "-1900");
  EXPECT_EQ(r.outcome, reg::Outcome::ProductError);
  EXPECT_EQ(r.message, "Tuotetta ei löytynyt");
  EXPECT_FALSE(r.person);
  // An empty SoSoNimi names no product either.
  EXPECT_EQ(ask(test::by_hetu("010190-901R"), field("SoSoNimi", "PERUSSANOMA3"), field("SoSoNimi", "")).code,
            "-1900");
  // Names are matched without regard to case; the document names the product upper-cased.
  reg::Response lower = ask(test::by_hetu("010190-901R", "perusjhhs2"));
  EXPECT_EQ(lower.code, "0000");
  EXPECT_EQ(lower.product, "PERUSJHHS2");
}

TEST_P(Rules, CredentialsAreCheckedAfterTheProduct) {
  auto p = test::by_hetu("010190-901R");
  EXPECT_EQ(ask(p, field("Kayttajatunnus", test::kUsername), field("Kayttajatunnus", "")).code, "0004");
  EXPECT_EQ(ask(p, field("Salasana", test::kPassword), field("Salasana", "")).code, "0003");
  reg::QueryParams wrong = p;
  wrong.password = "guess";
  reg::Response r = ask(wrong);
  EXPECT_EQ(r.code, "-1500");
  EXPECT_EQ(r.outcome, reg::Outcome::CredentialError);
  EXPECT_EQ(r.message, "Käyttäjätunnus tai salasana väärin");
  EXPECT_FALSE(r.person);
  wrong = p;
  wrong.username = "someone-else";
  EXPECT_EQ(ask(wrong).code, "-1500");
  // A wrong product is reported before wrong credentials.
  wrong.product = "OPHREK";
  EXPECT_EQ(ask(wrong).code, "-1900");
}

TEST_P(Rules, EndUserIsMandatoryAndAtMostFiftyCharacters) {
  auto p = test::by_hetu("010190-901R");
  EXPECT_EQ(ask(p, field("Loppukayttaja", "vtj-sim-tests"), field("Loppukayttaja", "")).code, "-1904");
  EXPECT_EQ(ask(p, field("Loppukayttaja", "vtj-sim-tests"), field("Loppukayttaja", "  ")).code, "-1904");
  std::string fifty_one(50, 'x');
  fifty_one += "\xC3\xA4";  // 51 characters, 52 bytes
  reg::Response r = ask(p, field("Loppukayttaja", "vtj-sim-tests"), field("Loppukayttaja", fifty_one));
  EXPECT_EQ(r.code, "-1902");
  EXPECT_EQ(r.outcome, reg::Outcome::RequestRejected);
  // Exactly 50 characters, multi-byte ones included, pass.
  reg::QueryParams fifty = p;
  fifty.end_user = std::string(48, 'x') + "\xC3\xA4\xC3\xB6";
  EXPECT_EQ(ask(fifty).code, "0000");
}

TEST_P(Rules, ExactlyOneWellFormedCriterion) {
  auto p = test::by_hetu("010190-901R");
  reg::Response none = ask(p, field("Henkilotunnus", "010190-901R"), field("Henkilotunnus", ""));
  EXPECT_EQ(none.code, "0005");
  EXPECT_EQ(none.outcome, reg::Outcome::RequestRejected);
  EXPECT_NE(none.message.find("puuttuu"), std::string::npos);
  reg::Response both =
      ask(p, field("SahkoinenAsiointitunnus", ""), field("SahkoinenAsiointitunnus", "10000101W"));
  EXPECT_EQ(both.code, "0005");
  EXPECT_EQ(ask(p, field("Henkilotunnus", "010190-901R"), field("Henkilotunnus", "010190-901S")).message,
            "Henkilötunnus on virheellinen");
  EXPECT_EQ(ask(test::by_satu("10000101W"), field("SahkoinenAsiointitunnus", "10000101W"),
                field("SahkoinenAsiointitunnus", "10000101X"))
                .message,
            "Sähköinen asiointitunnus on virheellinen");
  // White space around a criterion is not part of it.
  EXPECT_EQ(ask(p, field("Henkilotunnus", "010190-901R"), field("Henkilotunnus", " 010190-901R\n")).code,
            "0000");
}

TEST_P(Rules, CheckFlagsWithoutACertificateCannotBePerformed) {
  auto p = test::by_satu("10000101W");
  p.check_validity = true;
  EXPECT_EQ(ask(p).code, "0009");
  p.check_validity = false;
  p.check_revocation = true;
  reg::Response r = ask(p);
  EXPECT_EQ(r.code, "0008");
  EXPECT_EQ(r.outcome, reg::Outcome::CheckNotPerformed);
  // Values other than the accepted ones are a notice, not silently "no".
  auto plain = test::by_satu("10000101W");
  reg::Response odd =
      ask(plain, field("VarmenteenVoimassaolotarkistus", ""), field("VarmenteenVoimassaolotarkistus", "2"));
  EXPECT_EQ(odd.code, "0005");
  EXPECT_EQ(
      ask(plain, field("VarmenteenSulkulistatarkistus", ""), field("VarmenteenSulkulistatarkistus", "0"))
          .code,
      "0000");
}

TEST_P(Rules, ARepeatedFieldIsNotSchemaValid) {
  auto p = test::by_hetu("010190-901R");
  std::string twice = field("Laskutustiedot", "") + field("Laskutustiedot", "x");
  reg::Response r = ask(p, field("Laskutustiedot", ""), twice);
  EXPECT_EQ(r.code, "-1805");
  EXPECT_EQ(r.outcome, reg::Outcome::RequestRejected);
}

TEST_P(Rules, CredentialErrorsEchoTheCriterionAsNotFound) {
  auto p = test::by_hetu("010190-901R");
  p.password = "guess";
  Reply reply = reg_->answer(test::request_via(GetParam(), p));
  EXPECT_NE(reply.body.find("hakuperustePaluukoodi=\"0\""), std::string::npos);
  EXPECT_NE(reply.body.find("hakuperustePaluukoodi=\"4\""), std::string::npos);
  EXPECT_EQ(reply.body.find("<Henkilo>"), std::string::npos);
  EXPECT_EQ(reply.body.find(":Henkilo>"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Transports, Rules, ::testing::ValuesIn(test::kAllVias),
                         [](const auto& info) { return std::string(test::to_string(info.param)); });

TEST(Flags, AcceptedSpellings) {
  for (const char* set : {"1", "true", "TRUE", "K", "k", " 1 "}) {
    EXPECT_EQ(parse_flag(set), Flag::Set) << set;
  }
  for (const char* clear : {"", "0", "false", "E", "e", "  "}) {
    EXPECT_EQ(parse_flag(clear), Flag::Clear) << clear;
  }
  for (const char* odd : {"2", "yes", "kyllä", "-1"}) {
    EXPECT_EQ(parse_flag(odd), Flag::Invalid) << odd;
  }
}

}  // namespace
}  // namespace vtj::sim
