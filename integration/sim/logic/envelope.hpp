#pragma once
// The answer on the wire: the document in its transport's envelope (SoSo SOAP 1.1/1.2 as an ASMX service
// writes it; X-Road with the echoed headers, requestHash and the request echo), and the error replies
// (SOAP faults, the X-Road security server's faults, HTTP error pages, broken bodies for fault injection).

#include <cstddef>
#include <string>
#include <string_view>

#include "clock.hpp"
#include "register_sim.hpp"
#include "rules.hpp"
#include "soap_request.hpp"

namespace vtj::sim {

struct AnswerInput {
  const Query& query;
  const Decision& decision;
  std::string_view request_body;  // X-Road: hashed into requestHash
  const Stamp& stamp;
  bool latin1 = false;
  size_t padding = 0;  // Oversized: filler bytes in the document
};

// The register's answer (HTTP 200): the document, or on X-Road for "not found" faultCode/faultString.
Reply answer_reply(const AnswerInput& in);

// A request that is not a readable query.
Reply rejection_reply(const Rejection& r);

// Injected faults' bodies.
Reply server_fault_reply(Transport t);  // SoSo: soap:Server, HTTP 500; X-Road: ServiceFailed, HTTP 200
Reply http500_reply();                  // an HTML error page, HTTP 500
// The start of a real answer followed by a broken tail: never well-formed.
std::string malformed_body(std::string_view answer);

// A random UUID (version 4), lower-case: X-Road fault details.
std::string new_uuid();
// Base64 of the SHA-512 of the request as received (X-Road requestHash).
std::string request_hash(std::string_view body);

}  // namespace vtj::sim
