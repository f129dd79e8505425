#include <gtest/gtest.h>

#include "vtj/identity.hpp"

namespace vtj::identity {
namespace {

TEST(Hetu, AcceptsKnownValidCodes) {
  for (const char* s : {"020501A999T", "210281-9988", "020190-9521", "311211A9527", "010106A9322",
                        "010673-998H", "160864-999H", "010101-123N", "081181-9984", "310118-998M"}) {
    auto h = Hetu::parse(s);
    ASSERT_TRUE(h.ok()) << s;
    EXPECT_EQ(h->str(), s);
  }
}

TEST(Hetu, RejectsWrongCheckCharacter) {
  auto h = Hetu::parse("010170-999X");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error(), IdError::CheckCharacter);
  EXPECT_EQ(Hetu::parse("210281-9989").error(), IdError::CheckCharacter);
}

TEST(Hetu, RejectsImpossibleDates) {
  EXPECT_EQ(Hetu::parse("310290-123A").error(), IdError::Date);
  EXPECT_EQ(Hetu::parse("001090-123A").error(), IdError::Date);
  EXPECT_EQ(Hetu::parse("011390-123A").error(), IdError::Date);
  EXPECT_EQ(Hetu::parse("310490-123A").error(), IdError::Date);
  EXPECT_EQ(Hetu::parse("010090-123A").error(), IdError::Date);
}

TEST(Hetu, LeapDayFollowsTheCentury) {
  // 29 Feb exists in 2000 and 1904, not in 1900 or 2001.
  auto h2000 = Hetu::parse("290200A002C");
  EXPECT_TRUE(h2000.ok());
  EXPECT_EQ(h2000->birth_date().iso(), "2000-02-29");
  EXPECT_TRUE(Hetu::parse("290204-002D").ok());
  EXPECT_EQ(Hetu::parse("290200-002C").error(), IdError::Date);
  EXPECT_EQ(Hetu::parse("290201A002M").error(), IdError::Date);
}

TEST(Hetu, EveryCenturySign) {
  // Same date and individual number under each sign: the check character does not depend on the sign.
  struct Case {
    char sign;
    int year;
  };
  const Case cases[] = {{'+', 1890}, {'-', 1990}, {'Y', 1990}, {'X', 1990}, {'W', 1990},
                        {'V', 1990}, {'U', 1990}, {'A', 2090}, {'B', 2090}, {'C', 2090},
                        {'D', 2090}, {'E', 2090}, {'F', 2090}};
  for (const Case& c : cases) {
    // 010190952 mod 31 = 12 -> 'C'.
    std::string s = std::string("010190") + c.sign + "952C";
    auto h = Hetu::parse(s);
    ASSERT_TRUE(h.ok()) << s << " " << to_string(h.error());
    EXPECT_EQ(h->birth_date(), (Date{c.year, 1, 1})) << s;
  }
}

TEST(Hetu, BirthDates) {
  EXPECT_EQ(Hetu::parse("020501A999T")->birth_date().iso(), "2001-05-02");
  EXPECT_EQ(Hetu::parse("210281-9988")->birth_date().iso(), "1981-02-21");
  EXPECT_EQ(Hetu::parse("311211A9527")->birth_date().iso(), "2011-12-31");
}

TEST(Hetu, TemporaryNumbers) {
  EXPECT_TRUE(Hetu::parse("210281-9988")->temporary());
  EXPECT_FALSE(Hetu::parse("010101-123N")->temporary());
}

TEST(Hetu, IndividualNumbers000And001AreOutOfRange) {
  // 010190000 mod 31 and 010190001 mod 31, computed so only the range can fail.
  for (int individual : {0, 1}) {
    long n = 10190000L + individual;
    char check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[n % 31];
    std::string s = "010190-00" + std::to_string(individual) + check;
    EXPECT_EQ(Hetu::parse(s).error(), IdError::Range) << s;
  }
  EXPECT_TRUE(
      Hetu::parse("010190-002" + std::string(1, "0123456789ABCDEFHJKLMNPRSTUVWXY"[10190002L % 31])).ok());
}

TEST(Hetu, RejectsMalformedInput) {
  for (const char* s :
       {"", "020501a999T", "020501A999t", "210281-998", "210281-99888", "210281*9988", "2102819-988",
        "21O281-9988", "210281-9G88", "210281 9988", "020501Z999T", "210281-998G", "210281-998Z"}) {
    auto h = Hetu::parse(s);
    ASSERT_FALSE(h.ok()) << s;
    EXPECT_EQ(h.error(), IdError::Format) << s;
  }
}

TEST(Hetu, MaskKeepsOnlyTheBirthDateAndSign) {
  EXPECT_EQ(Hetu::parse("210281-9988")->masked(), "210281-****");
  EXPECT_EQ(Hetu::parse("020501A999T")->masked(), "020501A****");
}

TEST(Hetu, ErrorNames) {
  EXPECT_STREQ(to_string(IdError::CheckCharacter), "wrong check character");
  EXPECT_STRNE(to_string(IdError::Format), to_string(IdError::Date));
}

}  // namespace
}  // namespace vtj::identity
