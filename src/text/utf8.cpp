#include "text/utf8.hpp"

namespace vtj::text {

Utf8Char decode_utf8(std::string_view s, size_t pos) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = b(pos);
  if (lead < 0x80) {
    return {lead, 1, true};
  }
  size_t len = 0;
  // The range of the second byte: the lead alone cannot rule out overlongs, surrogates or > U+10FFFF.
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  char32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    cp = lead & 0x0F;
    lo = lead == 0xE0 ? 0xA0 : 0x80;  // no overlongs
    hi = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    cp = lead & 0x07;
    lo = lead == 0xF0 ? 0x90 : 0x80;  // no overlongs
    hi = lead == 0xF4 ? 0x8F : 0xBF;  // at most U+10FFFF
  } else {
    return {kReplacementChar, 1, false};
  }
  for (size_t k = 1; k < len; ++k) {
    if (pos + k >= s.size()) {
      return {kReplacementChar, k, false};
    }
    unsigned char c = b(pos + k);
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) {
      return {kReplacementChar, k, false};
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, len, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

TextCheck check_text(std::string_view s, bool allow_line_breaks) {
  TextCheck r;
  for (size_t i = 0; i < s.size();) {
    Utf8Char d = decode_utf8(s, i);
    if (!d.valid) {
      r.fault = TextFault::InvalidUtf8;
      r.byte = i;
      return r;
    }
    ++r.chars;
    if (!is_text_char(d.cp, allow_line_breaks)) {
      r.fault = d.cp == 0xFFFE || d.cp == 0xFFFF ? TextFault::Noncharacter : TextFault::Control;
      r.byte = i;
      return r;
    }
    i += d.len;
  }
  return r;
}

}  // namespace vtj::text
