#pragma once
// The shared-memory store's layout: a header, then buckets of kWays fixed-size slots. Every process of a
// server maps the same bytes, so everything here is plain data at fixed offsets (no pointers), and the
// header names the geometry so that memory kept over an nginx reload is reused only when it matches.

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "vtj/cache.hpp"

namespace vtj::cache::shm {

constexpr uint64_t kMagic = 0x31304d48534a5456;  // "VTJSHM01" read as a little-endian word
// Bump when anything below changes: memory laid out by another build is then initialised, not misread.
constexpr uint32_t kVersion = 1;
constexpr size_t kWays = 8;
constexpr size_t kSlotBytes = 512;

// How a slot's last flight ended, for the callers that waited for it.
enum class Ended : uint8_t {
  None,
  Stored,      // complete() stored the value
  Abandoned,   // abandon(): waiters get Failed
  Unstorable,  // complete() with a value too large for a slot: waiters query themselves (flight 0)
};

struct SlotMeta {
  Key key;
  int64_t fresh_until_ms;  // wall clock (CLOCK_REALTIME), as the callers give it
  int64_t keep_until_ms;
  int64_t used_ns;         // CLOCK_MONOTONIC of the last lookup or store: the LRU order of the bucket
  uint64_t flight;         // the live flight's id; 0: none
  int64_t lease_until_ns;  // CLOCK_MONOTONIC
  uint64_t ended_flight;   // the last flight that ended here, and how (flight ids only grow)
  int32_t leader_pid;
  uint16_t value_len;
  uint8_t in_use;  // the key is meaningful (a value, a flight or an ended flight's verdict)
  uint8_t has_value;
  Ended ended_how;
};

struct Slot {
  SlotMeta meta;
  char value[kSlotBytes - sizeof(SlotMeta)];
};
static_assert(sizeof(Slot) == kSlotBytes);

constexpr size_t kMaxValueBytes = sizeof(Slot::value);

struct alignas(64) BucketHead {
  pthread_mutex_t mutex;  // process-shared, robust
  // The futex word waiters sleep on: bumped (under the mutex) whenever a flight of the bucket ends.
  std::atomic<uint32_t> generation;
  std::atomic<uint32_t> entries;  // slots holding a value; changed under the mutex, read by stats()
};

struct alignas(64) Bucket {
  BucketHead head;
  Slot slots[kWays];
};

struct alignas(64) Header {
  uint64_t magic;  // written last by initialisation: memory whose initialiser died is initialised again
  uint32_t version;
  uint32_t slot_bytes;
  uint32_t ways;
  uint32_t bucket_bytes;  // includes the mutex: a libc with another pthread_mutex_t does not match
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
static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<uint32_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t), "the futex word is a plain 32-bit word");

constexpr size_t kHeaderBytes = sizeof(Header);

// Keys are HMACs, so their first bytes are already uniform: they pick the bucket.
inline uint64_t bucket_index(const Key& key, uint64_t bucket_count) {
  uint64_t v = 0;
  std::memcpy(&v, key.data(), sizeof v);
  return v % bucket_count;
}

}  // namespace vtj::cache::shm

namespace vtj::cache::testing {

// Test only: locks the mutex of `key`'s bucket and returns holding it, so that a test process can be
// killed with the lock held. `store` must come from make_shm_store or attach_shm_store.
void hold_bucket_lock(Store& store, const Key& key);

}  // namespace vtj::cache::testing
