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

// Text that may travel to the register or into configuration: no C0 control but TAB (and LF and CR where
// line breaks are allowed), no DEL, no C1 control, no noncharacter U+FFFE/U+FFFF.
constexpr bool is_text_char(char32_t cp, bool allow_line_breaks) {
  if (cp == '\t' || (allow_line_breaks && (cp == '\n' || cp == '\r'))) {
    return true;
  }
  bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
  return !control && cp != 0xFFFE && cp != 0xFFFF;
}

enum class TextFault { None, InvalidUtf8, Control, Noncharacter };

struct TextCheck {
  TextFault fault = TextFault::None;
  size_t chars = 0;  // characters read, the faulty one included
  size_t byte = 0;   // where the fault starts (0-based)
};

// Strict UTF-8 whose every character passes is_text_char; stops at the first fault.
TextCheck check_text(std::string_view s, bool allow_line_breaks);

}  // namespace vtj::text
