#pragma once
// Small text helpers shared by the configuration and rendering code (internal, not public API).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vtj::config {

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::vector<std::string> split(std::string_view s, char sep);
// Visible ASCII only (0x21-0x7E).
bool printable_ascii(std::string_view s);
// No C0 control characters and no DEL (UTF-8 above 0x7F allowed).
bool printable_text(std::string_view s);
// Code points in valid UTF-8, or npos when the text is not valid UTF-8.
size_t code_points(std::string_view utf8);
// An RFC 9110 token (tchar+), as header names must be.
bool is_token(std::string_view s);
// "value" for messages: control bytes as \xNN, cut at 80 bytes.
std::string quote(std::string_view s);

}  // namespace vtj::config
