// The shared cache per operation: the Cache front (HMAC-SHA-256 keys, AES-256-GCM seal and open) over
// the real shared-memory store (the default VTJCache shm:64M), and the bare store with the same sealed
// bytes for comparison. The value is the largest record the default projection keeps of any sample
// response, serialized as the engine stores it.
//  - put: acquire (the caller leads) + complete; the entry expires at once, so the next put leads again
//  - get hit: acquire of a fresh entry (+ open); get miss: acquire of an absent key (+ abandon, so the
//    next one leads again instead of waiting for a flight); peek: the event loop's lookup
// The /threads:2 runs share one store: two workers (threads or processes) taking the bucket locks.

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "bench_data.hpp"
#include "vtj/cache.hpp"

namespace {

using vtj::cache::Cache;
using vtj::cache::Key;
using Kind = vtj::cache::Store::Acquired::Kind;
using namespace std::chrono_literals;

constexpr size_t kSegmentBytes = size_t{64} << 20;  // the VTJCache default
constexpr size_t kRing = 4096;                      // keys per thread and kind
constexpr int kMaxThreads = 2;
constexpr int kTtlSeconds = 600;  // the VTJCacheTTL default

struct Fixture {
  Cache cache;
  std::string record;  // serialized, as the engine hands it to the cache
  std::string sealed;  // what the store holds for it
  // kRing keys per thread each: fresh entries, keys never stored, keys that puts lead for.
  std::vector<Key> stored, absent, puts;

  Fixture() : cache(make_store(), vtj::cache::Secret::random()) {
    const auto loc = vtj::bench::default_location();
    record = vtj::bench::largest_record(loc->projection()).serialized;
    uint32_t n = 0;
    auto next_key = [&] {
      return cache.key_for(loc->scope(), vtj::bench::satu_identity(vtj::bench::satu_for(n++)));
    };
    for (size_t i = 0; i < kRing * kMaxThreads; ++i) {
      stored.push_back(next_key());
      Cache::Acquired lead = cache.acquire(stored.back(), deadline(), 5s);
      cache.complete(stored.back(), lead.flight, record, kTtlSeconds, 0);
      absent.push_back(next_key());
      puts.push_back(next_key());
    }
    sealed = cache.seal(stored.front(), record);
  }

  static std::unique_ptr<vtj::cache::Store> make_store() {
    auto store = vtj::cache::make_shm_store(kSegmentBytes);
    if (!store.ok()) {
      throw std::runtime_error(store.error());
    }
    return std::move(store).value();
  }
  static vtj::cache::Deadline deadline() { return std::chrono::steady_clock::now() + 1s; }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The bare store's answers carry sealed bytes; the front's the opened record.
bool fresh(const Cache::Acquired& a) {
  return a.kind == Kind::Fresh && a.record.has_value();
}
bool fresh(const vtj::cache::Store::Acquired& a) {
  return a.kind == Kind::Fresh && a.value.has_value();
}

// One front's operations: `Front` is Cache or Store; complete() differs in what it takes.
template <class Front>
void complete_now(Front& front, const Key& key, uint64_t flight) {
  if constexpr (std::is_same_v<Front, Cache>) {
    front.complete(key, flight, fixture().record, 0, 0);  // fresh until now: the next acquire leads
  } else {
    const int64_t now = vtj::cache::now_ms();
    front.complete(key, flight, fixture().sealed, now, now);
  }
}

template <class Front>
Front& front() {
  if constexpr (std::is_same_v<Front, Cache>) {
    return fixture().cache;
  } else {
    return fixture().cache.store();
  }
}

// This thread's share of `keys`: the threads of a run never lead flights for the same key.
const Key* ring_of(const std::vector<Key>& keys, const benchmark::State& state) {
  return keys.data() + kRing * static_cast<size_t>(state.thread_index());
}

// Runs `op` on this thread's keys in turn; `op` says whether the store answered as set up.
template <class Op>
void over_ring(benchmark::State& state, const std::vector<Key>& keys, const char* unexpected, Op&& op) {
  const Key* ring = ring_of(keys, state);
  size_t i = 0;
  for (auto _ : state) {
    if (!op(ring[i++ % kRing])) {
      state.SkipWithError(unexpected);
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Front>
void put(benchmark::State& state) {
  Front& f = front<Front>();
  over_ring(state, fixture().puts, "put did not lead", [&f](const Key& key) {
    auto lead = f.acquire(key, Fixture::deadline(), 5s);
    complete_now(f, key, lead.flight);
    return lead.kind == Kind::Lead;
  });
}

template <class Front>
void get_hit(benchmark::State& state) {
  Front& f = front<Front>();
  over_ring(state, fixture().stored, "get missed a stored entry", [&f](const Key& key) {
    auto got = f.acquire(key, Fixture::deadline(), 5s);
    benchmark::DoNotOptimize(got);
    return fresh(got);
  });
}

template <class Front>
void get_miss(benchmark::State& state) {
  Front& f = front<Front>();
  over_ring(state, fixture().absent, "miss did not lead", [&f](const Key& key) {
    auto got = f.acquire(key, Fixture::deadline(), 5s);
    f.abandon(key, got.flight);
    return got.kind == Kind::Lead;
  });
}

template <class Front>
void peek_hit(benchmark::State& state) {
  Front& f = front<Front>();
  over_ring(state, fixture().stored, "peek missed a stored entry", [&f](const Key& key) {
    auto got = f.peek(key);
    benchmark::DoNotOptimize(got);
    return got.has_value();
  });
}

template <class Front>
void peek_miss(benchmark::State& state) {
  Front& f = front<Front>();
  over_ring(state, fixture().absent, "peek found an absent key",
            [&f](const Key& key) { return !f.peek(key).has_value(); });
}

void BM_CacheKeyFor(benchmark::State& state) {
  const Cache& c = fixture().cache;
  const auto loc = vtj::bench::default_location();
  const std::string identity = vtj::bench::satu_identity(vtj::bench::satu_for(7));
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.key_for(loc->scope(), identity));
  }
}

void BM_CacheSeal(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.cache.seal(f.stored.front(), f.record));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.record.size()));
}

void BM_CacheOpen(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.cache.open(f.stored.front(), f.sealed));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.record.size()));
}

}  // namespace

BENCHMARK(BM_CacheKeyFor);
BENCHMARK(BM_CacheSeal);
BENCHMARK(BM_CacheOpen);

BENCHMARK_TEMPLATE(put, Cache)->Name("BM_CachePut")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(get_hit, Cache)->Name("BM_CacheGetHit")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(get_miss, Cache)->Name("BM_CacheGetMiss")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(peek_hit, Cache)->Name("BM_CachePeekHit")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(peek_miss, Cache)->Name("BM_CachePeekMiss")->ThreadRange(1, kMaxThreads);

BENCHMARK_TEMPLATE(put, vtj::cache::Store)->Name("BM_StorePut")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(get_hit, vtj::cache::Store)->Name("BM_StoreGetHit")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(get_miss, vtj::cache::Store)->Name("BM_StoreGetMiss")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(peek_hit, vtj::cache::Store)->Name("BM_StorePeekHit")->ThreadRange(1, kMaxThreads);
BENCHMARK_TEMPLATE(peek_miss, vtj::cache::Store)->Name("BM_StorePeekMiss")->ThreadRange(1, kMaxThreads);

BENCHMARK_MAIN();
