#include "vtj/render.hpp"

#include <gtest/gtest.h>

#include <map>

#include "render/render_fixture.hpp"

namespace vtj::render {
namespace {

using reg::Element;
using test_support::leaf;
using test_support::node;

Element henkilo(std::string prohibition = "") {
  return node("Henkilo", {leaf("Henkilotunnus", "020501A999T"), leaf("SahkoinenAsiointitunnus", "10000350X"),
                          node("NykyinenSukunimi", {leaf("Sukunimi", "Jäppinen")}),
                          node("NykyisetEtunimet", {leaf("Etunimet", "Albert Kristian")}),
                          node("NykyinenKutsumanimi", {leaf("Kutsumanimi", "Albert")}),
                          node("VakinainenKotimainenLahiosoite",
                               {leaf("LahiosoiteS", "Mannerheimintie 1 A 2"), leaf("Postinumero", "00100"),
                                leaf("PostitoimipaikkaS", "HELSINKI")}),
                          node("KotimainenPostiosoite", {leaf("PostiosoiteS", "PL 10")}),
                          node("Kotikunta", {leaf("Kuntanumero", "091"), leaf("KuntaS", "Helsinki"),
                                             leaf("KuntaR", "Helsingfors")}),
                          node("Aidinkieli", {leaf("Kielikoodi", "fi")}),
                          node("Kansalaisuus", {leaf("Kansalaisuuskoodi3", "246")}),
                          node("Kansalaisuus", {leaf("Kansalaisuuskoodi3", "752")}),
                          node("Kuolintiedot", {leaf("Kuollut", ""), leaf("Kuolinpvm", "")}),
                          node("Turvakielto", {leaf("TurvakieltoTieto", std::move(prohibition))})});
}

std::map<std::string, std::string> by_header(const std::vector<FieldValue>& v) {
  std::map<std::string, std::string> out;
  for (const FieldValue& f : v) {
    out[f.header] = f.value;
  }
  return out;
}

RenderInput input(const reg::Person& p) {
  return RenderInput{&p, "", "", "ok"};
}

TEST(Render, DefaultSetHasEveryField) {
  reg::Person p(henkilo());
  auto got = by_header(select(input(p), config::Settings{}));
  std::map<std::string, std::string> want = {
      {"VTJ-Hetu", "020501A999T"},       {"VTJ-Satu", "10000350X"},
      {"VTJ-Surname", "Jäppinen"},       {"VTJ-Given-Names", "Albert Kristian"},
      {"VTJ-Calling-Name", "Albert"},    {"VTJ-Street-Address", "Mannerheimintie 1 A 2"},
      {"VTJ-Postal-Code", "00100"},      {"VTJ-Post-Office", "HELSINKI"},
      {"VTJ-Municipality-Code", "091"},  {"VTJ-Municipality", "Helsinki"},
      {"VTJ-Mother-Tongue", "fi"},       {"VTJ-Nationality", "246,752"},
      {"VTJ-Birth-Date", "2001-05-02"},  {"VTJ-Deceased", "0"},
      {"VTJ-Security-Prohibition", "0"}, {"VTJ-Status", "ok"},
  };
  EXPECT_EQ(got, want);
}

TEST(Render, PrefixAppliesToDefaultNames) {
  reg::Person p(henkilo());
  config::Settings s;
  s.header_prefix = "X-Citizen-";
  auto got = by_header(select(input(p), s));
  EXPECT_EQ(got.at("X-Citizen-Surname"), "Jäppinen");
  EXPECT_EQ(got.count("VTJ-Surname"), 0u);
}

TEST(Render, SatuPrefersCertificateThenQueriedThenRegister) {
  reg::Person p(henkilo());
  RenderInput in = input(p);
  EXPECT_EQ(by_header(select(in, {})).at("VTJ-Satu"), "10000350X");
  in.queried_satu = "12345678N";
  EXPECT_EQ(by_header(select(in, {})).at("VTJ-Satu"), "12345678N");
  in.certificate_satu = "150134251";
  EXPECT_EQ(by_header(select(in, {})).at("VTJ-Satu"), "150134251");
}

TEST(Render, DeceasedAndEmptyValues) {
  Element e = node("Henkilo", {node("Kuolintiedot", {leaf("Kuollut", "1")}), leaf("Henkilotunnus", "")});
  reg::Person p(std::move(e));
  auto got = by_header(select(input(p), {}));
  EXPECT_EQ(got.at("VTJ-Deceased"), "1");
  EXPECT_EQ(got.count("VTJ-Hetu"), 0u);  // empty values yield no entry
  EXPECT_EQ(got.count("VTJ-Birth-Date"), 0u);
  EXPECT_EQ(got.at("VTJ-Status"), "ok");
}

config::Settings custom(std::vector<config::HeaderSpec> h) {
  config::Settings s;
  s.headers = std::move(h);
  return s;
}

TEST(Render, CustomListReplacesDefaultsAndKeepsStatusAndProhibition) {
  reg::Person p(henkilo());
  config::Settings s = custom({{"surname", "X-Last"}, {"Kotikunta/KuntaR", "X-Kommun"}});
  std::vector<FieldValue> got = select(input(p), s);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].header, "X-Last");
  EXPECT_EQ(got[0].value, "Jäppinen");
  EXPECT_EQ(got[1].header, "X-Kommun");
  EXPECT_EQ(got[1].value, "Helsingfors");
  EXPECT_EQ(got[2].header, "VTJ-Security-Prohibition");
  EXPECT_EQ(got[3].header, "VTJ-Status");
}

TEST(Render, CustomStatusHeaderIsNotDuplicated) {
  reg::Person p(henkilo());
  auto got = by_header(select(input(p), custom({{"status", "X-State"}})));
  EXPECT_EQ(got.at("X-State"), "ok");
  EXPECT_EQ(got.count("VTJ-Status"), 0u);
  EXPECT_EQ(got.at("VTJ-Security-Prohibition"), "0");
}

TEST(Render, PathJoinsEveryMatch) {
  reg::Person p(henkilo());
  auto got = by_header(select(input(p), custom({{"Kansalaisuus/Kansalaisuuskoodi3", "X-Nat"}})));
  EXPECT_EQ(got.at("X-Nat"), "246,752");
}

TEST(Render, ProhibitionWithholdsAddressFieldsAndPaths) {
  reg::Person p(henkilo("1"));
  auto got = by_header(select(input(p), {}));
  for (const char* h : {"VTJ-Street-Address", "VTJ-Postal-Code", "VTJ-Post-Office", "VTJ-Municipality-Code",
                        "VTJ-Municipality"}) {
    EXPECT_EQ(got.count(h), 0u) << h;
  }
  EXPECT_EQ(got.at("VTJ-Security-Prohibition"), "1");
  EXPECT_EQ(got.at("VTJ-Surname"), "Jäppinen");

  config::Settings s = custom({{"Kotikunta/KuntaR", "X-A"},
                               {"KotimainenPostiosoite/PostiosoiteS", "X-B"},
                               {"VakinainenKotimainenLahiosoite/Postinumero", "X-C"},
                               {"VakinainenAsuinpaikka/Asuinpaikantunnus", "X-D"},
                               {"municipality", "X-E"},
                               {"Aidinkieli/Kielikoodi", "X-F"}});
  got = by_header(select(input(p), s));
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(got.at("X-F"), "fi");
  EXPECT_EQ(got.at("VTJ-Security-Prohibition"), "1");
  EXPECT_EQ(got.at("VTJ-Status"), "ok");
}

TEST(Render, ProhibitionFailSafeForUnknownValue) {
  reg::Person p(henkilo("X"));
  auto got = by_header(select(input(p), {}));
  EXPECT_EQ(got.at("VTJ-Security-Prohibition"), "1");
  EXPECT_EQ(got.count("VTJ-Municipality"), 0u);
  reg::Person zero(henkilo("0"));
  EXPECT_EQ(by_header(select(input(zero), {})).at("VTJ-Security-Prohibition"), "0");
}

TEST(Render, ProhibitionPassSendsAddresses) {
  reg::Person p(henkilo("1"));
  config::Settings s;
  s.prohibition = config::ProhibitionPolicy::Pass;
  auto got = by_header(select(input(p), s));
  EXPECT_EQ(got.at("VTJ-Municipality"), "Helsinki");
  EXPECT_EQ(got.at("VTJ-Street-Address"), "Mannerheimintie 1 A 2");
  EXPECT_EQ(got.at("VTJ-Security-Prohibition"), "1");
}

TEST(Render, NoPersonYieldsOnlyStatus) {
  RenderInput in{nullptr, "150134251", "", "unavailable"};
  std::vector<FieldValue> got = select(in, {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header, "VTJ-Status");
  EXPECT_EQ(got[0].value, "unavailable");
}

TEST(Render, BirthDate) {
  EXPECT_EQ(birth_date("020501A999T"), "2001-05-02");
  EXPECT_EQ(birth_date("210281-9988"), "1981-02-21");
  EXPECT_EQ(birth_date("020190-9521"), "1990-01-02");
  EXPECT_EQ(birth_date("311211A9527"), "2011-12-31");
  EXPECT_EQ(birth_date("010101-123N"), "1901-01-01");
  EXPECT_EQ(birth_date("210281-998X"), "");  // wrong check character
  EXPECT_EQ(birth_date("310281-9988"), "");  // no 31 February
  EXPECT_EQ(birth_date("210281G9988"), "");  // unknown century sign
  EXPECT_EQ(birth_date("210281-99"), "");
  EXPECT_EQ(birth_date(""), "");
}

TEST(Render, BirthDateCenturySigns) {
  // Same digits, every sign: the check character does not depend on the sign.
  std::string check = "D";
  EXPECT_EQ(birth_date("010100+123" + check), "1800-01-01");
  for (char c : std::string("-YXWVU")) {
    EXPECT_EQ(birth_date(std::string("010100") + c + "123" + check), "1900-01-01") << c;
  }
  for (char c : std::string("ABCDEF")) {
    EXPECT_EQ(birth_date(std::string("010100") + c + "123" + check), "2000-01-01") << c;
  }
  EXPECT_EQ(birth_date("290200-1239"), "");  // 1900 was not a leap year
  EXPECT_EQ(birth_date("290200A1239"), "2000-02-29");
}

TEST(Encode, JappinenInEveryEncoding) {
  EXPECT_EQ(encode("Jäppinen", config::Encoding::Percent), "J%C3%A4ppinen");
  EXPECT_EQ(encode("Jäppinen", config::Encoding::Utf8), "J\xC3\xA4ppinen");
  EXPECT_EQ(encode("Jäppinen", config::Encoding::Base64), "SsOkcHBpbmVu");
  EXPECT_EQ(encode("Jäppinen", config::Encoding::Latin1), "J\xE4ppinen");
}

TEST(Encode, Percent) {
  EXPECT_EQ(encode("Albert Kristian", config::Encoding::Percent), "Albert%20Kristian");
  EXPECT_EQ(encode("a-b.c_d~e+f/g", config::Encoding::Percent), "a-b.c_d~e%2Bf%2Fg");
}

TEST(Encode, Base64Padding) {
  EXPECT_EQ(encode("", config::Encoding::Base64), "");
  EXPECT_EQ(encode("f", config::Encoding::Base64), "Zg==");
  EXPECT_EQ(encode("fo", config::Encoding::Base64), "Zm8=");
  EXPECT_EQ(encode("foo", config::Encoding::Base64), "Zm9v");
  EXPECT_EQ(encode("foobar", config::Encoding::Base64), "Zm9vYmFy");
  EXPECT_EQ(encode("Åke Öberg-Ääriä", config::Encoding::Base64), "w4VrZSDDlmJlcmctw4TDpHJpw6Q=");
}

TEST(Encode, Latin1OutsideRangeBecomesQuestionMark) {
  EXPECT_EQ(encode("Dvořák", config::Encoding::Latin1), "Dvo?\xE1k");
  EXPECT_EQ(encode("Łódź", config::Encoding::Latin1),
            "?\xF3"
            "d?");
  EXPECT_EQ(encode("ř", config::Encoding::Utf8), "ř");
  EXPECT_EQ(encode("ł", config::Encoding::Percent), "%C5%82");
}

TEST(Encode, Utf8InvalidSequencesReplaced) {
  EXPECT_EQ(encode("a\xFF"
                   "b",
                   config::Encoding::Utf8),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(encode("\xC3", config::Encoding::Utf8), "\xEF\xBF\xBD");                          // truncated
  EXPECT_EQ(encode("\xC0\xAF", config::Encoding::Utf8), "\xEF\xBF\xBD\xEF\xBF\xBD");          // overlong
  EXPECT_EQ(encode("\xED\xA0\x80", config::Encoding::Utf8).find("\xED"), std::string::npos);  // surrogate
  EXPECT_EQ(encode("\xE2\x82"
                   "A",
                   config::Encoding::Utf8),
            "\xEF\xBF\xBD"
            "A");                                                       // one per maximal subpart
  EXPECT_EQ(encode("\xC2\x85x\xC2\x9F", config::Encoding::Utf8), "x");  // C1 controls removed
  EXPECT_EQ(encode("a\xFF"
                   "b",
                   config::Encoding::Latin1),
            "a?b");
}

TEST(Encode, HostileValuesNeverCarryCrLfNul) {
  const std::string hostile[] = {
      std::string("x\r\nSet-Cookie: a=b", 18),     std::string("a\0b", 3), std::string("\n\r\0\x7f\x1b", 5),
      std::string("J\xC3\xA4\r\n\xC2\x85ppinen"),
      std::string("\xC0\x8A\xC0\x8D\xE0\x80\x8A"),  // overlong CR/LF
  };
  for (const std::string& v : hostile) {
    for (auto e : {config::Encoding::Percent, config::Encoding::Utf8, config::Encoding::Base64,
                   config::Encoding::Latin1}) {
      std::string out = encode(v, e);
      EXPECT_EQ(out.find('\r'), std::string::npos) << static_cast<int>(e);
      EXPECT_EQ(out.find('\n'), std::string::npos) << static_cast<int>(e);
      EXPECT_EQ(out.find('\0'), std::string::npos) << static_cast<int>(e);
      if (e == config::Encoding::Utf8 || e == config::Encoding::Latin1) {
        EXPECT_EQ(out.find('\x7f'), std::string::npos);
      }
    }
  }
  EXPECT_EQ(encode(hostile[0], config::Encoding::Utf8), "xSet-Cookie: a=b");
  EXPECT_EQ(encode(hostile[0], config::Encoding::Percent), "x%0D%0ASet-Cookie%3A%20a%3Db");
  EXPECT_EQ(encode(hostile[1], config::Encoding::Latin1), "ab");
}

TEST(Encode, HeadersSkipValuesThatEncodeToNothing) {
  std::vector<FieldValue> v = {{"surname", "VTJ-Surname", "Jäppinen"}, {"x", "X-Ctl", "\r\n"}};
  auto h = headers(v, config::Encoding::Utf8);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].first, "VTJ-Surname");
  EXPECT_EQ(h[0].second, "J\xC3\xA4ppinen");
  EXPECT_EQ(headers(v, config::Encoding::Percent).size(), 2u);
}

TEST(Names, EnvAndVariableNames) {
  EXPECT_EQ(env_name("VTJ-Given-Names"), "VTJ_GIVEN_NAMES");
  EXPECT_EQ(env_name("X-Kommun"), "X_KOMMUN");
  EXPECT_EQ(variable_name("given-names"), "vtj_given_names");
  EXPECT_EQ(variable_name("status"), "vtj_status");
  EXPECT_EQ(variable_name("Kotikunta/KuntaR"), "vtj_kotikunta_kuntar");
}

TEST(Names, OwnedHeaderNames) {
  config::Settings s;
  auto owned = owned_header_names(s);
  EXPECT_EQ(owned.size(), fields().size());
  EXPECT_EQ(owned.front(), "VTJ-Hetu");
  s.headers = {{"surname", "X-Last"}};
  owned = owned_header_names(s);
  EXPECT_EQ(owned, (std::vector<std::string>{"X-Last", "VTJ-Security-Prohibition", "VTJ-Status"}));
}

TEST(Names, Collides) {
  config::Settings s;
  EXPECT_TRUE(collides("VTJ-Hetu", s));
  EXPECT_TRUE(collides("vtj-hetu", s));
  EXPECT_TRUE(collides("VTJ_Hetu", s));
  EXPECT_TRUE(collides("vtj_hetu", s));
  EXPECT_TRUE(collides("VTJ-Anything", s));
  EXPECT_FALSE(collides("Accept", s));
  EXPECT_FALSE(collides("VTJX", s));
  s.headers = {{"surname", "X-Last"}};
  EXPECT_TRUE(collides("x-last", s));
  EXPECT_TRUE(collides("X_LAST", s));
  EXPECT_TRUE(collides("VTJ-Hetu", s));  // still under the prefix
  EXPECT_FALSE(collides("X-Lasting", s));
}

TEST(Names, ScrubberBuiltOnceAnswersLikeCollides) {
  config::Settings s;
  s.header_prefix = "X-Citizen-";
  s.headers = {{"surname", "X-Last"}, {"Kotikunta/KuntaS", "X-Town"}};
  HeaderScrubber scrubber(s);
  for (const char* name : {"X-Citizen-Status", "x_citizen_anything", "X-LAST", "x_town", "X-Lasting",
                           "Cookie", "X-Citizen", "VTJ-Hetu"}) {
    EXPECT_EQ(scrubber.collides(name), collides(name, s)) << name;
  }
  EXPECT_TRUE(scrubber.collides("x_town"));
  EXPECT_FALSE(scrubber.collides("Cookie"));
}

// Every context of a virtual host in one scrubber: a name collides when it does for any of them.
TEST(Names, ScrubberOfSeveralConfigurationsAnswersForEach) {
  config::Settings a;
  config::Settings b;
  b.header_prefix = "X-Citizen-";
  b.headers = {{"surname", "X-Last"}};
  HeaderScrubber both(a);
  both.add(b);
  both.add(a);  // adding one twice changes nothing
  for (const char* name : {"VTJ-Hetu", "vtj_status", "X-Citizen-Status", "x_last", "X-Lasting", "Cookie",
                           "X-Citizen"}) {
    EXPECT_EQ(both.collides(name), collides(name, a) || collides(name, b)) << name;
  }
  EXPECT_FALSE(HeaderScrubber().collides("VTJ-Hetu"));
}

TEST(Fields, TableAndPaths) {
  EXPECT_EQ(fields().size(), 16u);
  EXPECT_NE(find_field("given-names"), nullptr);
  EXPECT_EQ(find_field("Given-Names"), find_field("given-names"));
  EXPECT_EQ(find_field("Kotikunta/KuntaR"), nullptr);
  EXPECT_TRUE(is_valid_path("Kotikunta/KuntaR"));
  EXPECT_TRUE(is_valid_path("Sahkopostiosoite"));
  EXPECT_FALSE(is_valid_path("Kotikunta//KuntaR"));
  EXPECT_FALSE(is_valid_path("/Kotikunta"));
  EXPECT_FALSE(is_valid_path("1abc"));
  EXPECT_FALSE(is_valid_path("a-b"));
  EXPECT_TRUE(is_address_path("TilapainenKotimainenLahiosoite/LahiosoiteS"));
  EXPECT_TRUE(is_address_path("UlkomainenPostiosoite/UlkomainenPostiosoite"));
  EXPECT_TRUE(is_address_path("kotikunta/KuntaS"));
  EXPECT_FALSE(is_address_path("Aidinkieli/Kielikoodi"));
}

}  // namespace
}  // namespace vtj::render
