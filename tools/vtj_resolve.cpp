// vtj-resolve: the operator's command-line resolver. It applies the same configuration, certificate checks,
// policy and rendering as the server modules, and prints what the module would add to a request.
//
// Exit status (CONTRACT.md): 0 resolved; 2 usage or configuration error; 3 certificate rejected;
// 4 not found; 5 disclosure refused; 6 register error.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "resolve_output.hpp"
#include "vtj/config.hpp"
#include "vtj/identity.hpp"
#include "vtj/identity_cert.hpp"
#include "vtj/policy.hpp"
#include "vtj/register_client.hpp"
#include "vtj/register_query.hpp"
#include "vtj/register_response.hpp"
#include "vtj/render.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitCertificate = 3;
constexpr int kExitRegister = 6;

constexpr const char* kUsage =
    "usage: vtj-resolve --config FILE [--cert FILE | --satu SATU | --hetu HETU] [--response FILE]\n"
    "                   [--format headers|json] [--no-cache] [--show-request] [--repeat N]\n"
    "\n"
    "  --config FILE     directives in the Apache style (VTJHeader, VTJCitizenIssuer, ...)\n"
    "  --cert FILE       a citizen certificate (PEM or DER), checked as the module checks it\n"
    "  --satu SATU       query by electronic client identifier\n"
    "  --hetu HETU       query by personal identity code\n"
    "  --response FILE   use a saved register response instead of querying the register\n"
    "  --format F        headers (default): the headers the module would add; json: one object\n"
    "  --no-cache        do not use or fill the cache\n"
    "  --show-request    print the register request the identifier makes (password blanked) and stop\n"
    "  --repeat N        ask the register N times over the kept connection and print the latencies\n"
    "                    to stderr (the last answer is printed as usual)\n"
    "\n"
    "Without --response the register configured in --config is queried (VTJRegisterURL, ...).\n";

struct Options {
  std::string config;
  std::string cert;
  std::string satu;
  std::string hetu;
  std::string response;
  std::string format = "headers";
  bool no_cache = false;
  bool show_request = false;
  int repeat = 1;
};

int fail(int status, const std::string& message) {
  std::cerr << "vtj-resolve: " << message << "\n";
  return status;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Returns an error message, or empty when the options parsed.
std::string parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& into) -> bool {
      if (i + 1 >= argc) {
        return false;
      }
      into = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--config") {
      ok = value(o.config);
    } else if (a == "--cert") {
      ok = value(o.cert);
    } else if (a == "--satu") {
      ok = value(o.satu);
    } else if (a == "--hetu") {
      ok = value(o.hetu);
    } else if (a == "--response") {
      ok = value(o.response);
    } else if (a == "--format") {
      ok = value(o.format);
    } else if (a == "--no-cache") {
      o.no_cache = true;
    } else if (a == "--show-request") {
      o.show_request = true;
    } else if (a == "--repeat") {
      std::string n;
      ok = value(n);
      if (ok) {
        char* end = nullptr;
        long v = std::strtol(n.c_str(), &end, 10);
        if (n.empty() || *end != '\0' || v < 1 || v > 1000000) {
          return "--repeat takes a count from 1 to 1000000";
        }
        o.repeat = static_cast<int>(v);
      }
    } else {
      // Masked: "--hetu=010190-901R" is an easy slip.
      return "unknown option '" + vtj::identity::sanitize_for_log(a, 60) + "'";
    }
    if (!ok) {
      return "option " + a + " needs a value";
    }
  }
  if (o.config.empty()) {
    return "--config FILE is required (an empty file means every default)";
  }
  int identifiers = !o.cert.empty() + !o.satu.empty() + !o.hetu.empty();
  if (identifiers > 1) {
    return "give at most one of --cert, --satu and --hetu";
  }
  if (identifiers == 0 && o.response.empty()) {
    return "give --cert, --satu or --hetu, or --response";
  }
  if (o.show_request && identifiers == 0) {
    return "--show-request needs --cert, --satu or --hetu";
  }
  if (o.repeat > 1 && !o.response.empty()) {
    return "--repeat queries the register: it does not go with --response";
  }
  if (o.format != "headers" && o.format != "json") {
    return "--format must be headers or json";
  }
  return {};
}

void print_latencies(std::vector<double> seconds, int connections) {
  if (seconds.empty()) {
    return;
  }
  std::sort(seconds.begin(), seconds.end());
  double sum = 0;
  for (double s : seconds) {
    sum += s;
  }
  auto ms = [](double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", s * 1000);
    return std::string(buf);
  };
  auto at = [&](double q) {
    return seconds[std::min(seconds.size() - 1, static_cast<size_t>(q * seconds.size()))];
  };
  std::cerr << "vtj-resolve: " << seconds.size() << " queries, " << connections
            << " connection(s) opened; latency ms: mean " << ms(sum / seconds.size()) << ", min "
            << ms(seconds.front()) << ", p50 " << ms(at(0.5)) << ", p99 " << ms(at(0.99)) << ", max "
            << ms(seconds.back()) << "\n";
}

// From the register's answer to what the module would do: the policy's decision, printed.
int evaluate(const vtj::config::Settings& settings, vtj::tools::Resolution& res,
             const vtj::reg::Response& response) {
  if (res.identity_masked.empty() && response.person) {
    res.identity_masked = vtj::identity::mask_identifier(response.person->hetu());
  }
  auto situation = vtj::policy::situation_for(response.outcome);
  if (situation == vtj::policy::Situation::RegisterError) {
    std::string what = response.envelope == vtj::reg::Envelope::SoapFault
                           ? "SOAP fault " + response.fault_code + ": " + response.fault_string
                           : "register answered " + response.code + " (" + res.outcome + ")";
    return vtj::tools::print_register_failure(res, settings, what);
  }
  bool prohibition = response.person && response.person->security_prohibition();
  auto decision = vtj::policy::decide(situation, settings, false, prohibition);
  return vtj::tools::print_decision(res, settings, decision, response.person ? &*response.person : nullptr);
}

// Queries the register configured in --config (and, with --repeat, keeps asking over the kept
// connection to show the latency an operator can expect).
int query_live(const Options& opt, const vtj::config::Settings& settings, vtj::tools::Resolution& res,
               const vtj::reg::QueryParams& query) {
  if (auto incomplete = vtj::config::check_complete(settings)) {
    return fail(kExitUsage, incomplete->to_string());
  }
  auto client = vtj::reg::RegisterClient::create(settings);
  if (!client) {
    return fail(kExitUsage, "cannot set up the register connection: " + client.error().detail);
  }
  std::vector<double> latencies;
  int connections = 0;
  auto answer = client.value()->query(query);
  for (int i = 1; i < opt.repeat && answer; ++i) {
    latencies.push_back(answer->seconds);
    connections += answer->new_connection ? 1 : 0;
    answer = client.value()->query(query);
  }
  if (answer) {
    latencies.push_back(answer->seconds);
    connections += answer->new_connection ? 1 : 0;
  }
  if (opt.repeat > 1) {
    print_latencies(latencies, connections);
  }
  if (!answer && answer.error().transport == vtj::reg::TransportErrorKind::Setup) {
    // An unreadable or unusable client certificate or key: the configuration's fault, not the register's.
    return fail(kExitUsage, "cannot query the register: " + answer.error().to_string());
  }
  if (!answer) {
    res.outcome = vtj::reg::to_string(answer.error().kind);
    return vtj::tools::print_register_failure(res, settings,
                                              "register query failed: " + answer.error().to_string());
  }
  if (answer->requeried) {
    std::cerr << "vtj-resolve: " << answer->passivated_from
              << " is passivated (0002); answered for the active identifier\n";
  }
  res.outcome = vtj::reg::to_string(answer->response.outcome);
  return evaluate(settings, res, answer->response);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << kUsage;
    return kExitOk;
  }
  Options opt;
  if (std::string e = parse_options(argc, argv, opt); !e.empty()) {
    std::cerr << "vtj-resolve: " << e << "\n" << kUsage;
    return kExitUsage;
  }

  auto loaded = vtj::config::load_file(opt.config);
  if (!loaded) {
    return fail(kExitUsage, loaded.error().to_string());
  }
  // `VTJ On|Off` selects locations in a server; the resolver always resolves what it is asked.
  const vtj::config::Settings& settings = loaded.value();

  vtj::tools::Resolution res;
  res.format_json = opt.format == "json";
  std::optional<vtj::reg::QueryParams> query;  // what a live query would ask

  // The identity asked about: from a certificate (checked like the module checks it), or given directly.
  if (!opt.cert.empty()) {
    auto bytes = read_file(opt.cert);
    if (!bytes) {
      return fail(kExitUsage, "cannot read certificate file " + opt.cert);
    }
    vtj::identity::IssuerSet issuers;
    for (const std::string& f : settings.citizen_issuers) {
      auto added = issuers.add_file(f);
      if (!added) {
        return fail(kExitUsage, "VTJCitizenIssuer: " + added.error());
      }
    }
    if (issuers.empty()) {
      return fail(kExitUsage, "no VTJCitizenIssuer configured: no citizen certificate can be accepted");
    }
    auto cert = vtj::identity::read_citizen_certificate(*bytes, issuers, std::time(nullptr));
    if (!cert) {
      const auto& r = cert.error();
      return vtj::tools::print_denial(res, kExitCertificate, 403,
                                      std::string("certificate rejected: ") +
                                          vtj::identity::to_string(r.reason) +
                                          (r.detail.empty() ? "" : " (" + r.detail + ")"));
    }
    res.certificate_satu = cert->satu.str();
    res.identity_masked = cert->satu.masked();
    query = vtj::reg::query_for_certificate(settings, *cert);
  } else if (!opt.satu.empty()) {
    // Operators also query the test register, whose SATUs lie above the production range.
    auto satu = vtj::identity::Satu::parse(opt.satu, vtj::identity::SatuRange::IncludingTest);
    if (!satu) {
      return fail(kExitUsage,
                  std::string("--satu: not a valid SATU (") + vtj::identity::to_string(satu.error()) + ")");
    }
    res.queried_satu = satu->str();
    res.identity_masked = satu->masked();
    query = vtj::reg::query_for_satu(settings, *satu);
  } else if (!opt.hetu.empty()) {
    auto hetu = vtj::identity::Hetu::parse(opt.hetu);
    if (!hetu) {
      return fail(kExitUsage, std::string("--hetu: not a valid personal identity code (") +
                                  vtj::identity::to_string(hetu.error()) + ")");
    }
    res.identity_masked = hetu->masked();
    query = vtj::reg::query_for_hetu(settings, *hetu);
  }

  if (opt.show_request) {
    // The document as it would travel, but for the password: operators paste this into tickets.
    if (!query->password.empty()) {
      query->password = "********";
    }
    auto doc = vtj::reg::build_request(settings, *query);
    if (!doc) {
      return fail(kExitUsage, std::string("cannot build the register request: ") +
                                  vtj::reg::to_string(doc.error()) +
                                  " (see VTJProduct, VTJCredentials, "
                                  "VTJEndUser, VTJXRoadClient)");
    }
    std::cout << *doc << "\n";
    return kExitOk;
  }

  if (opt.response.empty()) {
    return query_live(opt, settings, res, *query);
  }

  auto body = read_file(opt.response);
  if (!body) {
    return fail(kExitUsage, "cannot read response file " + opt.response);
  }
  auto parsed = vtj::reg::parse_response(*body);
  if (!parsed) {
    res.outcome = "malformed";
    return vtj::tools::print_register_failure(
        res, settings,
        std::string("malformed register response: ") + vtj::reg::to_string(parsed.error().kind) +
            (parsed.error().detail.empty() ? "" : " (" + parsed.error().detail + ")"));
  }
  const vtj::reg::Response& response = parsed.value();
  res.outcome = vtj::reg::to_string(response.outcome);
  if (query) {
    // A saved answer about somebody else must never be rendered as the person asked about.
    if (auto mismatch = vtj::reg::answer_mismatch(*query, response)) {
      return vtj::tools::print_register_failure(res, settings,
                                                "the answer does not match the query: " + *mismatch);
    }
  }
  if (response.outcome == vtj::reg::Outcome::Passivated) {
    // A live query asks again with the active identifier; a saved response cannot.
    return vtj::tools::print_register_failure(res, settings,
                                              "the identifier is passivated (0002); the active one is " +
                                                  vtj::identity::mask_identifier(response.active_hetu) +
                                                  ": a live query would ask again with it");
  }
  return evaluate(settings, res, response);
}
