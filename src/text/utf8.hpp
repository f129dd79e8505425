#pragma once
// Strict UTF-8 (Unicode 3.9, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF): one
// decoder and one encoder for every concept. What to do with invalid input (replace, reject, escape) is
// the caller's policy.

#include <cstddef>
#include <string>
#include <string_view>

namespace vtj::text {

constexpr char32_t kReplacementChar = 0xFFFD;

// A Unicode scalar value: a code point that is not a surrogate.
constexpr bool is_scalar_value(char32_t cp) {
  return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

constexpr bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

struct Utf8Char {
  char32_t cp;  // the code point; kReplacementChar when !valid
  // valid: the bytes of the sequence. Invalid: the bytes of the maximal ill-formed subpart (at least 1),
  // the run one U+FFFD stands for in Unicode's recommended replacement; a caller that resynchronises
  // byte by byte steps 1 instead.
  size_t len;
  bool valid;
};

// The character at s[pos] (pos < s.size()).
Utf8Char decode_utf8(std::string_view s, size_t pos);

// Appends cp, a scalar value, as UTF-8.
void append_utf8(std::string& out, char32_t cp);

}  // namespace vtj::text
