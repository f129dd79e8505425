#pragma once
// What one load thread counts, merged at the end into the summary.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "load_options.hpp"

namespace vtj::bench {

using Clock = std::chrono::steady_clock;

// Latencies in microseconds, log-linear buckets (exact below 1024 us, then 64 buckets per power of two:
// under 2% error), so a long run keeps no per-request samples.
class LatencyHistogram {
 public:
  void add(uint64_t us);
  void merge(const LatencyHistogram& other);
  // The latency below which `fraction` of the samples lie (upper edge of the bucket), in microseconds.
  uint64_t percentile(double fraction) const;
  uint64_t max() const { return max_; }
  uint64_t count() const { return count_; }

 private:
  static constexpr int kLinear = 1024;
  static constexpr int kSub = 64;
  static constexpr int kBands = 32;
  static size_t index(uint64_t us);
  static uint64_t upper_edge(size_t index);

  std::array<uint64_t, kLinear + kBands * kSub> buckets_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

struct LoadStats {
  uint64_t ok = 0;                    // 2xx answers
  uint64_t non_2xx = 0;               // other complete answers
  std::map<int, uint64_t> by_status;  // non-2xx answers by status
  uint64_t transport_errors = 0;      // connect, TLS, reset, malformed or cut responses
  uint64_t connections = 0;           // opened (TCP connects started)
  uint64_t handshakes = 0;
  uint64_t resumed = 0;
  uint64_t bytes_received = 0;
  std::string first_error;  // the first transport error, for the summary
  LatencyHistogram latency;

  void record(int status, Clock::duration took);
  void error(const std::string& what);
  void merge(const LoadStats& other);
};

// The summary vtj-load prints.
std::string format_summary(const LoadStats& stats, double seconds, const LoadOptions& options);
// --csv: a header line and a line of values.
std::string format_csv(const LoadStats& stats, double seconds);

}  // namespace vtj::bench
