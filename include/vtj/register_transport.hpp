#pragma once
// HTTP(S) to the register (the direct SoSo service) or to the organisation's X-Road security server,
// with libcurl: mutual TLS with the customer certificate, trust in VTJRegisterCA only, the hostname always
// verified, TLS 1.2 or newer, HTTP/2 when the server offers it, connections kept and reused across
// queries, bounded in time and size. One HttpTransport serves many threads at once.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "vtj/result.hpp"

namespace vtj::reg {

struct TransportSettings {
  std::string url;          // https://HOST[:PORT]/PATH, or http:// for an X-Road security server
  std::string client_cert;  // PEM; empty: no client certificate
  std::string client_key;   // PEM; empty: the key is in client_cert
  std::string ca_file;      // the only trust anchors for the server certificate (https)
  int connect_timeout_ms = 2000;
  int total_timeout_ms = 10000;  // the whole query, a retry included
  size_t max_response_bytes = 1024 * 1024;
  bool http2 = true;  // offer h2 in ALPN; HTTP/1.1 when the server does not take it
};

enum class TransportErrorKind {
  Setup,       // the request could not be started: bad URL, unreadable certificate or key, no CA file
  Dns,         // the host name did not resolve
  Connect,     // TCP connection refused or unreachable
  Tls,         // handshake failed: the server's certificate not trusted or not for this host, the client
               // certificate refused, no common protocol version
  Timeout,     // VTJTimeout ran out (connecting, or waiting for the answer)
  Connection,  // the connection failed after it was made: reset, closed, truncated answer
  TooLarge,    // the answer exceeded max_response_bytes
  Protocol,    // an HTTP/2 or HTTP framing error
};
const char* to_string(TransportErrorKind kind);

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::Setup;
  std::string detail;  // why, in a line for the log (libcurl's and OpenSSL's explanation); no secrets
  int attempts = 1;    // times the request went out (0: never; 2: it was sent again once)
};

struct HttpReply {
  long status = 0;
  std::string content_type;
  std::string body;
  std::string http_version;     // "1.1" or "2"
  int attempts = 1;             // times the request went out (2 when the one retry was made)
  bool new_connection = false;  // whether this query opened a connection (false: one was reused)
  double seconds = 0;           // wall time of the exchange, the retry included
};

inline constexpr size_t kTransportErrorKinds = static_cast<size_t>(TransportErrorKind::Protocol) + 1;

// What a transport has done since it was made, for operators' status pages and logs. A snapshot: the
// live counters are atomics inside the transport.
struct TransportCounters {
  uint64_t posts = 0;        // post() calls
  uint64_t sends = 0;        // requests that went out (a retried post counts twice)
  uint64_t retries = 0;      // posts whose request went out twice (by libcurl's resend or the retry)
  uint64_t connections = 0;  // connections opened (the rest of the sends reused one)
  uint64_t answered = 0;     // posts that got a complete HTTP answer
  std::array<uint64_t, kTransportErrorKinds> failed{};  // posts that failed, by TransportErrorKind
};

struct HttpHeaderLine {
  std::string_view name;
  std::string_view value;
};

class HttpTransport {
 public:
  // Checks the settings without connecting: the URL's scheme, and that the CA file holds a certificate and
  // the client certificate and its (unencrypted) key load and belong together.
  static Result<std::unique_ptr<HttpTransport>, TransportError> create(const TransportSettings& settings);

  // The TLS files (CA, client certificate, key) are read through a process-wide copy, keyed by path: a
  // server's parent process reads them at start-up (root may read the key), and transports made later in
  // its workers (another user) use the copies. With `refresh` the files are read again (a restart picks
  // up a renewed certificate); without it a copy is used when there is one.
  static void set_refresh_files(bool refresh);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // One POST. Any HTTP status is a reply (the register and X-Road answer SOAP faults with 500 and 200
  // alike: the body decides); only a failure to get a complete answer is an error. A connection-level
  // failure before any byte of the answer arrived (a kept connection the server had closed, a reset) is
  // retried once on a fresh connection within the same time budget.
  Result<HttpReply, TransportError> post(std::string_view body,
                                         std::initializer_list<HttpHeaderLine> headers);
  // The same within a deadline the caller already runs against (several exchanges for one question).
  Result<HttpReply, TransportError> post(std::string_view body, std::initializer_list<HttpHeaderLine> headers,
                                         std::chrono::steady_clock::time_point deadline);

  const TransportSettings& settings() const;
  TransportCounters counters() const;

 private:
  struct Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vtj::reg
