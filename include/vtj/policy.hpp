#pragma once
// The outcome table of CONTRACT.md as code: what happens to the request (and the CLI's exit status)
// for each situation, given the configured policies.

#include <string>

#include "vtj/config.hpp"
#include "vtj/register_response.hpp"

namespace vtj::policy {

enum class Situation {
  Resolved,
  NoCertificate,        // none sent, or the server did not verify it
  CertificateRejected,  // outside the citizen profile: issuer, SATU, validity
  NotFound,             // 0001, 0006
  Deceased,             // 0007
  NotDisclosable,       // 0019
  RegisterError,        // unreachable, timeout, HTTP error, malformed, credentials, product, fault, unknown
};

struct Decision {
  enum class Action { Allow, AllowWithoutData, Deny } action = Action::Deny;
  int http_status = 403;  // 200 for allow; 403, 503, 400 on deny
  std::string status;     // "ok", "stale", "unavailable"; empty on deny
  bool retry_after = false;
  int exit_code = 0;   // vtj-resolve: 0 resolved, 3 cert rejected, 4 not found, 5 refused, 6 register error
  std::string reason;  // short, for the log
};

// Which situation a register answer's outcome is (Found: Resolved; 0001/0006, 0007, 0019 and a rejected
// certificate their own; everything else a register error). The CLI and both server modules use it.
Situation situation_for(reg::Outcome outcome);

Decision decide(Situation situation, const config::Settings& settings, bool have_stale_entry,
                bool security_prohibition);

// A client header collided with the module's under VTJSpoofPolicy reject.
Decision spoof_rejected();

}  // namespace vtj::policy
