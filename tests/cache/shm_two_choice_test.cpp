// Two-choice placement (src/cache/shm_store.cpp): a value goes to the emptier of its key's two buckets,
// is found there by every kind of look, lives in at most one of them however completes race, and a
// killed holder of either bucket's lock leaves the store working.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/shm_layout.hpp"
#include "cache/shm_test_support.hpp"
#include "vtj/cache.hpp"

namespace vtj::cache {
namespace {

using namespace shm_test;
using Buckets = std::vector<uint64_t>;

TEST(ShmTwoChoice, KeysNameTheirBuckets) {
  for (uint64_t n : {2u, 3u, 7u, 16644u}) {
    for (uint64_t p : {uint64_t{0}, n / 2, n - 1}) {
      const uint64_t s = (p + 1) % n;
      const Key k = key_in(p, s, n, 0);
      EXPECT_EQ(shm::primary_index(k, n), p);
      EXPECT_EQ(shm::secondary_index(k, p, n), s);
    }
  }
  // Same words for both: the secondary is the next bucket, never the primary.
  EXPECT_EQ(shm::secondary_index(key_in(2, 2, 3, 0), 2, 3), 0u);
}

TEST(ShmTwoChoice, ValueGoesToTheEmptierOfItsBuckets) {
  auto st = shm_store(3);
  const std::string v(157, 'v');  // a sealed record with the default headers
  const Key a = key_in(0, 1, 3, 1), b = key_in(0, 1, 3, 2), c = key_in(0, 2, 3, 3), d = key_in(1, 0, 3, 4);
  put(*st, a, v, 60000, 60000);  // both empty: the primary
  put(*st, b, v, 60000, 60000);  // its primary holds a: the secondary
  put(*st, c, v, 60000, 60000);  // likewise, to its own secondary
  put(*st, d, v, 60000, 60000);  // its buckets hold as much: the primary
  EXPECT_EQ(testing::buckets_holding(*st, a), Buckets{0});
  EXPECT_EQ(testing::buckets_holding(*st, b), Buckets{1});
  EXPECT_EQ(testing::buckets_holding(*st, c), Buckets{2});
  EXPECT_EQ(testing::buckets_holding(*st, d), Buckets{1});
  // Found from either bucket, by the event loop's look and by acquire.
  for (const Key& k : {a, b, c, d}) {
    EXPECT_EQ(st->peek(k), v);
    EXPECT_EQ(get(*st, k).value, v);
  }
  EXPECT_EQ(st->stats().hits, 8u);
  EXPECT_EQ(st->stats().entries, 4u);
}

TEST(ShmTwoChoice, ReplacedValueStaysOneCopyAndMayMove) {
  auto st = shm_store(3);
  const Key filler = key_in(0, 2, 3, 1), key = key_in(0, 1, 3, 2), other = key_in(1, 0, 3, 3);
  // Values of one size: the buckets' loads are counts of values.
  put(*st, filler, "the filler", 60000, 60000);
  put(*st, key, "old answer", -1, 60000);       // stale at once, in its secondary (1)
  put(*st, other, "some other", 60000, 60000);  // 1 and 0 hold as much: stays in its primary (1)
  ASSERT_EQ(testing::buckets_holding(*st, key), Buckets{1});
  ASSERT_EQ(testing::buckets_holding(*st, other), Buckets{1});
  EXPECT_FALSE(st->peek(key));

  // The kept value is found in the secondary for stale use; the flight lives in the primary.
  Store::Acquired lead = get(*st, key);
  ASSERT_EQ(lead.kind, Kind::Lead);
  EXPECT_EQ(lead.value, "old answer");
  EXPECT_EQ(testing::bucket_usage(*st, 0).records, 2u);
  const int64_t now = wall_ms();
  st->complete(key, lead.flight, "new answer", now + 60000, now + 60000);
  // Without its old copy, bucket 1 holds as much as 0: the new answer moves to the primary.
  EXPECT_EQ(testing::buckets_holding(*st, key), Buckets{0});
  EXPECT_EQ(get(*st, key).value, "new answer");
  EXPECT_EQ(st->stats().entries, 3u);
  EXPECT_EQ(testing::bucket_usage(*st, 0).records, 2u);  // the flight's record became the value's
}

TEST(ShmTwoChoice, WaitersInThePrimaryGetAValueStoredInTheSecondary) {
  auto st = shm_store(2);
  const Key filler = key_in(0, 1, 2, 1), key = key_in(0, 1, 2, 2);
  put(*st, filler, std::string(1000, 'f'), 60000, 60000);
  Outcomes out = race(*st, key, 5000ms, [&](uint64_t f) {
    int64_t now = wall_ms();
    st->complete(key, f, "answer", now + 60000, now + 60000);
  });
  expect_waiters(out, Kind::Fresh, "answer");
  EXPECT_EQ(testing::buckets_holding(*st, key), Buckets{1});
  EXPECT_EQ(testing::bucket_usage(*st, 0).records, 1u);  // the flight's record went with it
}

TEST(ShmTwoChoice, AbandonedFlightFailsWaitersWithTheValueKeptInTheSecondary) {
  auto st = shm_store(2);
  const Key filler = key_in(0, 1, 2, 1), key = key_in(0, 1, 2, 2);
  put(*st, filler, std::string(1000, 'f'), 60000, 60000);
  put(*st, key, "old", -1, 60000);
  ASSERT_EQ(testing::buckets_holding(*st, key), Buckets{1});
  Outcomes out = race(*st, key, 5000ms, [&](uint64_t f) { st->abandon(key, f); });
  expect_waiters(out, Kind::Failed, "old");
}

TEST(ShmTwoChoice, ValueEvictedFromTheSecondaryIsNotFound) {
  auto st = shm_store(2);
  const Key filler = key_in(0, 1, 2, 1), key = key_in(0, 1, 2, 2);
  put(*st, filler, "filler", 60000, 60000);
  put(*st, key, "kept", 60000, 60000);
  ASSERT_EQ(testing::buckets_holding(*st, key), Buckets{1});
  // Bucket 1's own keys fill it (and 0): the oldest value there, `key`, goes.
  for (unsigned char i = 10; i < 10 + 2 * shm::kMaxRecords; i++) {
    put(*st, key_in(1, 0, 2, i), "newer", 60000, 60000);
  }
  ASSERT_GT(st->stats().evictions, 0u);
  EXPECT_TRUE(testing::buckets_holding(*st, key).empty());
  EXPECT_FALSE(st->peek(key));
  expect_gone_then_store(*st, key, "again");
  EXPECT_EQ(st->peek(key), "again");
  EXPECT_EQ(testing::buckets_holding(*st, key).size(), 1u);
}

TEST(ShmTwoChoice, KilledHolderOfTheSecondaryLockDropsOnlyThatBucket) {
  auto st = shm_store(2);
  const Key filler = key_in(0, 1, 2, 1), key = key_in(0, 1, 2, 2), of_one = key_in(1, 0, 2, 3);
  put(*st, filler, "filler", 60000, 60000);
  put(*st, key, "in the secondary", 60000, 60000);
  ASSERT_EQ(testing::buckets_holding(*st, key), Buckets{1});
  kill_while_holding_locks(*st, {of_one});  // bucket 1: `key`'s secondary

  EXPECT_FALSE(st->peek(key));  // repairs bucket 1 and finds it empty
  EXPECT_EQ(st->stats().lock_recoveries, 1u);
  EXPECT_EQ(get(*st, filler).value, "filler");
  expect_gone_then_store(*st, key, "again");
  EXPECT_EQ(get(*st, key).value, "again");
  EXPECT_EQ(st->stats().entries, 2u);
}

TEST(ShmTwoChoice, KilledHolderOfBothLocksLeavesBothRepaired) {
  auto st = shm_store(2);
  const Key zero = key_in(0, 1, 2, 1), one = key_in(1, 0, 2, 2);
  put(*st, zero, "zero", 60000, 60000);
  put(*st, one, "one", 60000, 60000);
  kill_while_holding_locks(*st, {zero, one});  // as complete() holds them: in index order

  for (const Key& k : {zero, one}) {
    expect_gone_then_store(*st, k, "again");
  }
  EXPECT_EQ(st->stats().lock_recoveries, 2u);
  EXPECT_EQ(get(*st, zero).value, "again");
  EXPECT_EQ(get(*st, one).value, "again");
}

// Callers in threads and processes lead, complete (with values of random sizes), abandon and look up a few
// keys whose bucket pairs cross (A's primary is B's secondary), with leases short enough for flights to
// be taken over, so that completes of one key and moves between its buckets race. A checker locks every
// bucket at once, again and again: no key is ever held twice. Nothing deadlocks, and every value read
// back belongs to its key.
TEST(ShmTwoChoice, AtMostOneCopyWhileCompletesRace) {
  constexpr uint64_t kBuckets = 3;
  constexpr unsigned kKeys = 12;
  auto st = shm_store(kBuckets);
  std::vector<Key> keys;
  for (unsigned i = 0; i < kKeys; i++) {
    const uint64_t p = i % kBuckets, s = (p + 1 + i / kBuckets % 2) % kBuckets;
    Key k = key_in(p, s, kBuckets, static_cast<unsigned char>(i));
    k[18] = static_cast<unsigned char>(i % 3);  // some keys share an away counter, some have their own
    keys.push_back(k);
  }
  const auto owner_ok = [&](unsigned i, const std::optional<std::string>& v) {
    return !v || (!v->empty() && static_cast<unsigned char>((*v)[0]) == i);
  };
  const auto work = [&](unsigned seed, std::chrono::milliseconds run) {
    std::mt19937 rng(seed);
    int wrong = 0;
    const auto until = std::chrono::steady_clock::now() + run;
    while (std::chrono::steady_clock::now() < until) {
      const unsigned i = rng() % kKeys;
      if (rng() % 4 == 0) {
        wrong += !owner_ok(i, st->peek(keys[i]));
        continue;
      }
      Store::Acquired a = st->acquire(keys[i], in(20ms), 2ms);
      wrong += !owner_ok(i, a.value);
      if (a.kind != Kind::Lead) {
        continue;
      }
      if (rng() % 3 == 0) {
        std::this_thread::sleep_for(3ms);  // past the lease: somebody takes the flight over
      }
      if (rng() % 8 == 0) {
        st->abandon(keys[i], a.flight);
        continue;
      }
      std::string v = value_of_size(1 + rng() % 700, rng());
      v[0] = static_cast<char>(i);
      const int64_t now = wall_ms();
      st->complete(keys[i], a.flight, v, now + static_cast<int64_t>(rng() % 3), now + 60000);
    }
    return wrong;
  };

  std::atomic<bool> done{false};
  std::atomic<int> copies_seen{0}, snapshots{0};
  std::thread checker([&] {
    while (!done.load()) {
      for (const Key& k : keys) {
        copies_seen = std::max<int>(copies_seen, static_cast<int>(testing::buckets_holding(*st, k).size()));
      }
      snapshots++;
    }
  });
  std::vector<pid_t> children;
  for (unsigned c = 0; c < 2; c++) {
    children.push_back(spawn([&, c] { return std::min(work(100 + c, 1500ms), 100); }));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 2; t++) {
    threads.emplace_back([&, t] { wrong += work(t, 1500ms); });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (pid_t pid : children) {
    EXPECT_EQ(exit_code(pid), 0);
  }
  done = true;
  checker.join();

  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(copies_seen.load(), 1);
  EXPECT_GT(snapshots.load(), 0);
  const StoreStats s = st->stats();
  EXPECT_GT(s.stores, 0u);
  EXPECT_EQ(s.lock_recoveries, 0u);
  uint64_t held = 0;
  for (const Key& k : keys) {
    const Buckets b = testing::buckets_holding(*st, k);
    ASSERT_LE(b.size(), 1u);
    held += b.size();
  }
  EXPECT_EQ(held, s.entries);
}

}  // namespace
}  // namespace vtj::cache
