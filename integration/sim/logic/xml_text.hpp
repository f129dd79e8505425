#pragma once
// Character data of the requests: entity and character references, line ends, forbidden characters.

#include <string>
#include <string_view>

namespace vtj::sim {

// Appends raw character data with the five predefined entities and numeric character references
// decoded and line ends normalised (attribute values also turn literal white space into spaces, as XML
// 1.0 section 3.3.3 says). False for an unknown entity or a reference to a character XML forbids.
bool decode_xml_text(std::string_view raw, std::string& out, bool attribute);

// Literal characters XML forbids (for UTF-8 already checked): C0 controls other than TAB, LF, CR.
bool has_forbidden_control(std::string_view s);

}  // namespace vtj::sim
