#pragma once
// One load connection: a non-blocking socket, its TLS session, and the HTTP driver speaking over it. A
// worker thread runs many of these from one epoll loop.

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "identities.hpp"
#include "load_options.hpp"
#include "load_stats.hpp"
#include "request_budget.hpp"

namespace vtj::bench {

using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslFree<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OsslFree<SSL_free>>;

// The TLS settings every connection shares; the client certificate is set per connection.
Result<SslCtxPtr, std::string> make_client_context(const LoadOptions& options);

// The HTTP half of a connection. Requests are timed from when they are queued, the connection's first
// from when its TCP connect began (a citizen's first login waits for the handshake too). A driver starts
// requests while its connection's quota allows, and ends the connection when it is spent.
class Driver {
 public:
  enum class Status { Ok, Close, Error };
  virtual ~Driver() = default;
  // The handshake is done: queue the first request(s), the very first timed from `connect_started`.
  virtual void begin(Clock::time_point now, Clock::time_point connect_started) = 0;
  // Decrypted bytes. Close: the connection ended cleanly (Connection: close from the server, or its
  // quota is spent and nothing is in flight); Error: a transport error, already counted.
  virtual Status on_input(const char* data, size_t len, Clock::time_point now) = 0;
  // The server closed the connection. Close: nothing was lost (or the close ended a response); Error: a
  // request was cut off (the caller counts it).
  virtual Status on_close(Clock::time_point now) = 0;
  // Appends bytes to send to `out` (requests, HTTP/2 frames).
  virtual void produce(std::string& out) = 0;
  // Requests started and not yet answered (or counted as failed).
  virtual uint64_t in_flight() const = 0;
};

// What every connection of the run shares, across the worker threads.
struct Run {
  Run(const LoadOptions& o, SSL_CTX* c, const std::vector<Identity>& ids)
      : options(o), ctx(c), identities(ids), sessions(ids.empty() ? 1 : ids.size()), budget(o.requests) {}

  const LoadOptions& options;
  SSL_CTX* ctx;
  const std::vector<Identity>& identities;  // empty: no client certificate
  SessionStore sessions;                    // by identity (one without a client certificate)
  RequestBudget budget;
  std::atomic<uint64_t> connections{0};  // opened so far: the j-th uses identity j mod N
};

// What every connection of one worker shares.
struct Shared {
  Run& run;
  const LoadOptions& options;
  std::string request;  // HTTP/1.1: the whole request, built once
  LoadStats stats;
  bool running = true;  // false once the duration is over: no new requests
};

std::unique_ptr<Driver> make_http1_driver(Shared& shared, ConnQuota& quota);
// nullptr when nghttp2 fails to start
std::unique_ptr<Driver> make_http2_driver(Shared& shared, ConnQuota& quota);

// The request HTTP/1.1 sends for these options.
std::string build_http1_request(const LoadOptions& options);

class ClientConn {
 public:
  ClientConn(Shared& shared, int epoll_fd)
      : shared_(shared), epoll_fd_(epoll_fd), quota_(shared.run.budget, shared.options.per_connection) {}
  ~ClientConn() { close_socket(); }

  // Connecting: started (non-blocking); Failed: an immediate failure (counted); Idle: the run has no
  // requests left for a new connection.
  enum class Connect { Connecting, Failed, Idle };
  Connect connect(const sockaddr* addr, socklen_t addr_len);
  // Handles epoll events. False when the connection has ended and should be re-opened.
  bool on_event(uint32_t events);
  bool open() const { return fd_ >= 0; }

 private:
  enum class State { Connecting, Handshaking, Open };
  bool handshake();
  bool pump();  // read what is there, then write what is queued
  bool flush();
  void watch(bool want_write);
  void fail(const std::string& what);
  // Clean: the connection ended without an error; its TLS session is kept for resumption.
  void close_socket(bool clean = true);

  Shared& shared_;
  int epoll_fd_;
  int fd_ = -1;
  State state_ = State::Connecting;
  SslPtr ssl_;
  size_t identity_ = 0;
  ConnQuota quota_;
  bool opening_ = false;  // between connect() and the driver: the first request waits for the handshake
  Clock::time_point connect_started_;
  std::unique_ptr<Driver> driver_;
  std::string out_;
  size_t out_off_ = 0;
  bool watching_write_ = false;
  char in_[16 * 1024];
};

}  // namespace vtj::bench
