#pragma once
// The hardened XML reader behind parse_response: raw bytes -> an Element tree of local names, or a
// typed error. Internal to the register concept (tests reach it through src/).

#include <string_view>

#include "vtj/person.hpp"
#include "vtj/register_response.hpp"
#include "vtj/result.hpp"

namespace vtj::reg::detail {

enum class SourceEncoding { Utf8, Latin1 };

// Decides how the bytes are decoded: only UTF-8, US-ASCII and ISO-8859-1 (with its aliases) are
// accepted. A document that declares ISO-8859-1 but is valid UTF-8 holding a multi-byte sequence is
// read as UTF-8: published responses are mislabelled that way, and reading them as Latin-1 would turn
// "Löytyi" into "LÃ¶ytyi".
Result<SourceEncoding, ParseError> sniff_encoding(std::string_view bytes);

// True when the bytes hold "<!DOCTYPE" or "<!ENTITY" anywhere: the cheap first line of defence.
bool has_doctype_bytes(std::string_view bytes);

// Parses with size, depth and element-count limits. `byte_prescan` exists so tests can prove that the
// parser itself, not only the byte scan, refuses a DOCTYPE.
Result<Element, ParseError> read_xml(std::string_view bytes, const ParseLimits& limits,
                                     bool byte_prescan = true);

}  // namespace vtj::reg::detail
