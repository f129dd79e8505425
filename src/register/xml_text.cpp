#include "register/xml_text.hpp"

#include <cstdint>

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
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    multi = true;
    size_t len = 0;
    uint32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      return Utf8Kind::Invalid;
    }
    if (i + len > n) {
      return Utf8Kind::Invalid;
    }
    for (size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) {
        return Utf8Kind::Invalid;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Utf8Kind::Invalid;
    }
    i += len;
  }
  return multi ? Utf8Kind::MultiByte : Utf8Kind::Ascii;
}

size_t utf8_code_points(std::string_view s) {
  size_t count = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++count;
    }
  }
  return count;
}

namespace {

void append_code_point(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

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
      append_code_point(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      append_code_point(out, 0xFFFD);
    } else {
      append_code_point(out, u);
    }
  }
}

}  // namespace vtj::reg::detail
