#pragma once
// What a request gets, whichever HTTP version carried it: the admin endpoints (/status, /reset, /control)
// are answered here, everything else by the register logic. Also the server's counters, declared in one
// place.

#include <atomic>
#include <cstdint>
#include <string>

#include "register_sim.hpp"

namespace vtj::sim {

struct ServerStats {
  std::atomic<uint64_t> connections{0};  // accepted TCP connections
  std::atomic<uint64_t> tls_handshakes{0};
  std::atomic<uint64_t> tls_resumed{0};  // handshakes that resumed a session (no certificates exchanged)
  std::atomic<uint64_t> tls_handshake_failures{0};
  std::atomic<uint64_t> active_connections{0};  // a gauge: not zeroed by /reset
  std::atomic<uint64_t> requests{0};            // every HTTP request, admin ones included
  std::atomic<uint64_t> h2_connections{0};
  std::atomic<uint64_t> http1_connections{0};
  std::atomic<uint64_t> idle_timeouts{0};  // connections closed by --idle-timeout

  void reset();
  // The members of the /status object, without braces.
  std::string json() const;
};

inline void bump(std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

class Dispatcher {
 public:
  Dispatcher(Register& reg, ServerStats& stats, bool verbose) : reg_(reg), stats_(stats), verbose_(verbose) {}

  // `protocol` ("http/1.1", "h2") is only for the verbose log line.
  Reply handle(const HttpRequest& request, const char* protocol);

  ServerStats& stats() { return stats_; }
  bool verbose() const { return verbose_; }

 private:
  Reply admin(const HttpRequest& request, bool& handled);

  Register& reg_;
  ServerStats& stats_;
  bool verbose_;
};

// The reason phrase HTTP/1.1 writes after the status code.
const char* reason_phrase(int status);

}  // namespace vtj::sim
