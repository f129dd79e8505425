#pragma once
// One question to the register and its checked answer: build the request for the configured transport,
// send it, parse the answer, make sure it answers the question asked, and follow a passivated identifier
// (0002) to the active one, once. The CLI and both server modules query through this.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "vtj/config.hpp"
#include "vtj/register_request.hpp"
#include "vtj/register_response.hpp"
#include "vtj/register_transport.hpp"
#include "vtj/result.hpp"

namespace vtj::reg {

enum class QueryErrorKind {
  Request,     // the request could not be built (configuration: product, credentials, end user, X-Road ids)
  Transport,   // no complete HTTP answer: see TransportError::kind
  HttpStatus,  // an HTTP error status whose body is no SOAP answer
  Malformed,   // the body is not a register answer the parser accepts
  Mismatch,    // a well-formed answer about someone else, or to another message, or a 0002 loop
};
const char* to_string(QueryErrorKind kind);

struct QueryError {
  QueryErrorKind kind = QueryErrorKind::Transport;
  std::optional<TransportErrorKind> transport;  // for Transport
  long http_status = 0;                         // when an HTTP answer arrived
  std::string detail;                           // one line for logs: identity codes masked, no secrets
  int queries = 0;                              // register requests made (retries and the re-query included)

  // "transport (timeout): no complete answer within 10000 ms"
  std::string to_string() const;
};

struct QueryAnswer {
  Response response;            // the final answer (after a 0002 re-query, the answer about the active hetu)
  bool requeried = false;       // a passivated identifier was followed to the active one
  std::string passivated_from;  // the identifier that was passivated (masked), when requeried
  int queries = 1;              // register requests made
  double seconds = 0;           // wall time of every exchange together
  bool new_connection = false;  // whether a connection had to be opened (false: a kept one was reused)
};

class RegisterClient {
 public:
  // From VTJRegisterURL, VTJClientCertificate, VTJRegisterCA and VTJTimeout; the settings must pass
  // config::check_complete first. The client keeps connections for reuse and is safe to share between
  // threads.
  static Result<std::unique_ptr<RegisterClient>, QueryError> create(const config::Settings& settings);

  // Within one VTJTimeout (connect and total), a 0002 re-query included.
  Result<QueryAnswer, QueryError> query(const QueryParams& params);

  HttpTransport& transport() { return *transport_; }

 private:
  RegisterClient(const config::Settings& settings, std::unique_ptr<HttpTransport> transport);
  using Deadline = std::chrono::steady_clock::time_point;
  Result<QueryAnswer, QueryError> exchange(const QueryParams& params, Deadline deadline);

  config::Settings settings_;
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace vtj::reg
