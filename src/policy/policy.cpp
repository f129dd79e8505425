#include "vtj/policy.hpp"

namespace vtj::policy {

namespace {

using Action = Decision::Action;

Decision allow(std::string status, std::string reason) {
  return Decision{Action::Allow, 200, std::move(status), false, 0, std::move(reason)};
}

Decision deny(int http_status, int exit_code, std::string reason) {
  return Decision{Action::Deny, http_status, "", http_status == 503, exit_code, std::move(reason)};
}

// Data is about to be served (fresh or stale): the prohibition policy may still refuse it.
Decision serve(std::string status, std::string reason, const config::Settings& settings,
               bool security_prohibition) {
  if (security_prohibition && settings.prohibition == config::ProhibitionPolicy::Deny) {
    return deny(403, 5, "security prohibition (VTJSecurityProhibition deny)");
  }
  return allow(std::move(status), std::move(reason));
}

}  // namespace

Situation situation_for(reg::Outcome o) {
  using reg::Outcome;
  switch (o) {
    case Outcome::Found:
      return Situation::Resolved;
    case Outcome::NotFound:
      return Situation::NotFound;
    case Outcome::Deceased:
      return Situation::Deceased;
    case Outcome::NotDisclosable:
      return Situation::NotDisclosable;
    case Outcome::CertificateRejected:
      return Situation::CertificateRejected;
    default:
      return Situation::RegisterError;
  }
}

Decision decide(Situation situation, const config::Settings& settings, bool have_stale_entry,
                bool security_prohibition) {
  switch (situation) {
    case Situation::Resolved:
      return serve("ok", "resolved", settings, security_prohibition);
    case Situation::NoCertificate:
      return deny(403, 3, "no verified client certificate");
    case Situation::CertificateRejected:
      return deny(403, 3, "certificate outside the citizen profile");
    case Situation::NotFound:
      return deny(403, 4, "not found in the register");
    case Situation::Deceased:
      return deny(403, 5, "person is deceased");
    case Situation::NotDisclosable:
      return deny(403, 5, "data cannot be disclosed");
    case Situation::RegisterError:
      switch (settings.on_error) {
        case config::ErrorPolicy::Deny:
          return deny(503, 6, "register error");
        case config::ErrorPolicy::Pass:
          return Decision{
              Action::AllowWithoutData, 200, "unavailable", false, 6, "register error, passed without data"};
        case config::ErrorPolicy::Stale:
          if (have_stale_entry) {
            return serve("stale", "register error, served a stale entry", settings, security_prohibition);
          }
          return deny(503, 6, "register error, no stale entry");
      }
      break;
  }
  // Unreachable with a valid enum value; fail closed.
  return deny(503, 6, "unknown situation");
}

Decision spoof_rejected() {
  // Not reachable from vtj-resolve (it reads no client headers); 2 keeps the CLI's "usage" meaning.
  return Decision{Action::Deny, 400, "", false, 2, "client sent a header the module owns"};
}

}  // namespace vtj::policy
