#pragma once
// Strict UTF-8 for the simulator, written here rather than borrowed from the core so that a decoding bug
// in the client cannot hide behind the same bug in the simulator.

#include <cstddef>
#include <string>
#include <string_view>

namespace vtj::sim {

inline constexpr char32_t kBadChar = 0xFFFFFFFF;

// The scalar value at s[pos], advancing pos past it; kBadChar (pos advanced by one) for an ill-formed,
// overlong or surrogate sequence.
char32_t next_utf8(std::string_view s, size_t& pos);

bool valid_utf8(std::string_view s);
size_t utf8_chars(std::string_view s);  // for valid UTF-8
void append_utf8(std::string& out, char32_t cp);

// XML 1.0's Char production: what a document may hold, literally or as a character reference.
constexpr bool is_xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace vtj::sim
