// A bucket's heap is a slotted page: records (a Record, then its value) packed from the heap's start, a
// directory of their offsets sorted by offset, and a top past the last one. A record is allocated at the
// top; one removed from the middle leaves a hole that the next allocation which finds no room at the top
// squeezes out by sliding the records down (compaction). All of it is O(kMaxRecords) and under the lock.

#include "cache/shm_bucket.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <new>

namespace vtj::cache::shm {

namespace {

DirEntry& entry(Bucket& b, size_t i) {
  return i < kNearRecords ? b.near[i] : b.far[i - kNearRecords];
}

Record* record_at(Bucket& b, size_t i) {
  return std::launder(reinterpret_cast<Record*>(b.heap + size_t{entry(b, i).at} * kUnitBytes));
}

size_t index_of(Bucket& b, const Record& r) {
  const auto at = static_cast<size_t>(reinterpret_cast<const unsigned char*>(&r) - b.heap) / kUnitBytes;
  size_t i = 0;
  while (i + 1u < b.head.records && entry(b, i).at != at) {
    i++;
  }
  return i;
}

// Under the bucket's lock: the only writer.
void add_used(Bucket& b, int units) {
  b.head.used.store(static_cast<uint16_t>(used_units(b) + units), std::memory_order_relaxed);
}

// The end of the last record: where the next one goes.
uint16_t end_of_last(Bucket& b) {
  if (b.head.records == 0) {
    return 0;
  }
  const size_t last = b.head.records - 1u;
  return static_cast<uint16_t>(entry(b, last).at + record_at(b, last)->units);
}

// Slides every record down over the holes, in offset order, so that all free room is at the top.
void compact(Bucket& b) {
  uint16_t to = 0;
  for (size_t i = 0; i < b.head.records; i++) {
    const uint16_t units = record_at(b, i)->units;
    DirEntry& e = entry(b, i);
    if (e.at != to) {
      std::memmove(b.heap + size_t{to} * kUnitBytes, b.heap + size_t{e.at} * kUnitBytes,
                   size_t{units} * kUnitBytes);
      e.at = to;
    }
    to = static_cast<uint16_t>(to + units);
  }
  b.head.top = to;
}

bool older(const Record& a, const Record& b) {
  return static_cast<int32_t>(a.used - b.used) < 0;  // the tick wraps
}

// The record to remove to make room, or nullptr when every record is a live flight.
Record* victim(Header& h, Bucket& b, Now& now) {
  Record* dead = nullptr;
  Record* live = nullptr;
  for (size_t i = 0; i < b.head.records; i++) {
    Record* r = record_at(b, i);
    if (flight_live(*r, now)) {
      continue;
    }
    Record*& best = r->has_value != 0 && r->keep_until_ms > now.wall_ms() ? live : dead;
    if (best == nullptr || older(*r, *best)) {
      best = r;
    }
  }
  if (dead != nullptr) {
    return dead;
  }
  if (live != nullptr) {
    h.evictions.fetch_add(1, std::memory_order_relaxed);
  }
  return live;
}

// Raises or lowers the away counter of `key` in its primary bucket, which another process may change at
// the same time (it lowers counters holding only the secondary's lock). A counter at kAwaySticky stays.
void count_away(const Table& t, const Key& key, bool raise) {
  const size_t slot = away_slot(key);
  std::atomic<uint8_t>& byte = t[primary_index(key, t.header->bucket_count)].head.away[slot / 2];
  const unsigned one = 1u << (slot % 2 * 4);
  uint8_t seen = byte.load(std::memory_order_relaxed);
  for (;;) {
    const unsigned n = away_count(seen, slot);
    if (n == kAwaySticky || (!raise && n == 0)) {
      return;
    }
    const auto next = static_cast<uint8_t>(raise ? seen + one : seen - one);
    if (byte.compare_exchange_weak(seen, next, std::memory_order_relaxed)) {
      return;
    }
  }
}

// `r` no longer holds a value (it is about to lose it, or to go).
void forget_value(const Table& t, uint64_t i, Record& r) {
  if (r.has_value == 0) {
    return;
  }
  r.has_value = 0;
  r.value_len = 0;
  t[i].head.entries.fetch_sub(1, std::memory_order_relaxed);
  if (t.away(i, r.key)) {
    count_away(t, r.key, false);
  }
}

}  // namespace

int64_t wall_clock_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t to_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

bool process_alive(int32_t pid) {
  return pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH;
}

bool flight_live(const Record& r, Now& now) {
  return r.flight != 0 && r.lease_until_ns > now.steady_ns() && process_alive(r.leader_pid);
}

void futex_wait(std::atomic<uint32_t>& word, uint32_t seen, std::chrono::nanoseconds timeout) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000000000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1000000000);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT, seen, &ts, nullptr, 0);
}

void futex_wake_all(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void BucketLock::lock(Header& h, Bucket& b) {
  b_ = &b;
  int rc = pthread_mutex_lock(&b.head.mutex);
  if (rc == EOWNERDEAD) {
    pthread_mutex_consistent(&b.head.mutex);
    wipe(b);
    // Waiters of the dropped flights look again now rather than at their next slice.
    b.head.generation.fetch_add(1, std::memory_order_relaxed);
    futex_wake_all(b.head.generation);
    h.lock_recoveries.fetch_add(1, std::memory_order_relaxed);
    rc = 0;
  }
  // Otherwise ENOTRECOVERABLE, which only a caller that skipped pthread_mutex_consistent leaves: the
  // bucket is then unusable and its callers go without the cache.
  held_ = rc == 0;
}

void BucketLock::unlock() {
  if (held_) {
    pthread_mutex_unlock(&b_->head.mutex);
    held_ = false;
  }
}

void wipe(Bucket& b) {
  b.head.entries.store(0, std::memory_order_relaxed);
  b.head.records = 0;
  b.head.top = 0;
  b.head.used.store(0, std::memory_order_relaxed);
  std::memset(static_cast<void*>(b.near), 0, sizeof b.near);
  std::memset(static_cast<void*>(b.far), 0, sizeof b.far);
  std::memset(b.heap, 0, sizeof b.heap);
}

Record* find(Bucket& b, const Key& key) {
  const uint16_t tag = tag_of(key);
  for (size_t i = 0; i < b.head.records; i++) {
    if (entry(b, i).tag == tag) {
      Record* r = record_at(b, i);
      if (r->key == key) {
        return r;
      }
    }
  }
  return nullptr;
}

Record* allocate(const Table& t, uint64_t i, const Key& key, size_t units, Now& now) {
  Bucket& b = t[i];
  if (units > kHeapUnits) {
    return nullptr;
  }
  while (b.head.records == kMaxRecords || kHeapUnits - used_units(b) < units) {
    Record* r = victim(*t.header, b, now);
    if (r == nullptr) {
      return nullptr;
    }
    remove(t, i, *r);
  }
  if (kHeapUnits - b.head.top < units) {
    compact(b);
  }
  const uint16_t at = b.head.top;
  entry(b, b.head.records) = DirEntry{at, tag_of(key)};
  b.head.records++;
  b.head.top = static_cast<uint16_t>(at + units);
  add_used(b, static_cast<int>(units));
  auto* r = new (b.heap + size_t{at} * kUnitBytes) Record();
  r->key = key;
  r->units = static_cast<uint16_t>(units);
  touch(b, *r);
  return r;
}

void set_value(const Table& t, uint64_t i, Record& r, std::string_view value) {
  std::memcpy(&r + 1, value.data(), value.size());
  r.value_len = static_cast<uint16_t>(value.size());
  if (r.has_value == 0) {
    r.has_value = 1;
    t[i].head.entries.fetch_add(1, std::memory_order_relaxed);
    if (t.away(i, r.key)) {
      count_away(t, r.key, true);
    }
  }
}

void drop_value(const Table& t, uint64_t i, Record& r) {
  if (r.has_value == 0) {
    return;
  }
  Bucket& b = t[i];
  forget_value(t, i, r);
  const bool last = index_of(b, r) + 1u == b.head.records;
  add_used(b, -static_cast<int>(r.units - kRecordUnits));
  r.units = kRecordUnits;
  if (last) {
    b.head.top = end_of_last(b);
  }
}

void remove(const Table& t, uint64_t i, Record& r) {
  Bucket& b = t[i];
  forget_value(t, i, r);
  const size_t at = index_of(b, r);
  add_used(b, -static_cast<int>(r.units));
  for (size_t j = at; j + 1u < b.head.records; j++) {
    entry(b, j) = entry(b, j + 1);
  }
  b.head.records--;
  b.head.top = end_of_last(b);
}

}  // namespace vtj::cache::shm
