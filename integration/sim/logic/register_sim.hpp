#pragma once
// The register simulator's answering logic, independent of the network: an HTTP request in, the reply
// (and the fault the server must act out on the wire) out. The server half (integration/sim/server/)
// owns sockets, TLS, HTTP/1.1 and HTTP/2; this half owns the data set, the SOAP documents and the
// register's rules (credentials, products, return codes, certificate checks).

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vtj/result.hpp"

namespace vtj::sim {

struct HttpRequest {
  std::string method;  // "POST", "GET"
  std::string path;    // without the query string, e.g. "/sosowebsite/soso.asmx", "/"
  std::string query;   // the part after '?', empty when none
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The first header of that (lower-case) name, or empty.
  std::string_view header(std::string_view lower_name) const;
};

// What the server acts out on the wire. Body-level faults (Http500, SoapFault, Malformed, Oversized) are
// already in Reply::body; the server only needs to act for Latency, Hang, Reset and Truncated.
enum class Fault {
  None,
  Latency,    // send the reply after Reply::latency_ms
  Hang,       // never answer this request (keep the connection open until the client gives up)
  Reset,      // abort the connection (TCP RST) without answering
  Http500,    // HTTP 500 with an HTML error page
  SoapFault,  // a SOAP Fault (SoSo: HTTP 500; X-Road security server style: HTTP 200)
  Malformed,  // HTTP 200 with a body that is not well-formed XML
  Truncated,  // announce the full length (HTTP/1.1 Content-Length), send part of it, then close
  Oversized,  // HTTP 200 with a well-formed body larger than 2 MiB
};
const char* to_string(Fault fault);
// "none", "latency:MS", "hang", "reset", "http500", "soap-fault", "malformed", "truncated", "oversized".
struct FaultSpec {
  Fault fault = Fault::None;
  int latency_ms = 0;
};
std::optional<FaultSpec> parse_fault(std::string_view text);

struct Reply {
  int status = 200;
  std::string content_type;  // e.g. "text/xml; charset=utf-8"
  std::string body;
  Fault fault = Fault::None;
  int latency_ms = 0;  // Fault::Latency only
};

enum class ResponseEncoding { PerPerson, Utf8, Latin1 };

struct Options {
  std::string data_file;                      // the data set (integration/data/register.conf format)
  std::vector<std::string> citizen_ca_files;  // issuers the register approves (0015 for others)
  std::vector<std::string> crl_files;         // revocation lists consulted for 0013
  ResponseEncoding encoding = ResponseEncoding::PerPerson;  // --encoding
  FaultSpec fault;                            // --fault: applied to every query when not None
};

class Register {
 public:
  // Errors name the file and line ("register.conf:12: unknown key 'foo'").
  static Result<std::unique_ptr<Register>, std::string> load(const Options& options);
  virtual ~Register() = default;

  // Every POST to the SoSo endpoint ("/sosowebsite/soso.asmx", SOAP 1.1 or 1.2) or the X-Road endpoint
  // ("/"); anything else gets 404/405. Thread-safe; counts one query per register request answered.
  virtual Reply answer(const HttpRequest& request) = 0;

  // Register-level counters as JSON object members without the braces, e.g.
  // "\"queries\":12,\"by_code\":{\"0000\":10,\"0001\":2},\"by_transport\":{...},\"handling_us\":345"
  virtual std::string counters_json() const = 0;
  virtual void reset_counters() = 0;
  // Runtime control from POST /control?fault=KIND&encoding=utf-8|iso-8859-1|person: the same as the
  // command-line flags. Returns an error text for a bad argument.
  virtual std::optional<std::string> control(std::string_view query) = 0;
};

}  // namespace vtj::sim
