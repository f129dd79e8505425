#pragma once
// One load connection: a non-blocking socket, its TLS session, and the HTTP driver speaking over it. A
// worker thread runs many of these from one epoll loop.

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <memory>
#include <string>

#include "load_options.hpp"
#include "load_stats.hpp"

namespace vtj::bench {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct SessionFree {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SessionPtr = std::unique_ptr<SSL_SESSION, SessionFree>;

Result<SslCtxPtr, std::string> make_client_context(const LoadOptions& options);

// The HTTP half of a connection. Requests are timed from when they are queued.
class Driver {
 public:
  enum class Status { Ok, Close, Error };
  virtual ~Driver() = default;
  // The handshake is done: queue the first request(s).
  virtual void begin(Clock::time_point now) = 0;
  // Decrypted bytes. Close: the server ended the connection cleanly (Connection: close); Error: a
  // transport error, already counted.
  virtual Status on_input(const char* data, size_t len, Clock::time_point now) = 0;
  // The server closed the connection. Close: nothing was lost (or the close ended a response); Error: a
  // request was cut off (the caller counts it).
  virtual Status on_close(Clock::time_point now) = 0;
  // Appends bytes to send to `out` (requests, HTTP/2 frames).
  virtual void produce(std::string& out) = 0;
};

// What every connection of one worker shares.
struct Shared {
  const LoadOptions& options;
  SSL_CTX* ctx;
  std::string request;  // HTTP/1.1: the whole request, built once
  LoadStats stats;
  bool running = true;  // false once the duration is over: no new requests
};

std::unique_ptr<Driver> make_http1_driver(Shared& shared);
std::unique_ptr<Driver> make_http2_driver(Shared& shared);  // nullptr when nghttp2 fails to start

// The request HTTP/1.1 sends for these options.
std::string build_http1_request(const LoadOptions& options);

class ClientConn {
 public:
  ClientConn(Shared& shared, int epoll_fd) : shared_(shared), epoll_fd_(epoll_fd) {}
  ~ClientConn() { close_socket(); }

  // Connects (non-blocking). False on an immediate failure (counted).
  bool connect(const sockaddr* addr, socklen_t addr_len);
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
  void close_socket();

  Shared& shared_;
  int epoll_fd_;
  int fd_ = -1;
  State state_ = State::Connecting;
  SslPtr ssl_;
  SessionPtr session_;  // the last session, offered again when this slot reconnects
  std::unique_ptr<Driver> driver_;
  std::string out_;
  size_t out_off_ = 0;
  bool watching_write_ = false;
  char in_[16 * 1024];
};

}  // namespace vtj::bench
