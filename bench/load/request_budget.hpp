#pragma once
// --requests N and --per-connection K: how many requests the run makes in all (shared by the worker
// threads), how many each connection makes, and when the last one has ended.

#include <atomic>
#include <cstdint>

#include "load_stats.hpp"

namespace vtj::bench {

class RequestBudget {
 public:
  explicit RequestBudget(uint64_t total) : total_(total), left_(total) {}  // 0: no limit

  // Up to `want` of the requests not yet handed out (all of them without a limit).
  uint64_t take(uint64_t want);
  void give_back(uint64_t n);
  // n requests answered or failed.
  void finish(uint64_t n);
  // Every request has been handed out / has ended; never without a limit.
  bool spent() const { return total_ != 0 && left_.load() == 0; }
  bool done() const { return total_ != 0 && finished_.load() >= total_; }
  // When the last request ended (done() only).
  Clock::time_point done_at() const { return Clock::time_point(Clock::duration(done_at_.load())); }

 private:
  const uint64_t total_;
  std::atomic<uint64_t> left_;
  std::atomic<uint64_t> finished_{0};
  std::atomic<Clock::rep> done_at_{0};
};

// The requests one connection may start. With a limit per connection, the connection reserves them
// when it opens (fewer when fewer are left): none opens for nothing, and the last requests of the run
// are not spread over extra connections. Kept alive, it reserves its first request and takes the
// others one at a time.
class ConnQuota {
 public:
  ConnQuota(RequestBudget& budget, uint64_t per_connection) : budget_(budget), limit_(per_connection) {}

  // The connection opens: false when there is nothing left for it to do.
  bool open();
  // May the connection start one more request?
  bool take();
  void finish(uint64_t n) { budget_.finish(n); }
  // The connection has ended: what it reserved and did not start goes back.
  void close();

 private:
  RequestBudget& budget_;
  const uint64_t limit_;  // 0: unlimited
  uint64_t reserved_ = 0;
};

}  // namespace vtj::bench
