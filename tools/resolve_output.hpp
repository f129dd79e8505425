#pragma once
// How vtj-resolve prints a resolution: the headers the module would add, or one JSON object.

#include <string>

#include "vtj/config.hpp"
#include "vtj/person.hpp"
#include "vtj/policy.hpp"

namespace vtj::tools {

struct Resolution {
  bool format_json = false;
  std::string outcome;           // the register's outcome, when there was an answer
  std::string certificate_satu;  // from --cert
  std::string queried_satu;      // from --satu
  std::string identity_masked;   // for messages: never the full code
};

// Prints the decision's result (headers or JSON on stdout, a line on stderr for a deny); returns the exit
// status.
int print_decision(const Resolution& res, const config::Settings& settings, const policy::Decision& decision,
                   const reg::Person* person);

// A register failure (unreachable, malformed, error code): decided by VTJOnRegisterError.
int print_register_failure(const Resolution& res, const config::Settings& settings, const std::string& what);

// A deny decided before the register was asked (a rejected certificate).
int print_denial(const Resolution& res, int exit_status, int http_status, const std::string& reason);

std::string json_escape(const std::string& s);

}  // namespace vtj::tools
