// VTJCache shm:SIZE and none. One store in shared memory serves every worker process (and thread) of a
// server: a fixed array of buckets (shm_layout.hpp), each a robust process-shared mutex, a futex word and
// a heap of variable-size records (shm_bucket.hpp). A key has two buckets: its value is stored in the one
// that held less at the time (two-choice hashing keeps buckets evenly full), and its flight in the
// primary one, where its waiters sleep. Nothing may depend on a process staying alive: a worker killed
// while holding a lock leaves the lock repaired by the next process (the records it guarded dropped), a
// leader killed mid-query leaves a flight the next caller takes over, and waiters sleep on a futex, never
// on a process-shared condition variable (glibc's cannot be woken safely once a waiter process has died
// inside it).
//
// Locks: a lookup holds one bucket at a time (the secondary first when the primary's away counter says
// the key's value may be there). Whatever must see both buckets at once (leading or waiting while a value
// may be in the secondary, completing when the secondary holds an old value or looks emptier) locks both,
// the lower index first, so that no two callers wait for each other. The primary's lock alone suffices
// otherwise: a value reaches the secondary only under both locks, so while the primary is held and its
// away counter for the key reads zero, the secondary holds no value of the key and gains none.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "cache/shm_bucket.hpp"
#include "cache/shm_layout.hpp"
#include "vtj/cache.hpp"

namespace vtj::cache {

namespace {

using namespace shm;
using Kind = Store::Acquired::Kind;

// A waiter looks again at least this often, so a leader that died without a word is noticed.
constexpr std::chrono::milliseconds kWaitSlice{50};

void count(std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

// A key's two buckets (the same one when the store has a single bucket).
struct Pair {
  uint64_t p = 0, s = 0;
  Bucket* primary = nullptr;
  Bucket* secondary = nullptr;
  bool one() const { return p == s; }
};

// The primary bucket of a pair, or both (in index order).
class PairLock {
 public:
  PairLock(Header& h, const Pair& pair, bool both) {
    if (!both || pair.one()) {
      first_.lock(h, *pair.primary);
      held_ = first_.held();
      return;
    }
    first_.lock(h, pair.p < pair.s ? *pair.primary : *pair.secondary);
    if (first_.held()) {
      second_.lock(h, pair.p < pair.s ? *pair.secondary : *pair.primary);
    }
    held_ = first_.held() && second_.held();
  }
  bool held() const { return held_; }
  void unlock() {
    second_.unlock();
    first_.unlock();
  }

 private:
  BucketLock first_, second_;
  bool held_ = false;
};

// A key's records in its two buckets.
struct Found {
  Record* primary = nullptr;    // flight state, maybe the value
  Record* secondary = nullptr;  // only ever a value (with the verdict of the flight that stored it)

  Record* value() const {
    if (primary != nullptr && primary->has_value != 0) {
      return primary;
    }
    return secondary != nullptr && secondary->has_value != 0 ? secondary : nullptr;
  }
  // The verdict of the latest flight that ended at or after `flight`, if any.
  const Record* ended_since(uint64_t flight) const {
    const Record* latest = nullptr;
    for (const Record* r : {primary, secondary}) {
      if (r != nullptr && r->ended_flight >= flight &&
          (latest == nullptr || r->ended_flight > latest->ended_flight)) {
        latest = r;
      }
    }
    return latest;
  }
};

// The key's records in the buckets locked: the primary, and the secondary when `both`.
Found find_in(const Pair& pair, const Key& key, bool both) {
  Found f;
  f.primary = find(*pair.primary, key);
  f.secondary = both && !pair.one() ? find(*pair.secondary, key) : nullptr;
  return f;
}

// Under the primary's lock: whether the secondary bucket may hold a value of the key (when not, it cannot
// gain one before that lock is released, and the primary's lock alone is enough).
bool secondary_matters(const Pair& pair, const Key& key) {
  return !pair.one() && maybe_away(*pair.primary, key);
}

// Values past their keep time go (a secondary record is nothing but its value).
void expire(const Table& t, const Pair& pair, Found& f, int64_t now_wall) {
  if (f.primary != nullptr && f.primary->has_value != 0 && f.primary->keep_until_ms <= now_wall) {
    drop_value(t, pair.p, *f.primary);
  }
  if (f.secondary != nullptr && f.secondary->keep_until_ms <= now_wall) {
    remove(t, pair.s, *f.secondary);
    f.secondary = nullptr;
  }
}

void end_flight(Record& r, Ended how) {
  r.ended_flight = r.flight;
  r.ended_how = how;
  r.flight = 0;
  r.leader_pid = 0;
  r.lease_until_ns = 0;
}

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

void describe(Header& h, uint64_t bucket_count) {
  h.version = kVersion;
  h.bucket_bytes = sizeof(Bucket);
  h.mutex_bytes = sizeof(pthread_mutex_t);
  h.heap_bytes = kHeapBytes;
  h.record_bytes = sizeof(Record);
  h.max_records = kMaxRecords;
  h.unit_bytes = kUnitBytes;
  h.max_value_bytes = kMaxValueBytes;
  h.bucket_count = bucket_count;
}

bool holds_store(const void* memory, const Geometry& g) {
  const auto* h = static_cast<const Header*>(memory);
  Header want{};
  describe(want, g.bucket_count);
  return h->magic == kMagic && h->version == want.version && h->bucket_bytes == want.bucket_bytes &&
         h->mutex_bytes == want.mutex_bytes && h->heap_bytes == want.heap_bytes &&
         h->record_bytes == want.record_bytes && h->max_records == want.max_records &&
         h->unit_bytes == want.unit_bytes && h->max_value_bytes == want.max_value_bytes &&
         h->bucket_count == want.bucket_count;
}

// Returns an error message, or nothing once the memory holds an empty store.
std::optional<std::string> initialise(void* memory, const Geometry& g) {
  std::memset(memory, 0, g.bytes);
  auto* h = new (memory) Header();
  describe(*h, g.bucket_count);
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
        table_{header_, buckets_},
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

  Header& header() const { return *header_; }
  uint64_t bucket_count() const { return header_->bucket_count; }
  Bucket& bucket(uint64_t i) const { return buckets_[i]; }
  Pair pair_for(const Key& key) const {
    Pair pair;
    pair.p = primary_index(key, header_->bucket_count);
    pair.s = header_->bucket_count > 1 ? secondary_index(key, pair.p, header_->bucket_count) : pair.p;
    pair.primary = &buckets_[pair.p];
    pair.secondary = &buckets_[pair.s];
    return pair;
  }

 private:
  std::optional<std::string> fresh_in(uint64_t i, const Key& key);
  Acquired answer(Kind kind, const Record* value, uint64_t flight = 0);
  Acquired lead_unprotected(const Record* kept);
  template <class Change>
  void end_owned(const Key& key, uint64_t flight, bool placing, Change&& change);

  Header* header_;
  Bucket* buckets_;
  Table table_;
  size_t bytes_;
  bool owned_;
};

Store::Acquired ShmStore::answer(Kind kind, const Record* value, uint64_t flight) {
  Acquired a{kind, std::nullopt, flight};
  if (value != nullptr) {
    a.value.emplace(value_of(*value));
  }
  if (kind == Kind::Fresh) {
    count(header_->hits);
  } else if (a.value) {
    count(header_->stale_hits);
  }
  return a;
}

// Lead without a marker (flight 0): complete() and abandon() ignore it, nobody waits for it.
Store::Acquired ShmStore::lead_unprotected(const Record* kept) {
  count(header_->misses);
  return answer(Kind::Lead, kept);
}

// A fresh value of `key` in bucket `i` alone, or nothing.
std::optional<std::string> ShmStore::fresh_in(uint64_t i, const Key& key) {
  Bucket& b = buckets_[i];
  BucketLock lock(*header_, b);
  Record* r = lock.held() ? find(b, key) : nullptr;
  if (r == nullptr || r->has_value == 0 || wall_clock_ms() >= r->fresh_until_ms) {
    return std::nullopt;
  }
  touch(b, *r);
  count(header_->hits);
  return std::string(value_of(*r));
}

// One lock at a time: a value moves only with both buckets locked, so a value missed here is at worst one
// being stored now. The away counter tells where to look first, and under the primary's lock whether the
// secondary is worth a look at all.
std::optional<std::string> ShmStore::peek(const Key& key) {
  const Pair pair = pair_for(key);
  const bool away = !pair.one() && maybe_away(*pair.primary, key);
  if (away) {
    if (std::optional<std::string> value = fresh_in(pair.s, key)) {
      return value;
    }
  }
  {
    BucketLock lock(*header_, *pair.primary);
    Record* r = lock.held() ? find(*pair.primary, key) : nullptr;
    if (r != nullptr && r->has_value != 0) {
      if (wall_clock_ms() >= r->fresh_until_ms) {
        return std::nullopt;  // the key's only value is not fresh
      }
      touch(*pair.primary, *r);
      count(header_->hits);
      return std::string(value_of(*r));
    }
    if (away || !lock.held() || !secondary_matters(pair, key)) {
      return std::nullopt;
    }
  }
  return fresh_in(pair.s, key);
}

Store::Acquired ShmStore::acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease) {
  const Pair pair = pair_for(key);
  // A value stored in the secondary bucket is most likely found there, with that bucket's lock alone.
  if (!pair.one() && maybe_away(*pair.primary, key)) {
    if (std::optional<std::string> value = fresh_in(pair.s, key)) {
      return Acquired{Kind::Fresh, std::move(value), 0};
    }
  }
  bool both = false;         // whether the secondary bucket is locked too
  uint64_t waiting_for = 0;  // the flight this caller waits for, once it waits
  for (;;) {
    PairLock lock(*header_, pair, both);
    if (!lock.held()) {
      return lead_unprotected(nullptr);
    }
    Found f = find_in(pair, key, both);
    if (!both && (f.primary == nullptr || f.primary->has_value == 0) && secondary_matters(pair, key)) {
      both = true;  // the value may be in the secondary
      continue;
    }
    Now now;
    expire(table_, pair, f, now.wall_ms());
    Record* value = f.value();
    if (value != nullptr && now.wall_ms() < value->fresh_until_ms) {
      touch(value == f.primary ? *pair.primary : *pair.secondary, *value);
      return answer(Kind::Fresh, value);
    }
    // The flight waited for has ended (flight ids grow, so a later flight's end covers it too).
    if (const Record* ended = waiting_for != 0 ? f.ended_since(waiting_for) : nullptr) {
      if (ended->ended_how == Ended::Stored && value != nullptr) {
        return answer(Kind::Fresh, value);  // the answer waited for, even if already past its fresh time
      }
      if (ended->ended_how == Ended::Abandoned) {
        return answer(Kind::Failed, value);
      }
      if (ended->ended_how == Ended::Unstorable) {
        return lead_unprotected(nullptr);
      }
    }
    Record* own = f.primary;
    if (own != nullptr && flight_live(*own, now)) {
      if (waiting_for == 0) {
        count(header_->waits);
      }
      waiting_for = own->flight;  // follows a takeover: the new leader's answer is as good
      if (now.steady() >= deadline) {
        return answer(Kind::TimedOut, value);
      }
      BucketHead& head = pair.primary->head;
      const uint32_t seen = head.generation.load(std::memory_order_relaxed);
      head.sleepers.fetch_add(1, std::memory_order_relaxed);
      lock.unlock();
      futex_wait(head.generation, seen,
                 std::min<std::chrono::nanoseconds>(kWaitSlice, deadline - now.steady()));
      head.sleepers.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    if (own == nullptr) {
      // The value, if any, is in the secondary bucket: allocating in the primary does not move it.
      own = allocate(table_, pair.p, key, kRecordUnits, now);
      if (own == nullptr) {
        return lead_unprotected(value);  // every record of the bucket is somebody's live flight
      }
    }
    // Nobody is querying (or the leader died, or its lease ran out): this caller leads a new flight.
    own->flight = header_->next_flight.fetch_add(1, std::memory_order_relaxed);
    own->leader_pid = getpid();
    own->lease_until_ns =
        now.steady_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(lease).count();
    touch(*pair.primary, *own);
    count(header_->misses);
    return answer(Kind::Lead, value, own->flight);
  }
}

// Runs `change(pair, found, both)` on the key's records while `flight` still owns the key (it is the
// primary record's live flight), then wakes the waiters. The primary bucket is locked, and the secondary
// too (`both`) when it may hold a value of the key or, with `placing`, looks emptier than the primary.
// A flight that no longer owns its key (taken over, or dropped with a repaired lock) changes nothing: the
// current flight decides.
template <class Change>
void ShmStore::end_owned(const Key& key, uint64_t flight, bool placing, Change&& change) {
  if (flight == 0) {
    return;
  }
  const Pair pair = pair_for(key);
  bool both = false;
  for (;;) {
    PairLock lock(*header_, pair, both);
    if (!lock.held()) {
      return;
    }
    Found f = find_in(pair, key, both);
    if (f.primary == nullptr || f.primary->flight != flight) {
      return;
    }
    // The primary's load without the key's own record, which goes.
    if (!both && !pair.one() &&
        (maybe_away(*pair.primary, key) ||
         (placing && used_units(*pair.secondary) < used_units(*pair.primary) - f.primary->units))) {
      both = true;
      continue;
    }
    change(pair, f, both);
    pair.primary->head.generation.fetch_add(1, std::memory_order_relaxed);
    break;
  }
  // A waiter counted itself under the lock before it read the generation: seen here, or it saw the end.
  if (pair.primary->head.sleepers.load(std::memory_order_relaxed) != 0) {
    futex_wake_all(pair.primary->head.generation);
  }
}

void ShmStore::complete(const Key& key, uint64_t flight, std::string_view value, int64_t fresh_until_ms,
                        int64_t keep_until_ms) {
  if (value.size() > kMaxValueBytes) {
    count(header_->too_large);
    end_owned(key, flight, false, [this](const Pair& pair, Found& f, bool) {
      // A kept value is older than the answer that did not fit: it no longer stands for the key.
      if (f.secondary != nullptr) {
        remove(table_, pair.s, *f.secondary);
      }
      drop_value(table_, pair.p, *f.primary);
      end_flight(*f.primary, Ended::Unstorable);
    });
    return;
  }
  end_owned(key, flight, true, [&](const Pair& pair, Found& f, bool both) {
    Now now;
    // The key's old records go first: what they occupied counts as room for the new value.
    if (f.secondary != nullptr) {
      remove(table_, pair.s, *f.secondary);
    }
    remove(table_, pair.p, *f.primary);
    // Two-choice: the bucket that holds less (the primary when even: lookups look there first).
    uint64_t first = pair.p;
    uint64_t second = pair.s;
    if (both && used_units(*pair.secondary) < used_units(*pair.primary)) {
      std::swap(first, second);
    }
    const size_t units = units_for(value.size());
    uint64_t in = first;
    Record* r = allocate(table_, first, key, units, now);
    if (r == nullptr && both && !pair.one()) {
      in = second;
      r = allocate(table_, second, key, units, now);
    }
    if (r == nullptr) {
      // Live flights leave no room: the verdict stays where the flight was (in the room it just left).
      r = allocate(table_, pair.p, key, kRecordUnits, now);
      if (r != nullptr) {
        r->ended_flight = flight;
        r->ended_how = Ended::Unstorable;
      }
      return;
    }
    set_value(table_, in, *r, value);
    r->fresh_until_ms = fresh_until_ms;
    r->keep_until_ms = std::max(keep_until_ms, fresh_until_ms);
    r->ended_flight = flight;
    r->ended_how = Ended::Stored;
    count(header_->stores);
  });
}

void ShmStore::abandon(const Key& key, uint64_t flight) {
  end_owned(key, flight, false,
            [](const Pair&, Found& f, bool) { end_flight(*f.primary, Ended::Abandoned); });
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
  st.capacity = header_->bucket_count * kMaxRecords;
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
  pthread_mutex_lock(&dynamic_cast<ShmStore&>(store).pair_for(key).primary->head.mutex);
}

std::vector<uint64_t> buckets_holding(Store& store, const Key& key) {
  auto& shm = dynamic_cast<ShmStore&>(store);
  const uint64_t n = shm.bucket_count();
  auto locks = std::make_unique<BucketLock[]>(n);
  std::vector<uint64_t> holding;
  for (uint64_t i = 0; i < n; i++) {
    locks[i].lock(shm.header(), shm.bucket(i));
  }
  for (uint64_t i = 0; i < n; i++) {
    const Record* r = locks[i].held() ? find(shm.bucket(i), key) : nullptr;
    if (r != nullptr && r->has_value != 0) {
      holding.push_back(i);
    }
  }
  return holding;
}

BucketUsage bucket_usage(Store& store, uint64_t index) {
  auto& shm = dynamic_cast<ShmStore&>(store);
  Bucket& b = shm.bucket(index);
  BucketLock lock(shm.header(), b);
  BucketUsage u;
  u.records = b.head.records;
  u.values = b.head.entries.load(std::memory_order_relaxed);
  u.used_bytes = size_t{used_units(b)} * kUnitBytes;
  u.top_bytes = size_t{b.head.top} * kUnitBytes;
  return u;
}

}  // namespace testing

}  // namespace vtj::cache
