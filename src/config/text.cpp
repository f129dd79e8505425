#include "config/text.hpp"

#include <string>

#include "text/utf8.hpp"

namespace vtj::config {

namespace {

// Configuration text is one line: TAB is its only control character.
bool is_text(char32_t cp) {
  return text::is_text_char(cp, /*allow_line_breaks=*/false);
}

}  // namespace

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) {
      return out;
    }
    start = at + 1;
  }
}

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      return false;
    }
  }
  return true;
}

bool printable_text(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return false;
    }
  }
  return true;
}

size_t checked_text(std::string_view s, std::string* problem) {
  text::TextCheck c = text::check_text(s, /*allow_line_breaks=*/false);
  if (c.fault == text::TextFault::None) {
    return c.chars;
  }
  if (problem != nullptr) {
    *problem =
        c.fault == text::TextFault::InvalidUtf8
            ? "invalid UTF-8 at byte " + std::to_string(c.byte + 1)
            : std::string(c.fault == text::TextFault::Noncharacter ? "noncharacter" : "control character") +
                  " at character " + std::to_string(c.chars);
  }
  return std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    bool ok = is_ascii_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string quote(std::string_view s) {
  constexpr size_t kMax = 80;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  // Valid UTF-8 text goes out as it is; every other byte (controls, invalid UTF-8) as \xNN, so a
  // message never carries raw control or broken bytes into a log or terminal.
  size_t i = 0;
  while (i < s.size()) {
    text::Utf8Char d = text::decode_utf8(s, i);
    bool plain = d.valid && is_text(d.cp) && d.cp != '\t' && d.cp != '"' && d.cp != '\\';
    size_t len = plain ? d.len : 1;
    if (i + len > kMax) {
      break;
    }
    if (plain) {
      out.append(s.substr(i, len));
    } else {
      auto u = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
    i += len;
  }
  out += i < s.size() ? "\"..." : "\"";
  return out;
}

}  // namespace vtj::config
