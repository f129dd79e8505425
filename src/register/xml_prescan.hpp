#pragma once
// Byte-level checks that run before Xerces sees a response: which encoding the bytes are read in, the
// XML declaration, and the cheap refusals (DOCTYPE, attribute floods). Internal to the register concept.

#include <cstddef>
#include <string>
#include <string_view>

#include "vtj/register_response.hpp"
#include "vtj/result.hpp"

namespace vtj::reg::detail {

enum class SourceEncoding { Utf8, Latin1 };

// Elements may carry at most this many attributes (namespace declarations included). Real responses
// carry at most 6; an attribute flood costs memory in Xerces before any handler sees it.
inline constexpr size_t kMaxAttributes = 32;

// Decides how the bytes are decoded: only UTF-8, US-ASCII and ISO-8859-1 (with its aliases) are
// accepted. A document that declares ISO-8859-1 but is valid UTF-8 holding a multi-byte sequence is
// read as UTF-8: published responses are mislabelled that way, and reading them as Latin-1 would turn
// "Löytyi" into "LÃ¶ytyi".
Result<SourceEncoding, ParseError> sniff_encoding(std::string_view bytes);

// True when the bytes hold "<!DOCTYPE" or "<!ENTITY" anywhere: the cheap first line of defence.
bool has_doctype_bytes(std::string_view bytes);

// True when a start tag in the bytes carries more than kMaxAttributes attributes (counted as '=' outside
// quotes; comments, CDATA and processing instructions skipped). Xerces holds every attribute of a start
// tag before any handler sees it, so a flood is refused here, before Xerces allocates for it; the tree
// builder counts again behind it.
bool too_many_attributes_bytes(std::string_view bytes);

// The bytes without a leading UTF-8 byte order mark.
std::string_view strip_utf8_bom(std::string_view bytes);

// A pseudo-attribute ("version", "encoding") of the XML declaration at the start of the bytes, or empty
// when there is no declaration or it lacks the attribute.
std::string xml_declaration_attribute(std::string_view bytes, std::string_view attribute);

}  // namespace vtj::reg::detail
