#pragma once
// The register's answer: parse a response body (bare VTJHenkiloVastaussanoma, the SoSo SOAP envelope,
// the X-Road envelope, or a SOAP Fault) into a typed outcome and the person. The parser is hardened
// against hostile XML (no DOCTYPE, no entities, bounded size, depth, element and attribute count) and
// never throws. It fails closed on ambiguity: a duplicated element the outcome depends on, text beside
// child elements, or two attributes with the same local name are refused, never resolved by picking one.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "vtj/person.hpp"
#include "vtj/result.hpp"

namespace vtj::reg {

// What the register said, as the policy needs it; see outcome_for_code for the Paluukoodi mapping.
enum class Outcome {
  Found,
  NotFound,
  Passivated,
  Deceased,
  NotDisclosable,
  CredentialError,
  ProductError,
  CertificateRejected,
  RequestRejected,
  CheckNotPerformed,
  RegisterInternal,
  Fault,
  Unknown,
};
const char* to_string(Outcome outcome);

// Maps a Paluukoodi (or an X-Road faultCode) to an outcome; surrounding white space is tolerated and
// any code not in VTJ-INTERFACE.md's table is Unknown.
Outcome outcome_for_code(std::string_view paluukoodi);

enum class Envelope { Bare, Soso, XRoad, SoapFault };
const char* to_string(Envelope envelope);

struct Response {
  Envelope envelope = Envelope::Bare;
  Outcome outcome = Outcome::Unknown;
  std::string code;              // Paluukoodi@koodi, the X-Road faultCode, or the SOAP faultcode
  std::string message;           // Paluukoodi text, the X-Road faultString, or the SOAP faultstring
  std::string product;           // VTJHenkiloVastaussanoma@sanomatunnus
  std::string extracted_at;      // VTJHenkiloVastaussanoma@tietojenPoimintaaika (YYYYMMDDhhmmss)
  std::optional<Person> person;  // present whenever the document holds a Henkilo element
  std::string active_hetu;       // for 0002 (Passivated): Henkilo/Henkilotunnus, the identifier to query next
  std::string asked_hetu;        // the register's echo of the criteria: Hakuperusteet/Henkilotunnus
  std::string asked_satu;        // and Hakuperusteet/SahkoinenAsiointitunnus (empty when not echoed)
  std::string fault_code;        // SOAP Fault faultcode (1.2: Code/Value) or X-Road faultCode
  std::string fault_string;      // SOAP Fault faultstring (1.2: Reason/Text) or X-Road faultString
  std::string fault_detail;      // SOAP Fault detail/faultDetail (X-Road's correlation UUID) or detail text
  std::string xroad_id;          // the X-Road Header/id the answer carries (empty when absent): the
                                 // transport compares it with the id it sent
};

struct ParseLimits {
  // The largest published response is 12 KB (evaka PERUSSANOMA3, every address and history); 1 MiB is
  // some 80 times that and bounds what one hostile body costs a server worker: parser buffers and the
  // element tree grow with it (a 4 MB attribute flood once took 168 MB).
  size_t max_bytes = 1024 * 1024;
  unsigned max_depth = 64;
  size_t max_elements = 100000;
};

enum class ParseErrorKind {
  Empty,
  TooLarge,
  TooDeep,
  TooManyElements,
  Doctype,
  Malformed,
  Encoding,
  NotAResponse
};
const char* to_string(ParseErrorKind kind);

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::Malformed;
  std::string detail;  // for logs; never holds an unmasked personal identity code
};

// Thread-safe; Xerces-C is initialised once per process on first use.
Result<Response, ParseError> parse_response(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace vtj::reg
