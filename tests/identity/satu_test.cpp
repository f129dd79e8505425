#include <gtest/gtest.h>

#include "vtj/identity.hpp"

namespace vtj::identity {
namespace {

TEST(Satu, AcceptsValidIdentifiers) {
  for (const char* s : {"150134251", "10000350X", "12345678N", "10000001N"}) {
    auto satu = Satu::parse(s);
    ASSERT_TRUE(satu.ok()) << s;
    EXPECT_EQ(satu->str(), s);
    EXPECT_FALSE(satu->test_range());
  }
}

TEST(Satu, TestRangeOnlyWhenAsked) {
  // 99755053X (from the register samples) has a correct check character but lies above 89999999.
  EXPECT_EQ(Satu::parse("99755053X").error(), IdError::Range);
  auto test = Satu::parse("99755053X", SatuRange::IncludingTest);
  ASSERT_TRUE(test.ok());
  EXPECT_TRUE(test->test_range());
}

TEST(Satu, RejectsWrongCheckCharacter) {
  EXPECT_EQ(Satu::parse("150134252").error(), IdError::CheckCharacter);
  EXPECT_EQ(Satu::parse("12345678M").error(), IdError::CheckCharacter);
}

TEST(Satu, RejectsOutOfRange) {
  // Check characters correct: 10000000 -> M, 90000000 -> T, 00000031 -> 0.
  EXPECT_EQ(Satu::parse("10000000M").error(), IdError::Range);
  EXPECT_EQ(Satu::parse("90000000T").error(), IdError::Range);
  EXPECT_EQ(Satu::parse("000000310").error(), IdError::Range);
}

TEST(Satu, RejectsMalformedInput) {
  for (const char* s :
       {"", "10000350x", "1000035X", "10000350XX", "1000O350X", " 10000350X", "10000350G", "10000350-"}) {
    auto satu = Satu::parse(s);
    ASSERT_FALSE(satu.ok()) << s;
    EXPECT_EQ(satu.error(), IdError::Format) << s;
  }
}

TEST(Satu, Mask) {
  EXPECT_EQ(Satu::parse("12345678N")->masked(), "1234*****");
}

TEST(MaskIdentifier, MasksHetuShapedStrings) {
  EXPECT_EQ(mask_identifier("010190-123A"), "010190-****");
  EXPECT_EQ(mask_identifier("010170-999X"), "010170-****");  // invalid, still masked
  EXPECT_EQ(mask_identifier("020501a999t"), "020501a****");
  EXPECT_EQ(mask_identifier("  210281-9988\n"), "210281-****");
}

TEST(MaskIdentifier, MasksSatuShapedStrings) {
  EXPECT_EQ(mask_identifier("12345678N"), "1234*****");
  EXPECT_EQ(mask_identifier("99755053X"), "9975*****");
}

TEST(MaskIdentifier, MasksEverythingElseButTwoCharacters) {
  EXPECT_EQ(mask_identifier("Virtanen"), "Vi****");
  EXPECT_EQ(mask_identifier("äöå-secret"), "äö****");
  EXPECT_EQ(mask_identifier("ab"), "****");
  EXPECT_EQ(mask_identifier(""), "****");
  EXPECT_EQ(mask_identifier("0101901234A"), "01****");  // hetu length, no century sign
}

}  // namespace
}  // namespace vtj::identity

namespace vtj::identity {
namespace {

TEST(SanitizeForLog, MasksIdentityCodesAnywhere) {
  EXPECT_EQ(sanitize_for_log("bad person 010170-960F here"), "bad person 010170-**** here");
  EXPECT_EQ(sanitize_for_log("010170-960F"), "010170-****");
  EXPECT_EQ(sanitize_for_log("x020501A999Ty"), "x020501A****y");  // embedded, any century sign
  EXPECT_EQ(sanitize_for_log("020501a999t"), "020501a****");      // lower case too
  EXPECT_EQ(sanitize_for_log("010170-960F010170-960F"), "010170-****010170-****");
  EXPECT_EQ(sanitize_for_log("311299+123X,311211F9527"), "311299+****,311211F****");
  EXPECT_EQ(sanitize_for_log("satu 12345678N."), "satu 1234*****.");
  // Long numbers and hex ids are not SATUs.
  EXPECT_EQ(sanitize_for_log("id 41fc10922728511e"), "id 41fc10922728511e");
  EXPECT_EQ(sanitize_for_log("1234567890123"), "1234567890123");
}

TEST(SanitizeForLog, OneLineAndBounded) {
  EXPECT_EQ(sanitize_for_log("a\nb\rc\td\x7f" "e"), "a?b?c?d?e");
  EXPECT_EQ(sanitize_for_log("a\xc2\x85z"), "a?z");       // C1 NEL
  EXPECT_EQ(sanitize_for_log("Jäppinen"), "Jäppinen");  // letters stay
  std::string long_text(1000, 'x');
  EXPECT_EQ(sanitize_for_log(long_text, 10), "xxxxxxxxxx...");
  EXPECT_EQ(sanitize_for_log("ääääää", 3), "ä...");  // never cut inside a character
}

}  // namespace
}  // namespace vtj::identity
