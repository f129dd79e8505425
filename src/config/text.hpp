#pragma once
// Small text helpers shared by the configuration and rendering code (internal, not public API).
// Character classes come from text/ascii.hpp (plain ASCII ranges, never the locale's <cctype>).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "text/ascii.hpp"

namespace vtj::config {

using text::ascii_lower;
using text::ascii_upper;
using text::iequals;
using text::is_ascii_alnum;
using text::is_ascii_alpha;
using text::is_ascii_digit;
using text::istarts_with;

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
