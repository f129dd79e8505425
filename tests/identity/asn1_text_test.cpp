#include <gtest/gtest.h>

#include "identity/asn1_text.hpp"

namespace vtj::identity {
namespace {

std::string convert(int type, const std::string& bytes) {
  ASN1_STRING* s = ASN1_STRING_type_new(type);
  ASN1_STRING_set(s, bytes.data(), static_cast<int>(bytes.size()));
  std::string out = asn1_string_to_utf8(s);
  ASN1_STRING_free(s);
  return out;
}

TEST(Asn1Text, Latin1Types) {
  EXPECT_EQ(convert(V_ASN1_T61STRING, "P\xE4ivi \xD6hman"), "Päivi Öhman");
  EXPECT_EQ(convert(V_ASN1_PRINTABLESTRING, "FI"), "FI");
  EXPECT_EQ(convert(V_ASN1_IA5STRING, "a\xFF"), "aÿ");
}

TEST(Asn1Text, Utf8KeptInvalidSequencesReplaced) {
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, "J\xC3\xA4rvinen \xF0\x9F\x98\x80"), "Järvinen 😀");
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, "A\xC3(B"), "A\xEF\xBF\xBD(B");
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, "\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, "\xED\xA0\x80"), "\xEF\xBF\xBD");          // surrogate
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, "\xF4\x90\x80\x80"), "\xEF\xBF\xBD");      // above U+10FFFF
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, "\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated
}

TEST(Asn1Text, BmpAndUniversalStrings) {
  EXPECT_EQ(convert(V_ASN1_BMPSTRING, std::string("\x00\xC5\x01\x59", 4)), "Åř");
  EXPECT_EQ(convert(V_ASN1_BMPSTRING, std::string("\xD8\x3D\xDE\x00", 4)), "😀");  // surrogate pair
  EXPECT_EQ(convert(V_ASN1_BMPSTRING, std::string("\x00", 1)), "\xEF\xBF\xBD");
  EXPECT_EQ(convert(V_ASN1_UNIVERSALSTRING, std::string("\x00\x00\x01\x42", 4)), "ł");
}

TEST(Asn1Text, ControlsReplaced) {
  EXPECT_EQ(convert(V_ASN1_UTF8STRING, std::string("a\0b\nc", 5)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c");
}

}  // namespace
}  // namespace vtj::identity
