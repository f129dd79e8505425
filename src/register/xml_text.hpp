#pragma once
// Small text helpers shared by the request builder and the response reader: XML white space, UTF-8
// checks, UTF-16 to UTF-8 (diagnostics are masked with identity::sanitize_for_log).

#include <cstddef>
#include <string>
#include <string_view>

namespace vtj::reg::detail {

// XML's white space (S production): space, TAB, LF, CR.
inline bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
std::string_view trim_xml_space(std::string_view s);

enum class Utf8Kind { Invalid, Ascii, MultiByte };
// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF); MultiByte when any non-ASCII
// character occurs.
Utf8Kind classify_utf8(std::string_view s);
// Code points of a valid UTF-8 string (the caller checked validity).
size_t utf8_code_points(std::string_view s);

// Appends UTF-16 code units as UTF-8; an unpaired surrogate becomes U+FFFD.
void append_utf16_as_utf8(std::string& out, const char16_t* s, size_t n);

}  // namespace vtj::reg::detail
