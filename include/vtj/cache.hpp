#pragma once
// The cache of resolved persons. Two layers:
//  - Store: where opaque entries live (shared memory of one server, later Redis for a cluster, or none).
//    It knows nothing of persons or keys' meaning: 32-byte keys, byte-string values, expiry times, and
//    single-flight (one register query at a time per key, across threads and processes).
//  - Cache (src/cache/cache.cpp): what callers use. It derives keys as HMACs of the identity, seals values
//    with AES-256-GCM under the VTJCacheKey secret, and hands the sealed bytes to a Store.
// A Redis backend is another Store: callers of Cache do not change.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vtj/config.hpp"
#include "vtj/result.hpp"

namespace vtj::cache {

using Key = std::array<unsigned char, 32>;
using Deadline = std::chrono::steady_clock::time_point;

// Wall-clock milliseconds since the epoch: expiry times are compared across processes (and machines).
int64_t now_ms();

struct StoreStats {
  uint64_t hits = 0;          // fresh entries returned
  uint64_t stale_hits = 0;    // expired (but kept) entries returned to a leader or after a failed flight
  uint64_t misses = 0;        // acquire() made the caller the leader
  uint64_t waits = 0;         // acquire() waited for another caller's flight
  uint64_t stores = 0;        // complete() stored an entry
  uint64_t evictions = 0;     // live entries pushed out to make room
  uint64_t too_large = 0;     // complete() values that do not fit an entry
  uint64_t lock_recoveries = 0;  // a lock found held by a dead process and repaired
  uint64_t entries = 0;       // entries held now (fresh or kept for stale use)
  uint64_t capacity = 0;      // entries the store can hold
  uint64_t bytes = 0;         // memory the store occupies
};

class Store {
 public:
  virtual ~Store() = default;

  // After the server forked this process (Redis: connect here). Shared memory needs nothing.
  virtual void child_init() {}

  struct Acquired {
    enum class Kind {
      Fresh,     // `value` is fresh: use it
      Lead,      // the caller must query and then call complete() or abandon() with `flight`
      Failed,    // the flight this caller waited for was abandoned (the leader's query failed)
      TimedOut,  // the deadline passed while waiting for another caller's flight
    } kind = Kind::Lead;
    std::optional<std::string> value;  // Fresh: the value; otherwise an expired value kept for stale use
    uint64_t flight = 0;               // Lead: the ticket for complete()/abandon()
  };

  // Looks up `key`. A fresh entry is returned at once. Otherwise, when nobody is querying for this key,
  // the caller becomes the leader (Lead). When somebody else is (a flight by a live process whose lease
  // has not run out), the caller waits until that flight completes (Fresh), is abandoned (Failed) or
  // `deadline` passes (TimedOut). A flight whose leader died or whose lease ran out is taken over: the
  // caller becomes the leader. `lease` bounds how long this caller's own flight may hold others waiting.
  virtual Acquired acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease) = 0;

  // A fresh value, or nothing: never leads, never waits (an event loop's fast path; nginx).
  virtual std::optional<std::string> peek(const Key& key) = 0;

  // The leader stores its answer: used fresh until `fresh_until_ms`, kept for stale use until
  // `keep_until_ms` (>= fresh_until_ms). Waiters wake. A flight that was taken over is ignored.
  virtual void complete(const Key& key, uint64_t flight, std::string_view value, int64_t fresh_until_ms,
                        int64_t keep_until_ms) = 0;
  // The leader's query failed: waiters of this flight wake with Failed; a kept value stays.
  virtual void abandon(const Key& key, uint64_t flight) = 0;

  virtual StoreStats stats() const = 0;
  // The largest value complete() accepts (bytes); larger values are not stored (counted as too_large).
  virtual size_t max_value_size() const = 0;
};

// VTJCache none: every acquire() leads, nothing is kept.
std::unique_ptr<Store> make_none_store();

// VTJCache shm:SIZE. Shared memory of `bytes` (rounded down to whole entries; at least one bucket),
// created by mmap(MAP_SHARED|MAP_ANONYMOUS): create it in the server's parent process before the workers
// fork, and every worker shares it. Locks are robust: a process killed while holding one leaves the
// store usable (the entries the lock guarded are dropped).
Result<std::unique_ptr<Store>, std::string> make_shm_store(size_t bytes);
// The same over memory the server manages (nginx's shared zones): `memory` of `bytes`, aligned to 64.
// When the memory already holds a store of the same geometry (a reload), it is reused as it is;
// otherwise it is initialised. The memory must outlive the Store.
Result<std::unique_ptr<Store>, std::string> attach_shm_store(void* memory, size_t bytes);

// The store VTJCache names (redis:// is refused until that backend exists).
Result<std::unique_ptr<Store>, std::string> make_store(const config::CacheSpec& spec);

// The secret for key HMACs and value encryption.
struct Secret {
  std::array<unsigned char, 32> mac_key{};
  std::array<unsigned char, 32> enc_key{};
  // From a VTJCacheKey file (at least 32 bytes of content; both keys are derived from it with HKDF).
  static Result<Secret, std::string> from_file(const std::string& path);
  static Secret random();
};

// What callers use: identities in, plaintext records out; the store only ever sees HMACs and ciphertext.
class Cache {
 public:
  Cache(std::unique_ptr<Store> store, const Secret& secret);

  // HMAC-SHA-256 over the scope (what the record depends on: register, product, projected fields) and
  // the identity material (SATU, certificate digest).
  Key key_for(std::string_view scope, std::string_view identity) const;

  struct Acquired {
    Store::Acquired::Kind kind = Store::Acquired::Kind::Lead;
    std::optional<std::string> record;  // decrypted; a value that fails to decrypt counts as absent
    bool record_fresh = false;
    uint64_t flight = 0;
  };
  Acquired acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease);
  // A fresh record that opens, or nothing; never waits.
  std::optional<std::string> peek(const Key& key);
  void complete(const Key& key, uint64_t flight, std::string_view record, int ttl_seconds,
                int keep_seconds);
  void abandon(const Key& key, uint64_t flight);

  Store& store() { return *store_; }
  bool enabled() const { return enabled_; }
  // The server's shared memory arrives after the configuration was read (nginx zones): the same keys,
  // another store.
  void replace_store(std::unique_ptr<Store> store);

  // AES-256-GCM with a random 96-bit nonce; the key is the associated data, so a value moved to another
  // key does not open. nonce || ciphertext || tag.
  std::string seal(const Key& key, std::string_view plain) const;
  std::optional<std::string> open(const Key& key, std::string_view sealed) const;

 private:
  std::unique_ptr<Store> store_;
  Secret secret_;
  bool enabled_ = true;
};

}  // namespace vtj::cache
