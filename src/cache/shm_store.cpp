// VTJCache shm:SIZE and none. One store in shared memory serves every worker process (and thread) of a
// server: a fixed array of buckets, each a robust process-shared mutex, a futex word and kWays slots.
// Nothing in it may depend on a process staying alive: a worker killed while holding a lock leaves the
// lock repaired by the next process (the entries it guarded dropped), a leader killed mid-query leaves a
// flight the next caller takes over, and waiters sleep on a futex, never on a process-shared condition
// variable (glibc's cannot be woken safely once a waiter process has died inside it).

#include "vtj/cache.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <new>

#include "cache/shm_layout.hpp"

namespace vtj::cache {

namespace {

using namespace shm;
using Kind = Store::Acquired::Kind;

// A waiter looks again at least this often, so a leader that died without a word is noticed.
constexpr std::chrono::milliseconds kWaitSlice{50};

int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// steady_clock is CLOCK_MONOTONIC: one clock for every process of the machine, so a lease written by one
// process means the same to another, and deadlines (steady_clock) compare with it.
int64_t to_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// A zombie still counts as alive until its parent reaps it; the lease bounds that too.
bool process_alive(int32_t pid) {
  return pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH;
}

void count(std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

// Not FUTEX_PRIVATE_FLAG: the word is shared between processes.
void futex_wait(std::atomic<uint32_t>& word, uint32_t seen, std::chrono::nanoseconds timeout) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000000000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1000000000);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT, seen, &ts, nullptr, 0);
}

void futex_wake_all(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void drop_value(Bucket& b, Slot& s) {
  if (s.meta.has_value != 0) {
    s.meta.has_value = 0;
    s.meta.value_len = 0;
    b.head.entries.fetch_sub(1, std::memory_order_relaxed);
  }
}

bool flight_live(const SlotMeta& m, int64_t now_ns) {
  return m.flight != 0 && m.lease_until_ns > now_ns && process_alive(m.leader_pid);
}

// Ends the slot's flight; the caller wakes the bucket's waiters once it has unlocked.
void end_flight(Bucket& b, Slot& s, Ended how) {
  s.meta.ended_flight = s.meta.flight;
  s.meta.ended_how = how;
  s.meta.flight = 0;
  s.meta.leader_pid = 0;
  s.meta.lease_until_ns = 0;
  b.head.generation.fetch_add(1, std::memory_order_relaxed);
}

std::optional<std::string> kept_value(const Slot& s) {
  if (s.meta.has_value == 0) {
    return std::nullopt;
  }
  return std::string(s.value, s.meta.value_len);
}

Slot* find(Bucket& b, const Key& key) {
  for (Slot& s : b.slots) {
    if (s.meta.in_use != 0 && s.meta.key == key) {
      return &s;
    }
  }
  return nullptr;
}

// A bucket's mutex, held for one look or change. A lock whose owner died is repaired here: the owner may
// have been halfway through writing any slot of the bucket, so all of them are dropped.
class BucketLock {
 public:
  BucketLock(Header& h, Bucket& b) : b_(b) {
    int rc = pthread_mutex_lock(&b.head.mutex);
    if (rc == EOWNERDEAD) {
      pthread_mutex_consistent(&b.head.mutex);
      std::memset(static_cast<void*>(b.slots), 0, sizeof b.slots);
      b.head.entries.store(0, std::memory_order_relaxed);
      // Waiters of the dropped flights look again now rather than at their next slice.
      b.head.generation.fetch_add(1, std::memory_order_relaxed);
      futex_wake_all(b.head.generation);
      count(h.lock_recoveries);
      rc = 0;
    }
    // Otherwise ENOTRECOVERABLE, which only a caller that skipped pthread_mutex_consistent leaves: the
    // bucket is then unusable and its callers go without the cache.
    held_ = rc == 0;
  }
  ~BucketLock() { unlock(); }
  BucketLock(const BucketLock&) = delete;
  BucketLock& operator=(const BucketLock&) = delete;

  bool held() const { return held_; }
  void unlock() {
    if (held_) {
      pthread_mutex_unlock(&b_.head.mutex);
      held_ = false;
    }
  }

 private:
  Bucket& b_;
  bool held_ = false;
};

struct Geometry {
  uint64_t bucket_count = 0;
  size_t bytes = 0;  // what the store occupies: the header and whole buckets
};

std::optional<Geometry> geometry_for(size_t bytes) {
  if (bytes < kHeaderBytes + sizeof(Bucket)) {
    return std::nullopt;
  }
  uint64_t n = (bytes - kHeaderBytes) / sizeof(Bucket);
  return Geometry{n, kHeaderBytes + n * sizeof(Bucket)};
}

bool holds_store(const void* memory, const Geometry& g) {
  const auto* h = static_cast<const Header*>(memory);
  return h->magic == kMagic && h->version == kVersion && h->slot_bytes == kSlotBytes && h->ways == kWays &&
         h->bucket_bytes == sizeof(Bucket) && h->bucket_count == g.bucket_count;
}

// Returns an error message, or nothing once the memory holds an empty store.
std::optional<std::string> initialise(void* memory, const Geometry& g) {
  std::memset(memory, 0, g.bytes);
  auto* h = new (memory) Header();
  h->version = kVersion;
  h->slot_bytes = kSlotBytes;
  h->ways = kWays;
  h->bucket_bytes = sizeof(Bucket);
  h->bucket_count = g.bucket_count;
  h->next_flight.store(1, std::memory_order_relaxed);  // 0 means "no flight"

  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  auto* buckets = reinterpret_cast<Bucket*>(static_cast<char*>(memory) + kHeaderBytes);
  int rc = 0;
  for (uint64_t i = 0; i < g.bucket_count && rc == 0; i++) {
    auto* b = new (&buckets[i]) Bucket();
    rc = pthread_mutex_init(&b->head.mutex, &attr);
  }
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    return std::string("VTJCache shm: cannot create a shared lock: ") + std::strerror(rc);
  }
  h->magic = kMagic;
  return std::nullopt;
}

class ShmStore final : public Store {
 public:
  ShmStore(void* memory, size_t bytes, bool owned)
      : header_(static_cast<Header*>(memory)),
        buckets_(reinterpret_cast<Bucket*>(static_cast<char*>(memory) + kHeaderBytes)),
        bytes_(bytes),
        owned_(owned) {}
  ~ShmStore() override {
    if (owned_) {
      munmap(header_, bytes_);  // this process's view only: the other processes keep theirs
    }
  }
  ShmStore(const ShmStore&) = delete;
  ShmStore& operator=(const ShmStore&) = delete;

  Acquired acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease) override;
  std::optional<std::string> peek(const Key& key) override;
  void complete(const Key& key, uint64_t flight, std::string_view value, int64_t fresh_until_ms,
                int64_t keep_until_ms) override;
  void abandon(const Key& key, uint64_t flight) override;
  StoreStats stats() const override;
  size_t max_value_size() const override { return kMaxValueBytes; }

  Bucket& bucket_for(const Key& key) const { return buckets_[bucket_index(key, header_->bucket_count)]; }

 private:
  Slot* claim(Bucket& b, const Key& key, int64_t now_wall, int64_t now_ns);
  Acquired answer(Kind kind, const Slot& s, uint64_t flight = 0);
  Acquired lead_unprotected();
  template <class Change>
  void end_owned(const Key& key, uint64_t flight, Change&& change);

  Header* header_;
  Bucket* buckets_;
  size_t bytes_;
  bool owned_;
};

Store::Acquired ShmStore::answer(Kind kind, const Slot& s, uint64_t flight) {
  Acquired a{kind, kept_value(s), flight};
  if (kind == Kind::Fresh) {
    count(header_->hits);
  } else if (a.value) {
    count(header_->stale_hits);
  }
  return a;
}

// Lead without a marker (flight 0): complete() and abandon() ignore it, nobody waits for it.
Store::Acquired ShmStore::lead_unprotected() {
  count(header_->misses);
  return Acquired{Kind::Lead, std::nullopt, 0};
}

// A slot for a key the bucket does not hold: a never used one, else the least recently used one holding
// nothing worth keeping, else the least recently used live entry (an eviction). A live flight is never
// pushed out: with all ways in flight there is no slot (nullptr).
Slot* ShmStore::claim(Bucket& b, const Key& key, int64_t now_wall, int64_t now_ns) {
  Slot* dead = nullptr;
  Slot* victim = nullptr;
  Slot* pick = nullptr;
  for (Slot& s : b.slots) {
    const SlotMeta& m = s.meta;
    if (m.in_use == 0) {
      pick = &s;
      break;
    }
    if (flight_live(m, now_ns)) {
      continue;
    }
    Slot*& best = m.has_value != 0 && m.keep_until_ms > now_wall ? victim : dead;
    if (best == nullptr || m.used_ns < best->meta.used_ns) {
      best = &s;
    }
  }
  if (pick == nullptr) {
    pick = dead != nullptr ? dead : victim;
    if (pick == nullptr) {
      return nullptr;
    }
    if (pick == victim) {
      count(header_->evictions);
    }
  }
  drop_value(b, *pick);
  std::memset(static_cast<void*>(&pick->meta), 0, sizeof pick->meta);
  pick->meta.key = key;
  pick->meta.in_use = 1;
  return pick;
}

std::optional<std::string> ShmStore::peek(const Key& key) {
  Bucket& b = bucket_for(key);
  BucketLock lock(*header_, b);
  if (!lock.held()) {
    return std::nullopt;
  }
  Slot* s = find(b, key);
  if (s == nullptr || s->meta.has_value == 0 || wall_ms() >= s->meta.fresh_until_ms) {
    return std::nullopt;
  }
  s->meta.used_ns = to_ns(std::chrono::steady_clock::now());
  count(header_->hits);
  return kept_value(*s);
}

Store::Acquired ShmStore::acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease) {
  Bucket& b = bucket_for(key);
  uint64_t waiting_for = 0;  // the flight this caller waits for, once it waits
  for (;;) {
    BucketLock lock(*header_, b);
    if (!lock.held()) {
      return lead_unprotected();
    }
    const int64_t now_wall = wall_ms();
    const auto now = std::chrono::steady_clock::now();
    const int64_t now_ns = to_ns(now);
    Slot* s = find(b, key);
    if (s != nullptr) {
      SlotMeta& m = s->meta;
      if (m.has_value != 0 && m.keep_until_ms <= now_wall) {
        drop_value(b, *s);
      }
      if (m.has_value != 0 && now_wall < m.fresh_until_ms) {
        m.used_ns = now_ns;
        return answer(Kind::Fresh, *s);
      }
      // The flight waited for has ended (flight ids grow, so a later flight's end covers it too).
      if (waiting_for != 0 && m.ended_flight >= waiting_for) {
        if (m.ended_how == Ended::Stored && m.has_value != 0) {
          return answer(Kind::Fresh, *s);  // the answer waited for, even if already past its fresh time
        }
        if (m.ended_how == Ended::Abandoned) {
          return answer(Kind::Failed, *s);
        }
        if (m.ended_how == Ended::Unstorable) {
          return lead_unprotected();
        }
      }
      if (flight_live(m, now_ns)) {
        if (waiting_for == 0) {
          count(header_->waits);
        }
        waiting_for = m.flight;  // follows a takeover: the new leader's answer is as good
        if (now >= deadline) {
          return answer(Kind::TimedOut, *s);
        }
        const uint32_t seen = b.head.generation.load(std::memory_order_relaxed);
        lock.unlock();
        futex_wait(b.head.generation, seen, std::min<std::chrono::nanoseconds>(kWaitSlice, deadline - now));
        continue;
      }
    } else {
      s = claim(b, key, now_wall, now_ns);
      if (s == nullptr) {
        return lead_unprotected();
      }
    }
    // Nobody is querying (or the leader died, or its lease ran out): this caller leads a new flight.
    SlotMeta& m = s->meta;
    m.flight = header_->next_flight.fetch_add(1, std::memory_order_relaxed);
    m.leader_pid = getpid();
    m.lease_until_ns = now_ns + std::chrono::duration_cast<std::chrono::nanoseconds>(lease).count();
    m.used_ns = now_ns;
    count(header_->misses);
    return answer(Kind::Lead, *s, m.flight);
  }
}

// Runs `change` on the slot that `flight` still owns, under the bucket's lock, then wakes the bucket's
// waiters. A flight that no longer owns its slot (taken over, or dropped with a repaired lock) changes
// nothing: the current flight decides.
template <class Change>
void ShmStore::end_owned(const Key& key, uint64_t flight, Change&& change) {
  if (flight == 0) {
    return;
  }
  Bucket& b = bucket_for(key);
  {
    BucketLock lock(*header_, b);
    Slot* s = lock.held() ? find(b, key) : nullptr;
    if (s == nullptr || s->meta.flight != flight) {
      return;
    }
    change(b, *s);
  }
  futex_wake_all(b.head.generation);
}

void ShmStore::complete(const Key& key, uint64_t flight, std::string_view value, int64_t fresh_until_ms,
                        int64_t keep_until_ms) {
  if (value.size() > kMaxValueBytes) {
    count(header_->too_large);
    end_owned(key, flight, [](Bucket& b, Slot& s) {
      // A kept value is older than the answer that did not fit: it no longer stands for the key.
      drop_value(b, s);
      end_flight(b, s, Ended::Unstorable);
    });
    return;
  }
  end_owned(key, flight, [&](Bucket& b, Slot& s) {
    std::memcpy(s.value, value.data(), value.size());
    if (s.meta.has_value == 0) {
      s.meta.has_value = 1;
      b.head.entries.fetch_add(1, std::memory_order_relaxed);
    }
    s.meta.value_len = static_cast<uint16_t>(value.size());
    s.meta.fresh_until_ms = fresh_until_ms;
    s.meta.keep_until_ms = std::max(keep_until_ms, fresh_until_ms);
    s.meta.used_ns = to_ns(std::chrono::steady_clock::now());
    count(header_->stores);
    end_flight(b, s, Ended::Stored);
  });
}

void ShmStore::abandon(const Key& key, uint64_t flight) {
  end_owned(key, flight, [](Bucket& b, Slot& s) { end_flight(b, s, Ended::Abandoned); });
}

StoreStats ShmStore::stats() const {
  auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  StoreStats st;
  st.hits = get(header_->hits);
  st.stale_hits = get(header_->stale_hits);
  st.misses = get(header_->misses);
  st.waits = get(header_->waits);
  st.stores = get(header_->stores);
  st.evictions = get(header_->evictions);
  st.too_large = get(header_->too_large);
  st.lock_recoveries = get(header_->lock_recoveries);
  for (uint64_t i = 0; i < header_->bucket_count; i++) {
    st.entries += buckets_[i].head.entries.load(std::memory_order_relaxed);
  }
  st.capacity = header_->bucket_count * kWays;
  st.bytes = bytes_;
  return st;
}

class NoneStore final : public Store {
 public:
  Acquired acquire(const Key&, Deadline, std::chrono::milliseconds) override { return Acquired{}; }
  std::optional<std::string> peek(const Key&) override { return std::nullopt; }
  void complete(const Key&, uint64_t, std::string_view, int64_t, int64_t) override {}
  void abandon(const Key&, uint64_t) override {}
  StoreStats stats() const override { return StoreStats{}; }
  size_t max_value_size() const override { return SIZE_MAX; }
};

std::string too_small(size_t bytes) {
  return "VTJCache shm: " + std::to_string(bytes) + " bytes is less than one bucket (" +
         std::to_string(kHeaderBytes + sizeof(Bucket)) + " bytes)";
}

}  // namespace

std::unique_ptr<Store> make_none_store() {
  return std::make_unique<NoneStore>();
}

Result<std::unique_ptr<Store>, std::string> make_shm_store(size_t bytes) {
  std::optional<Geometry> g = geometry_for(bytes);
  if (!g) {
    return err(too_small(bytes));
  }
  void* memory = mmap(nullptr, g->bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    return err("VTJCache shm: cannot map " + std::to_string(g->bytes) + " bytes: " + std::strerror(errno));
  }
  if (std::optional<std::string> failed = initialise(memory, *g)) {
    munmap(memory, g->bytes);
    return err(std::move(*failed));
  }
  return std::unique_ptr<Store>(std::make_unique<ShmStore>(memory, g->bytes, true));
}

Result<std::unique_ptr<Store>, std::string> attach_shm_store(void* memory, size_t bytes) {
  std::optional<Geometry> g = geometry_for(bytes);
  if (!g) {
    return err(too_small(bytes));
  }
  if (reinterpret_cast<uintptr_t>(memory) % alignof(Bucket) != 0) {
    return err(std::string("VTJCache shm: the shared memory is not aligned to 64 bytes"));
  }
  if (!holds_store(memory, *g)) {
    if (std::optional<std::string> failed = initialise(memory, *g)) {
      return err(std::move(*failed));
    }
  }
  return std::unique_ptr<Store>(std::make_unique<ShmStore>(memory, g->bytes, false));
}

namespace testing {

void hold_bucket_lock(Store& store, const Key& key) {
  pthread_mutex_lock(&dynamic_cast<ShmStore&>(store).bucket_for(key).head.mutex);
}

}  // namespace testing

}  // namespace vtj::cache
