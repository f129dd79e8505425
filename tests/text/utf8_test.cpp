#include "text/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace vtj::text {
namespace {

// The first character of s.
Utf8Char first(std::string_view s) {
  return decode_utf8(s, 0);
}

void expect_valid(std::string_view s, char32_t cp) {
  Utf8Char c = first(s);
  EXPECT_TRUE(c.valid) << std::hex << static_cast<uint32_t>(cp);
  EXPECT_EQ(c.cp, cp);
  EXPECT_EQ(c.len, s.size());
}

// Invalid at s[0]; `len` bytes form the maximal ill-formed subpart.
void expect_invalid(std::string_view s, size_t len) {
  Utf8Char c = first(s);
  EXPECT_FALSE(c.valid) << testing::PrintToString(std::string(s));
  EXPECT_EQ(c.cp, kReplacementChar);
  EXPECT_EQ(c.len, len) << testing::PrintToString(std::string(s));
}

std::string encoded(char32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

TEST(Utf8, BoundariesOfEachLength) {
  expect_valid(std::string_view("\0", 1), 0x00);
  expect_valid("\x7F", 0x7F);
  expect_valid("\xC2\x80", 0x80);
  expect_valid("\xDF\xBF", 0x7FF);
  expect_valid("\xE0\xA0\x80", 0x800);
  expect_valid("\xED\x9F\xBF", 0xD7FF);  // just below the surrogates
  expect_valid("\xEE\x80\x80", 0xE000);  // just above them
  expect_valid("\xEF\xBF\xBF", 0xFFFF);
  expect_valid("\xF0\x90\x80\x80", 0x10000);
  expect_valid("\xF4\x8F\xBF\xBF", 0x10FFFF);
  expect_invalid("\xF4\x90\x80\x80", 1);  // U+110000
}

TEST(Utf8, DecodesAtAPosition) {
  std::string_view s = "a\xC3\xA4\xE2\x82\xAC";
  EXPECT_EQ(decode_utf8(s, 1).cp, U'ä');
  EXPECT_EQ(decode_utf8(s, 1).len, 2u);
  EXPECT_EQ(decode_utf8(s, 3).cp, U'€');
  EXPECT_EQ(decode_utf8(s, 3).len, 3u);
  expect_invalid(s.substr(2), 1);  // inside a character
}

TEST(Utf8, RejectsOverlongs) {
  expect_invalid("\xC0\x80", 1);
  expect_invalid("\xC1\xBF", 1);
  expect_invalid("\xE0\x80\x80", 1);
  expect_invalid("\xE0\x9F\xBF", 1);  // overlong U+07FF
  expect_invalid("\xF0\x80\x80\x80", 1);
  expect_invalid("\xF0\x8F\xBF\xBF", 1);  // overlong U+FFFF
}

TEST(Utf8, RejectsSurrogates) {
  expect_invalid("\xED\xA0\x80", 1);              // U+D800
  expect_invalid("\xED\xBF\xBF", 1);              // U+DFFF
  expect_invalid("\xED\xA0\x80\xED\xB0\x80", 1);  // a CESU-8 pair
}

TEST(Utf8, RejectsTruncatedSequences) {
  expect_invalid("\xC3", 1);
  expect_invalid("\xE2", 1);
  expect_invalid("\xE2\x82", 2);
  expect_invalid("\xF0\x9F", 2);
  expect_invalid("\xF0\x9F\x98", 3);
  // Cut short by a byte that is no continuation: the subpart stops before it.
  expect_invalid("\xE2\x82(", 2);
  expect_invalid("\xF0\x9F\x98\xC3\xA4", 3);
  expect_invalid("\xC3(", 1);
}

TEST(Utf8, RejectsStrayContinuationBytes) {
  for (int b = 0x80; b <= 0xBF; ++b) {
    expect_invalid(std::string(1, static_cast<char>(b)) + "\x80\x80\x80", 1);
  }
}

TEST(Utf8, RejectsLeadBytesF5ToFF) {
  for (int b = 0xF5; b <= 0xFF; ++b) {
    expect_invalid(std::string(1, static_cast<char>(b)) + "\x80\x80\x80", 1);
  }
}

TEST(Utf8, EveryLeadByteIsClassified) {
  for (int b = 0; b <= 0xFF; ++b) {
    // A lead byte followed by the smallest continuation bytes its row accepts.
    std::string s(1, static_cast<char>(b));
    s += b == 0xE0 ? "\xA0\x80\x80" : b == 0xF0 ? "\x90\x80\x80" : "\x80\x80\x80";
    bool lead = b < 0x80 || (b >= 0xC2 && b <= 0xF4);
    EXPECT_EQ(first(s).valid, lead) << b;
  }
}

TEST(Utf8, EncodesAtEachBoundary) {
  EXPECT_EQ(encoded(0x7F), "\x7F");
  EXPECT_EQ(encoded(0x80), "\xC2\x80");
  EXPECT_EQ(encoded(0x7FF), "\xDF\xBF");
  EXPECT_EQ(encoded(0x800), "\xE0\xA0\x80");
  EXPECT_EQ(encoded(0xFFFD), "\xEF\xBF\xBD");
  EXPECT_EQ(encoded(0xFFFF), "\xEF\xBF\xBF");
  EXPECT_EQ(encoded(0x10000), "\xF0\x90\x80\x80");
  EXPECT_EQ(encoded(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(Utf8, EveryScalarValueRoundTrips) {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!is_scalar_value(cp)) {
      continue;
    }
    std::string s = encoded(cp);
    Utf8Char c = first(s);
    ASSERT_TRUE(c.valid && c.cp == cp && c.len == s.size()) << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(Utf8, ScalarValues) {
  EXPECT_TRUE(is_scalar_value(0xD7FF));
  EXPECT_FALSE(is_scalar_value(0xD800));
  EXPECT_FALSE(is_scalar_value(0xDFFF));
  EXPECT_TRUE(is_scalar_value(0xE000));
  EXPECT_TRUE(is_scalar_value(0x10FFFF));
  EXPECT_FALSE(is_scalar_value(0x110000));
}

}  // namespace
}  // namespace vtj::text

namespace vtj::text {
namespace {

TEST(CheckText, OneRuleWithOrWithoutLineBreaks) {
  EXPECT_EQ(check_text("Jäppinen\tA", false).fault, TextFault::None);
  EXPECT_EQ(check_text("Jäppinen\tA", false).chars, 10u);
  EXPECT_EQ(check_text("a\r\nb", true).fault, TextFault::None);
  TextCheck lf = check_text("ab\ncd", false);
  EXPECT_EQ(lf.fault, TextFault::Control);
  EXPECT_EQ(lf.chars, 3u);
  EXPECT_EQ(lf.byte, 2u);
  EXPECT_EQ(check_text("a\x7f", true).fault, TextFault::Control);
  EXPECT_EQ(check_text("a\xc2\x85", true).fault, TextFault::Control);  // C1 NEL
  EXPECT_EQ(check_text("a\xef\xbf\xbe", true).fault, TextFault::Noncharacter);
  TextCheck bad = check_text("ab\xc3", true);
  EXPECT_EQ(bad.fault, TextFault::InvalidUtf8);
  EXPECT_EQ(bad.byte, 2u);
  EXPECT_EQ(check_text(std::string("a\0b", 3), true).fault, TextFault::Control);
}

}  // namespace
}  // namespace vtj::text
