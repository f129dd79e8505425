#include "resolve_output.hpp"

#include <cstdio>
#include <iostream>

#include "vtj/identity.hpp"
#include "vtj/render.hpp"

namespace vtj::tools {

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

namespace {

void print_json(const Resolution& res, int http_status, const std::string& status, const std::string& reason,
                const std::vector<render::FieldValue>& fields) {
  std::cout << "{\"outcome\":\"" << json_escape(res.outcome.empty() ? "none" : res.outcome) << "\""
            << ",\"http_status\":" << http_status;
  if (!status.empty()) {
    std::cout << ",\"status\":\"" << json_escape(status) << "\"";
  }
  if (!reason.empty()) {
    std::cout << ",\"reason\":\"" << json_escape(identity::sanitize_for_log(reason)) << "\"";
  }
  std::cout << ",\"fields\":{";
  bool first = true;
  for (const auto& f : fields) {
    std::cout << (first ? "" : ",") << "\"" << json_escape(f.field) << "\":\"" << json_escape(f.value)
              << "\"";
    first = false;
  }
  std::cout << "}}\n";
}

// Every message line: masked identity codes, no control characters (texts can come from the register).
std::string with_identity(const Resolution& res, const std::string& reason) {
  std::string line = identity::sanitize_for_log(reason);
  return res.identity_masked.empty() ? line : line + " [" + res.identity_masked + "]";
}

}  // namespace

int print_denial(const Resolution& res, int exit_status, int http_status, const std::string& reason) {
  std::cerr << "vtj-resolve: denied " << http_status << ": " << with_identity(res, reason) << "\n";
  if (res.format_json) {
    print_json(res, http_status, "", reason, {});
  }
  return exit_status;
}

int print_decision(const Resolution& res, const config::Settings& settings, const policy::Decision& decision,
                   const reg::Person* person) {
  using Action = policy::Decision::Action;
  if (decision.action == Action::Deny) {
    return print_denial(res, decision.exit_code, decision.http_status, decision.reason);
  }
  render::RenderInput in;
  in.person = decision.action == Action::Allow ? person : nullptr;
  in.certificate_satu = res.certificate_satu;
  in.queried_satu = res.queried_satu;
  in.status = decision.status;
  auto fields = render::select(in, settings);
  if (decision.action == Action::AllowWithoutData) {
    std::cerr << "vtj-resolve: passed without person data: " << with_identity(res, decision.reason) << "\n";
  }
  if (res.format_json) {
    print_json(res, decision.http_status, decision.status, decision.reason, fields);
  } else {
    for (const auto& [name, value] : render::headers(fields, settings.encoding)) {
      std::cout << name << ": " << value << "\n";
    }
  }
  return decision.exit_code;
}

int print_register_failure(const Resolution& res, const config::Settings& settings, const std::string& what) {
  auto decision = policy::decide(policy::Situation::RegisterError, settings, false, false);
  std::cerr << "vtj-resolve: register error: " << identity::sanitize_for_log(what) << "\n";
  return print_decision(res, settings, decision, nullptr);
}

}  // namespace vtj::tools
