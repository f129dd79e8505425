#pragma once
// ASCII helpers for protocol text (HTTP header names and parameters, XML declarations, directive and
// command-line arguments), header-only so the simulator and the tools can share them with the core.
// Character classes are plain ASCII ranges, never <cctype>: those follow the process locale, and in a
// Latin-1 locale they would call 0xC4/0xE4 letters.

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>

namespace vtj::text {

constexpr bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_ascii_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr bool is_ascii_alnum(char c) {
  return is_ascii_alpha(c) || is_ascii_digit(c);
}
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

// ASCII case-insensitive comparisons.
constexpr bool iequals(std::string_view a, std::string_view b) {
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
constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// s without the given characters at either end (by default spaces and tabs).
constexpr std::string_view trim(std::string_view s, std::string_view chars = " \t") {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) {
    return {};
  }
  return s.substr(b, s.find_last_not_of(chars) - b + 1);
}

// A decimal integer in [min, max] and nothing else (no sign but '-', no spaces).
inline bool parse_int(std::string_view s, long long min, long long max, int& out) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return false;
  }
  out = static_cast<int>(v);
  return true;
}

}  // namespace vtj::text
