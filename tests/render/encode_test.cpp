// Encodings and names that must not depend on the process locale.

#include <gtest/gtest.h>

#include "config/latin1_locale.hpp"
#include "vtj/render.hpp"

namespace vtj::render {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

std::string escaped(int b) {
  return std::string("%") + kHex[b >> 4] + kHex[b & 0xF];
}

void expect_every_high_byte_escaped() {
  for (int b = 0x80; b <= 0xFF; ++b) {
    std::string one(1, static_cast<char>(b));
    EXPECT_EQ(encode(one, config::Encoding::Percent), escaped(b)) << b;
    EXPECT_EQ(encode("a" + one + "b", config::Encoding::Percent), "a" + escaped(b) + "b") << b;
    EXPECT_EQ(env_name("X-" + one), "X__") << b;
    EXPECT_EQ(variable_name("x" + one), "vtj_x_") << b;
  }
  EXPECT_EQ(encode("Jäppinen Ärjä", config::Encoding::Percent), "J%C3%A4ppinen%20%C3%84rj%C3%A4");
}

TEST(Encode, PercentEscapesEveryHighByte) {
  expect_every_high_byte_escaped();
}

TEST(Encode, PercentEscapesEveryHighByteUnderLatin1Locale) {
  config::test_support::Latin1Locale latin1;
  // scripts/test.sh makes fi_FI.ISO-8859-1 with localedef; without it this test cannot prove anything.
  ASSERT_TRUE(latin1.active()) << "no Latin-1 locale: run `localedef -i fi_FI -f ISO-8859-1 fi_FI.ISO-8859-1`";
  expect_every_high_byte_escaped();
}

TEST(Encode, PercentKeepsExactlyTheUnreserved) {
  for (int b = 0; b <= 0x7F; ++b) {
    char c = static_cast<char>(b);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    EXPECT_EQ(encode(std::string(1, c), config::Encoding::Percent),
              unreserved ? std::string(1, c) : escaped(b))
        << b;
  }
}

TEST(Names, CollidesFoldsOnlyAscii) {
  config::Settings s;
  s.headers = {{"surname", "X-Last"}};
  EXPECT_TRUE(collides("x_LAST", s));
  EXPECT_FALSE(collides("X-L\xC4ST", s));
}

}  // namespace
}  // namespace vtj::render
