#pragma once
// What the simulator has answered, for tests that prove caching and single-flight (GET /status): one
// place declares every counter. Relaxed atomics: each counter is exact, a snapshot across them need not be.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "code_tables.hpp"
#include "register_sim.hpp"
#include "soap_request.hpp"

namespace vtj::sim {

inline constexpr size_t kFaultKinds = 9;  // Fault::None .. Fault::Oversized

class Counters {
 public:
  // A register query answered with a Paluukoodi (possibly with a fault acted out on it).
  void query(Transport t, std::string_view code, Fault fault);
  // A request that was not a readable query (HTTP error, SOAP Client fault, X-Road header fault).
  void rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  void handling(uint64_t micros) { handling_us_.fetch_add(micros, std::memory_order_relaxed); }

  uint64_t queries() const { return queries_.load(std::memory_order_relaxed); }
  std::string json() const;
  void reset();

 private:
  std::atomic<uint64_t> queries_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> handling_us_{0};
  std::atomic<uint64_t> other_code_{0};
  std::array<std::atomic<uint64_t>, kKnownCodes.size()> by_code_{};
  std::array<std::atomic<uint64_t>, kFaultKinds> by_fault_{};
  std::array<std::atomic<uint64_t>, kTransports> by_transport_{};
};

}  // namespace vtj::sim
