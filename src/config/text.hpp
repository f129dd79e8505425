#pragma once
// Small text helpers shared by the configuration and rendering code (internal, not public API).
// Character classes are plain ASCII ranges, never <cctype>: those follow the process locale, and in a
// Latin-1 locale they would call 0xC4/0xE4 letters.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vtj::config {

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

// ASCII case-insensitive comparisons.
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::vector<std::string> split(std::string_view s, char sep);
// Visible ASCII only (0x21-0x7E).
bool printable_ascii(std::string_view s);
// No C0 control characters and no DEL (UTF-8 above 0x7F allowed).
bool printable_text(std::string_view s);
// Text sent to the register (end user, password, ...): strict UTF-8 (no overlongs, surrogates, code
// points above U+10FFFF), and no C0 control but TAB, no DEL, no C1 control (U+0080-U+009F), no
// noncharacter U+FFFE/U+FFFF. Returns the number of code points, or npos; then `problem`, when given,
// names the first fault by position (never by content, so it is safe for secrets too).
size_t checked_text(std::string_view utf8, std::string* problem = nullptr);
// An RFC 9110 token (tchar+), as header names must be.
bool is_token(std::string_view s);
// "value" for messages: control characters, invalid UTF-8, quotes and backslashes as \xNN bytes; cut at
// 80 bytes.
std::string quote(std::string_view s);

}  // namespace vtj::config
