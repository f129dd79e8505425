#include "config/text.hpp"

#include <string>

namespace vtj::config {

namespace {

struct Decoded {
  char32_t cp;
  size_t len;  // 0: not valid UTF-8 here
};

// One strictly decoded code point at s[i] (Unicode table 3-7: no overlongs, no surrogates, nothing above
// U+10FFFF).
Decoded decode(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = b(i);
  size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  char32_t cp = 0;
  if (lead < 0x80) {
    return {lead, 1};
  }
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
    return {0, 0};
  }
  if (i + len > s.size()) {
    return {0, 0};
  }
  for (size_t k = 1; k < len; ++k) {
    unsigned char c = b(i + k);
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) {
      return {0, 0};
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, len};
}

// No C0 control but TAB, no DEL, no C1 control, no U+FFFE/U+FFFF.
bool is_text(char32_t cp) {
  bool control = (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
  return !control && cp != 0xFFFE && cp != 0xFFFF;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

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
  auto fail = [&](std::string why) {
    if (problem != nullptr) {
      *problem = std::move(why);
    }
    return std::string_view::npos;
  };
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    if (d.len == 0) {
      return fail("invalid UTF-8 at byte " + std::to_string(i + 1));
    }
    ++n;
    if (!is_text(d.cp)) {
      return fail(std::string(d.cp == 0xFFFE || d.cp == 0xFFFF ? "noncharacter" : "control character") +
                  " at character " + std::to_string(n));
    }
    i += d.len;
  }
  return n;
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
    Decoded d = decode(s, i);
    bool plain = d.len != 0 && is_text(d.cp) && d.cp != '\t' && d.cp != '"' && d.cp != '\\';
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
