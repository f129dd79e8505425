#pragma once
// The hardened XML reader behind parse_response: raw bytes -> an Element tree of local names, or a
// typed error. Internal to the register concept (tests reach it through src/). The byte-level checks
// that run before Xerces are in xml_prescan.hpp.

#include <exception>
#include <string>
#include <string_view>

#include "register/xml_prescan.hpp"
#include "vtj/person.hpp"
#include "vtj/register_response.hpp"
#include "vtj/result.hpp"

namespace vtj::reg::detail {

// What the reader hands on: the tree, and what namespaces-off parsing would otherwise lose about the
// root, so the caller can tell a SOAP Envelope from any element that happens to be called Envelope.
struct Document {
  Element root;
  std::string root_prefix;     // "soap" for <soap:Envelope>, empty for none
  std::string root_namespace;  // what the root's own xmlns attributes bind that prefix (or the default
                               // namespace) to; empty when the root element itself does not bind it
};

// How read_xml takes its input. Text is a string the caller already decoded (the escaped document
// inside TeeHenkilonTunnusKyselyResult): it is UTF-8 whatever its XML declaration says.
enum class Input { Bytes, Text };

// Parses with size, depth, element-count and attribute-count limits; refuses XML 1.1, mixed content and
// two attributes with the same local name. `byte_prescan` exists so tests can prove that the parser
// itself, not only the byte scan, refuses a DOCTYPE.
Result<Document, ParseError> read_xml(std::string_view bytes, const ParseLimits& limits,
                                      bool byte_prescan = true, Input input = Input::Bytes);

// Thrown by the panic handler installed into Xerces (whose default one calls exit()): read_xml catches
// it and answers a ParseError. Visible here so a test can show the handler is in place.
struct XercesPanic : std::exception {
  const char* what() const noexcept override { return "Xerces-C panic"; }
};
// Initialises Xerces once per process with the throwing panic handler; false when that failed.
bool xerces_ready();

}  // namespace vtj::reg::detail
