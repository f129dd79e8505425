#pragma once
// The shared-memory store's layout: a header, then buckets of kBucketBytes. Every process of a server
// maps the same bytes, so everything here is plain data at fixed offsets (no pointers), and the header
// names the geometry so that memory kept over an nginx reload is reused only when it matches.
//
// A key may live in two buckets (two-choice hashing: its primary and its secondary, picked by independent
// parts of the HMAC key), and its value is stored in whichever of the two held less when it was stored, so
// buckets fill evenly and a segment is nearly full before anything is evicted. A bucket is a slotted page:
// a directory of kMaxRecords (offset, tag) pairs sorted by offset, and a heap of variable-size records
// (a Record, then its value) in kUnitBytes units, compacted when removed records leave holes. So a value
// costs its own size plus a record header, not a fixed slot. Each bucket also counts, by a byte of the
// key, the values whose primary it is but which live in their secondary, so that most lookups and stores
// need one bucket's lock only.

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vtj/cache.hpp"

namespace vtj::cache::shm {

constexpr uint64_t kMagic = 0x31304d48534a5456;  // "VTJSHM01" read as a little-endian word
// Bump when anything below changes: memory laid out by another build is then initialised, not misread.
constexpr uint32_t kVersion = 2;
// 63 cache lines: buckets a power of two apart would all begin in the same few cache sets.
constexpr size_t kBucketBytes = 4032;
constexpr size_t kUnitBytes = 8;
// Enough directory entries for a heap full of the smallest records a real caller stores (a sealed "not
// found" answer, 31 bytes): the directory never runs out before the heap does.
constexpr size_t kMaxRecords = 32;
// The largest value: a record with many configured headers still fits, with room beside it.
constexpr size_t kMaxValueBytes = 2048;

// How a key's last flight ended, for the callers that waited for it.
enum class Ended : uint8_t {
  None,
  Stored,      // complete() stored the value
  Abandoned,   // abandon(): waiters get Failed
  Unstorable,  // complete() with a value the store cannot hold: waiters query themselves (flight 0)
};

// What a bucket knows of one key; the value's bytes follow it in the heap. A key has at most one record
// per bucket, a value in at most one of its two buckets, and a live flight only in its primary bucket
// (where its waiters sleep). An ended flight's verdict stays with the key's record that outlives it.
struct Record {
  Key key;
  int64_t fresh_until_ms;  // wall clock (CLOCK_REALTIME), as the callers give it
  int64_t keep_until_ms;
  uint64_t flight;         // the live flight's id; 0: none
  int64_t lease_until_ns;  // CLOCK_MONOTONIC
  uint64_t ended_flight;   // the last flight that ended here, and how (flight ids only grow)
  int32_t leader_pid;
  uint32_t used;       // the bucket's tick at the last lookup or store: the LRU order of the bucket
  uint16_t value_len;  // meaningful when has_value
  uint16_t units;      // the record's size in the heap, this header included
  uint8_t has_value;
  Ended ended_how;
};
static_assert(sizeof(Record) % kUnitBytes == 0 && alignof(Record) <= kUnitBytes);

constexpr size_t kRecordUnits = sizeof(Record) / kUnitBytes;

constexpr size_t units_for(size_t value_bytes) {
  return kRecordUnits + (value_bytes + kUnitBytes - 1) / kUnitBytes;
}

struct DirEntry {
  uint16_t at;   // the record's offset in the heap, in units
  uint16_t tag;  // two bytes of the key: most lookups compare no other record's key
};

// What of a bucket's first cache line the mutex and the futex word leave: the away counters (below).
constexpr size_t kLineRest = (64 - (sizeof(pthread_mutex_t) + sizeof(uint32_t)) % 64) % 64;
constexpr size_t kAwayBytes = kLineRest >= 16 ? kLineRest : kLineRest + 64;

// Four-bit counters of the values whose primary is this bucket but which live in their secondary, picked
// by a byte of the key. A lookup reads its counter before any lock to choose where to look first, and
// one that finds nothing in the primary and reads zero there under the primary's lock knows that the
// secondary holds nothing either. A count only ever errs high (a repaired secondary forgets to lower
// it; kAwaySticky stays), which costs a look, never a miss.
constexpr size_t kAwaySlots = 2 * kAwayBytes;
constexpr unsigned kAwaySticky = 15;

struct BucketHead {
  // The first cache line: what every lookup reads before it finds anything.
  pthread_mutex_t mutex;  // process-shared, robust
  // The futex word waiters sleep on: bumped (under the mutex) whenever a flight of the bucket ends.
  std::atomic<uint32_t> generation;
  // Raised under this bucket's lock (with the secondary's), lowered under the secondary's lock only.
  std::atomic<uint8_t> away[kAwayBytes];

  // Callers sleeping on `generation` (raised under the mutex before sleeping): a flight that ends with
  // none makes no system call to wake them. One killed in its sleep leaves it high, which costs a call.
  std::atomic<uint32_t> sleepers;
  std::atomic<uint32_t> entries;  // records holding a value; changed under the mutex, read by stats()
  uint32_t tick;                  // the LRU clock, advanced by every lookup or store
  uint16_t records;               // directory entries in use
  uint16_t top;                   // units from the heap's start to the end of its last record
  // Units the records occupy (top - used: holes, until compaction). Changed under the mutex; read without
  // it by a store into the other bucket of a pair, to guess which of the two holds less.
  std::atomic<uint16_t> used;
};

// The directory's first entries fill the head's last cache line, so that a bucket of few records is read
// in the fewest lines (head, directory, record, in a row); the rest follow the heap.
constexpr size_t kHeadLineBytes = (sizeof(BucketHead) + 63) / 64 * 64;
constexpr size_t kNearRecords =
    std::min(kMaxRecords, (kHeadLineBytes - sizeof(BucketHead)) / sizeof(DirEntry));
constexpr size_t kFarRecords = kMaxRecords - kNearRecords;
constexpr size_t kHeapBytes = kBucketBytes - sizeof(BucketHead) - kMaxRecords * sizeof(DirEntry);
constexpr size_t kHeapUnits = kHeapBytes / kUnitBytes;

// The directory: entries [0, head.records) sorted by `at`, the first kNearRecords in `near`.
struct alignas(64) Bucket {
  BucketHead head;
  DirEntry near[kNearRecords];
  alignas(kUnitBytes) unsigned char heap[kHeapBytes];
  DirEntry far[kFarRecords];
};
static_assert(sizeof(Bucket) == kBucketBytes);
static_assert(offsetof(Bucket, head.sleepers) % 64 == 0, "the away counters fill the mutex's cache line");
static_assert(offsetof(Bucket, heap) % 64 == 0, "a bucket's first record starts a cache line");
static_assert(kHeapBytes % kUnitBytes == 0 && kHeapUnits <= UINT16_MAX);
static_assert(units_for(kMaxValueBytes) + 8 * kRecordUnits <= kHeapUnits,
              "a largest value fits beside flights");
static_assert(kMaxValueBytes <= UINT16_MAX);

struct alignas(64) Header {
  uint64_t magic;  // written last by initialisation: memory whose initialiser died is initialised again
  uint32_t version;
  uint32_t bucket_bytes;
  uint32_t mutex_bytes;  // a libc with another pthread_mutex_t lays the buckets out otherwise
  uint32_t heap_bytes;
  uint32_t record_bytes;
  uint32_t max_records;
  uint32_t unit_bytes;
  uint32_t max_value_bytes;
  uint64_t bucket_count;
  std::atomic<uint64_t> next_flight;
  std::atomic<uint64_t> hits;
  std::atomic<uint64_t> stale_hits;
  std::atomic<uint64_t> misses;
  std::atomic<uint64_t> waits;
  std::atomic<uint64_t> stores;
  std::atomic<uint64_t> evictions;
  std::atomic<uint64_t> too_large;
  std::atomic<uint64_t> lock_recoveries;
};

// Processes share these words through the same bytes, which needs atomics that never fall back to a lock.
static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<uint32_t>::is_always_lock_free &&
              std::atomic<uint16_t>::is_always_lock_free && std::atomic<uint8_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "the futex word is a plain 32-bit word");

constexpr size_t kHeaderBytes = sizeof(Header);

// Keys are HMACs, so any of their bytes are uniform and independent: bytes 0-7 pick the primary bucket,
// bytes 8-15 the secondary (another one whenever there are two), bytes 16-17 are the directory tag and
// byte 18 the away counter. A word picks bucket (word * count) >> 64: as even as a modulo, without a
// division on every lookup.
inline uint64_t bucket_of_word(uint64_t word, uint64_t bucket_count) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(word) * bucket_count) >> 64);
}

inline uint64_t key_word(const Key& key, size_t at) {
  uint64_t v = 0;
  std::memcpy(&v, key.data() + at, sizeof v);
  return v;
}

inline uint64_t primary_index(const Key& key, uint64_t bucket_count) {
  return bucket_of_word(key_word(key, 0), bucket_count);
}

// Only meaningful with two buckets or more.
inline uint64_t secondary_index(const Key& key, uint64_t primary, uint64_t bucket_count) {
  const uint64_t s = bucket_of_word(key_word(key, 8), bucket_count);
  return s != primary ? s : (s + 1) % bucket_count;
}

inline uint16_t tag_of(const Key& key) {
  return static_cast<uint16_t>(key[16] | key[17] << 8);
}

inline size_t away_slot(const Key& key) {
  return key[18] % kAwaySlots;
}

inline unsigned away_count(uint8_t byte, size_t slot) {
  return byte >> (slot % 2 * 4) & 0xfu;
}

}  // namespace vtj::cache::shm

namespace vtj::cache::testing {

// Test only: locks the mutex of `key`'s primary bucket and returns holding it, so that a test process can
// be killed with the lock held. `store` must come from make_shm_store or attach_shm_store (so must the
// stores of the functions below).
void hold_bucket_lock(Store& store, const Key& key);

// Test only: the buckets holding a value for `key`, read with every bucket locked at once (in index
// order), so that a value moving between buckets is seen exactly once.
std::vector<uint64_t> buckets_holding(Store& store, const Key& key);

struct BucketUsage {
  size_t records = 0;
  size_t values = 0;
  size_t used_bytes = 0;  // what the records occupy
  size_t top_bytes = 0;   // up to the end of the last record: used_bytes plus holes
};
// Test only: how full bucket `index` is.
BucketUsage bucket_usage(Store& store, uint64_t index);

}  // namespace vtj::cache::testing
