#pragma once
// The seam between a connection (socket, TLS, poll loop, timers) and the HTTP version spoken over it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace vtj::sim {

class Dispatcher;
using Clock = std::chrono::steady_clock;

// What a protocol may ask of its connection.
class Wire {
 public:
  virtual ~Wire() = default;
  // Bytes to send: append; the connection encrypts and writes them.
  virtual std::string& out() = 0;
  // Send what is in out(), then close_notify and close.
  virtual void finish() = 0;
  // Close at once with a TCP RST (SO_LINGER 0); nothing else is sent.
  virtual void abort_reset() = 0;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  // Decrypted bytes from the client.
  virtual void on_input(const char* data, size_t len) = 0;
  // Called after every wake-up; sends the delayed replies that are due.
  virtual void on_timer(Clock::time_point now) = 0;
  // The earliest delayed reply, if any: the connection's poll timeout.
  virtual std::optional<Clock::time_point> next_due() const = 0;
  // Appends output that is produced lazily (HTTP/2 frames) until out() holds about `budget` bytes.
  virtual void produce(size_t /*budget*/) {}
  // False once the protocol has nothing more to read or write (HTTP/2 after GOAWAY).
  virtual bool alive() const { return true; }
  // True while a fault (hang, latency) holds a reply back: the client is waiting on the server then, so
  // the connection's idle timeout does not run and a hang lasts until the client leaves.
  virtual bool holding() const { return false; }
};

std::unique_ptr<Protocol> make_http1(Wire& wire, Dispatcher& dispatcher);
// nullptr when nghttp2 cannot create a session (out of memory).
std::unique_ptr<Protocol> make_http2(Wire& wire, Dispatcher& dispatcher);

// Limits for both HTTP versions.
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;

}  // namespace vtj::sim
