#include "register/xml_text.hpp"

#include <cstdint>

#include "text/utf8.hpp"

namespace vtj::reg::detail {

std::string_view trim_xml_space(std::string_view s) {
  while (!s.empty() && is_xml_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_xml_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

Utf8Kind classify_utf8(std::string_view s) {
  bool multi = false;
  for (size_t i = 0; i < s.size();) {
    // Register text is nearly all ASCII: skip it without a call.
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    text::Utf8Char c = text::decode_utf8(s, i);
    if (!c.valid) {
      return Utf8Kind::Invalid;
    }
    multi = true;
    i += c.len;
  }
  return multi ? Utf8Kind::MultiByte : Utf8Kind::Ascii;
}

size_t utf8_code_points(std::string_view s) {
  size_t count = 0;
  for (char c : s) {
    if (!text::is_continuation_byte(c)) {
      ++count;
    }
  }
  return count;
}

void append_utf16_as_utf8(std::string& out, const char16_t* s, size_t n) {
  // Register text is nearly all ASCII: copy a leading ASCII run in one go.
  size_t ascii = 0;
  while (ascii < n && s[ascii] < 0x80) {
    ++ascii;
  }
  size_t at = out.size();
  out.resize(at + ascii);
  for (size_t k = 0; k < ascii; ++k) {
    out[at + k] = static_cast<char>(s[k]);
  }
  for (size_t i = ascii; i < n; ++i) {
    uint32_t u = s[i];
    if (u < 0x80) {
      out.push_back(static_cast<char>(u));
      continue;
    }
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      uint32_t low = s[++i];
      text::append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      text::append_utf8(out, text::kReplacementChar);
    } else {
      text::append_utf8(out, u);
    }
  }
}

}  // namespace vtj::reg::detail
