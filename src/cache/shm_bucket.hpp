#pragma once
// One bucket of the shared-memory store: its robust lock, and its slotted heap of records (find, allocate
// with eviction and compaction, shrink, remove). Everything here runs under the bucket's lock; the store
// (shm_store.cpp) decides which bucket a key's records go to.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "cache/shm_layout.hpp"

namespace vtj::cache::shm {

int64_t wall_clock_ms();
int64_t to_ns(std::chrono::steady_clock::time_point t);

// The moment an operation works at, each clock read when first needed: the wall clock for expiry, the
// monotonic clock for leases and deadlines (steady_clock is CLOCK_MONOTONIC: one clock for every process
// of the machine).
class Now {
 public:
  int64_t wall_ms() {
    if (!wall_ms_) {
      wall_ms_ = wall_clock_ms();
    }
    return *wall_ms_;
  }
  std::chrono::steady_clock::time_point steady() {
    if (!steady_) {
      steady_ = std::chrono::steady_clock::now();
    }
    return *steady_;
  }
  int64_t steady_ns() { return to_ns(steady()); }

 private:
  std::optional<int64_t> wall_ms_;
  std::optional<std::chrono::steady_clock::time_point> steady_;
};

// A zombie still counts as alive until its parent reaps it; the lease bounds that too.
bool process_alive(int32_t pid);
bool flight_live(const Record& r, Now& now);

// Not FUTEX_PRIVATE_FLAG: the word is shared between processes.
void futex_wait(std::atomic<uint32_t>& word, uint32_t seen, std::chrono::nanoseconds timeout);
void futex_wake_all(std::atomic<uint32_t>& word);

// A bucket's mutex, held for one look or change. A lock whose owner died is repaired here: the owner may
// have been halfway through writing any record of the bucket (or compacting it), so all are dropped.
class BucketLock {
 public:
  BucketLock() = default;
  BucketLock(Header& h, Bucket& b) { lock(h, b); }
  ~BucketLock() { unlock(); }
  BucketLock(const BucketLock&) = delete;
  BucketLock& operator=(const BucketLock&) = delete;

  void lock(Header& h, Bucket& b);
  bool held() const { return held_; }
  void unlock();

 private:
  Bucket* b_ = nullptr;
  bool held_ = false;
};

// The store's buckets, for what reaches past one bucket: a value stored in its key's secondary bucket
// is counted in the primary's away counters (BucketHead::away).
struct Table {
  Header* header = nullptr;
  Bucket* buckets = nullptr;
  Bucket& operator[](uint64_t i) const { return buckets[i]; }
  bool away(uint64_t i, const Key& key) const { return primary_index(key, header->bucket_count) != i; }
};

// Empties a bucket (its lock, futex word and away counters stay).
void wipe(Bucket& b);

// Whether the secondary bucket may hold a value of `key`, whose primary is `primary`: only false when
// read under the primary's lock is the answer certain (otherwise it is a hint of where to look first).
inline bool maybe_away(const Bucket& primary, const Key& key) {
  const size_t slot = away_slot(key);
  return away_count(primary.head.away[slot / 2].load(std::memory_order_relaxed), slot) != 0;
}

inline uint16_t used_units(const Bucket& b) {
  return b.head.used.load(std::memory_order_relaxed);
}

Record* find(Bucket& b, const Key& key);
inline std::string_view value_of(const Record& r) {
  return {reinterpret_cast<const char*>(&r + 1), r.value_len};
}
// The record is looked at or stored now: last in the bucket's LRU order.
inline void touch(Bucket& b, Record& r) {
  r.used = ++b.head.tick;
}

// A new record for `key` of `units` (units_for(value size)) in bucket `i`, holding nothing yet. Room is
// made by removing the least recently used record that holds nothing worth keeping (no value, or one past
// its keep time), else the least recently used live value (counted in evictions); a live flight is never
// removed. nullptr when live flights leave no room. Records of the bucket may move (compaction): pointers
// into it taken before are stale afterwards.
Record* allocate(const Table& t, uint64_t i, const Key& key, size_t units, Now& now);
// Writes `value` into `r` (in bucket `i`), which has room for it.
void set_value(const Table& t, uint64_t i, Record& r, std::string_view value);
// The value goes; the record keeps its key and flight state and gives the value's room back.
void drop_value(const Table& t, uint64_t i, Record& r);
void remove(const Table& t, uint64_t i, Record& r);

}  // namespace vtj::cache::shm
