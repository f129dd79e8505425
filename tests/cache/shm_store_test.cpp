// The shared-memory store as its callers see it: freshness, single flight within and across processes,
// leases, dead leaders and lock holders, attaching to a server's memory. Placement over two buckets is
// tested in shm_two_choice_test.cpp, a bucket's variable-size records in shm_bucket_test.cpp.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "cache/shm_layout.hpp"
#include "cache/shm_test_support.hpp"
#include "vtj/cache.hpp"

namespace vtj::cache {
namespace {

using namespace shm_test;

TEST(ShmStore, FreshThenStaleThenGone) {
  auto st = shm_store(4);
  const Key fresh = spread_key(1), stale = spread_key(2), gone = spread_key(3);
  put(*st, fresh, "one", 60000, 120000);
  put(*st, stale, "two", -1, 60000);
  put(*st, gone, "three", -2, -1);

  Store::Acquired a = get(*st, fresh);
  EXPECT_EQ(a.kind, Kind::Fresh);
  EXPECT_EQ(a.value, "one");

  // Past its fresh time but kept: the caller leads a new query and holds the old value for stale use.
  a = get(*st, stale);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_EQ(a.value, "two");
  st->abandon(stale, a.flight);

  a = get(*st, gone);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_FALSE(a.value);
  st->abandon(gone, a.flight);

  StoreStats s = st->stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.stale_hits, 1u);
  EXPECT_EQ(s.stores, 3u);
  EXPECT_EQ(s.entries, 2u);  // the value past its keep time is gone
  EXPECT_EQ(s.capacity, 4 * shm::kMaxRecords);
  EXPECT_EQ(s.bytes, bytes_for_buckets(4));
}

// peek() is the event loop's path: a fresh value or nothing, and it never starts or joins a flight.
TEST(ShmStore, PeekReturnsOnlyFreshValuesAndNeverLeads) {
  auto st = shm_store(4);
  const Key fresh = spread_key(1), stale = spread_key(2), missing = spread_key(3);
  put(*st, fresh, "one", 60000, 120000);
  put(*st, stale, "two", -1, 60000);
  const uint64_t misses = st->stats().misses;
  EXPECT_EQ(st->peek(fresh), "one");
  EXPECT_FALSE(st->peek(stale));
  EXPECT_FALSE(st->peek(missing));
  // Nobody leads the missing key: the next acquire does, with no flight left behind by the peeks.
  EXPECT_EQ(st->stats().misses, misses);
  Store::Acquired a = get(*st, missing);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_NE(a.flight, 0u);
  st->abandon(missing, a.flight);
  EXPECT_FALSE(make_none_store()->peek(fresh));
}

TEST(ShmStore, NotFoundIsAShorterFreshTime) {
  auto st = shm_store(1);
  const Key key = spread_key(7);
  put(*st, key, "not-found", 50, 50);
  EXPECT_EQ(get(*st, key).kind, Kind::Fresh);
  std::this_thread::sleep_for(100ms);
  Store::Acquired a = get(*st, key);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_FALSE(a.value);
}

TEST(ShmStore, EvictionKeepsTheStoreBounded) {
  auto st = shm_store(4);
  for (uint64_t i = 0; i < 400; i++) {
    put(*st, spread_key(i), "value " + std::to_string(i), 60000, 60000);
  }
  StoreStats s = st->stats();
  EXPECT_EQ(s.capacity, 4 * shm::kMaxRecords);
  EXPECT_EQ(s.stores, 400u);
  // Every value is live: whatever is not held was evicted, and the buckets are (nearly) full.
  EXPECT_EQ(s.entries + s.evictions, s.stores);
  EXPECT_LE(s.entries, s.capacity);
  EXPECT_GE(s.entries, s.capacity - 4);
  EXPECT_EQ(get(*st, spread_key(399)).value, "value 399");  // the newest stays
}

TEST(ShmStore, EvictionPrefersExpiredThenLeastRecentlyUsed) {
  auto st = shm_store(1);
  // Values of a size that eight of fill the bucket: a ninth needs room made.
  constexpr size_t kPerBucket = 8;
  const size_t units = shm::kHeapUnits / kPerBucket - shm::kRecordUnits;
  const std::string v(units * shm::kUnitBytes, 'v');
  ASSERT_GT(shm::units_for(v.size()) * (kPerBucket + 1), shm::kHeapUnits);
  for (unsigned char i = 0; i < kPerBucket; i++) {
    bool expired = i == 5;
    put(*st, key_in(0, 0, 1, i), v, expired ? -2 : 60000, expired ? -1 : 60000);
  }
  // An entry past its keep time makes room without evicting anything live.
  put(*st, key_in(0, 0, 1, 100), v, 60000, 60000);
  EXPECT_EQ(st->stats().evictions, 0u);

  EXPECT_EQ(get(*st, key_in(0, 0, 1, 0)).kind, Kind::Fresh);  // 0 is now more recent than 1
  put(*st, key_in(0, 0, 1, 101), v, 60000, 60000);
  EXPECT_EQ(st->stats().evictions, 1u);
  EXPECT_EQ(get(*st, key_in(0, 0, 1, 0)).kind, Kind::Fresh);
  EXPECT_EQ(get(*st, key_in(0, 0, 1, 100)).kind, Kind::Fresh);
  EXPECT_EQ(get(*st, key_in(0, 0, 1, 101)).kind, Kind::Fresh);
  EXPECT_EQ(st->stats().entries, kPerBucket);
  EXPECT_EQ(get(*st, key_in(0, 0, 1, 1)).kind, Kind::Lead);  // the least recently used went
}

TEST(ShmStore, TooLargeValueIsNotStoredAndWaitersGoOn) {
  auto st = shm_store(1);
  EXPECT_EQ(st->max_value_size(), shm::kMaxValueBytes);
  const Key key = spread_key(1);
  put(*st, key, std::string(st->max_value_size(), 'x'), 60000, 60000);
  Store::Acquired full = get(*st, key);
  ASSERT_TRUE(full.value);
  EXPECT_EQ(full.value->size(), st->max_value_size());

  const Key big = spread_key(2);
  put(*st, big, "older answer", -1, 60000);
  Store::Acquired lead = get(*st, big);
  ASSERT_EQ(lead.kind, Kind::Lead);
  EXPECT_EQ(lead.value, "older answer");
  Store::Acquired waited;
  std::thread waiter([&] { waited = st->acquire(big, in(5s), kLongLease); });
  wait_for_waiters(*st, 1);
  int64_t now = wall_ms();
  st->complete(big, lead.flight, std::string(st->max_value_size() + 1, 'x'), now + 60000, now + 60000);
  waiter.join();
  // Nothing to share: the waiter queries for itself, without a flight, instead of failing or timing out.
  EXPECT_EQ(waited.kind, Kind::Lead);
  EXPECT_EQ(waited.flight, 0u);
  EXPECT_EQ(st->stats().too_large, 1u);
  EXPECT_EQ(st->stats().entries, 1u);  // the older answer went too: a newer one exists
  Store::Acquired again = get(*st, big);
  EXPECT_EQ(again.kind, Kind::Lead);
  EXPECT_FALSE(again.value);
}

TEST(ShmStore, SingleFlightInOneProcessCompletes) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  Outcomes out = race(*st, key, 5000ms, [&](uint64_t f) {
    int64_t now = wall_ms();
    st->complete(key, f, "answer", now + 60000, now + 60000);
  });
  expect_waiters(out, Kind::Fresh, "answer");
  EXPECT_EQ(st->stats().misses, 1u);
  EXPECT_EQ(st->stats().waits, uint64_t{kThreads - 1});
}

TEST(ShmStore, SingleFlightInOneProcessAbandonFailsWaitersWithTheKeptValue) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  put(*st, key, "old", -1, 60000);
  Outcomes out = race(*st, key, 5000ms, [&](uint64_t f) { st->abandon(key, f); });
  expect_waiters(out, Kind::Failed, "old");
  // Somebody arriving after the abandon does not inherit the failure: it queries again.
  Store::Acquired next = get(*st, key);
  EXPECT_EQ(next.kind, Kind::Lead);
  EXPECT_EQ(next.value, "old");
}

TEST(ShmStore, SingleFlightInOneProcessTimesOutAtTheDeadline) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  Outcomes out = race(*st, key, 200ms, [](uint64_t) {});
  expect_waiters(out, Kind::TimedOut, std::nullopt);
  st->abandon(key, out.flight);
}

TEST(ShmStore, ExpiredLeaseIsTakenOver) {
  auto st = shm_store(1);
  const Key key = spread_key(1);
  Store::Acquired first = st->acquire(key, in(1s), 100ms);
  ASSERT_EQ(first.kind, Kind::Lead);
  // The first leader never answers; its lease, not the 3 s deadline, ends the wait.
  Store::Acquired second = st->acquire(key, in(3s), kLongLease);
  EXPECT_EQ(second.kind, Kind::Lead);
  EXPECT_NE(second.flight, first.flight);
  int64_t now = wall_ms();
  st->complete(key, first.flight, "late", now + 60000, now + 60000);  // taken over: ignored
  EXPECT_EQ(st->stats().stores, 0u);
  st->complete(key, second.flight, "current", now + 60000, now + 60000);
  EXPECT_EQ(get(*st, key).value, "current");
}

TEST(ShmStore, SingleFlightAcrossProcesses) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  constexpr int kChildren = 8;
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kChildren; i++) {
    children.push_back(spawn([&] {
      close(start[1]);
      char c;
      while (read(start[0], &c, 1) > 0) {
      }
      Store::Acquired a = st->acquire(key, in(5s), kLongLease);
      if (a.kind == Kind::Lead) {
        wait_for_waiters(*st, kChildren - 1);
        int64_t now = wall_ms();
        st->complete(key, a.flight, "from the leader", now + 60000, now + 60000);
        return 10;
      }
      return a.kind == Kind::Fresh && a.value == "from the leader" ? 0 : 1;
    }));
  }
  close(start[0]);
  close(start[1]);  // every child reads end-of-file: they start together
  int leaders = 0, served = 0;
  for (pid_t pid : children) {
    int code = exit_code(pid);
    leaders += code == 10;
    served += code == 0;
  }
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(served, kChildren - 1);
  EXPECT_EQ(st->stats().misses, 1u);
  EXPECT_EQ(st->stats().stores, 1u);
}

// Forks a child that leads a flight for `key`, lives `linger` longer and exits without complete() or
// abandon(). Returns once the child leads: its pid, and its flight in `flight` (0: it did not lead).
pid_t spawn_dying_leader(Store& st, const Key& key, std::chrono::milliseconds linger, uint64_t& flight) {
  flight = 0;
  int report[2];
  if (pipe(report) != 0) {
    return -1;
  }
  pid_t pid = spawn([&] {
    Store::Acquired a = st.acquire(key, in(1s), kLongLease);
    uint64_t led = a.kind == Kind::Lead ? a.flight : 0;
    if (write(report[1], &led, sizeof led) != static_cast<ssize_t>(sizeof led)) {
      return 1;
    }
    std::this_thread::sleep_for(linger);
    return 0;
  });
  if (read(report[0], &flight, sizeof flight) != static_cast<ssize_t>(sizeof flight)) {
    flight = 0;
  }
  close(report[0]);
  close(report[1]);
  return pid;
}

TEST(ShmStore, LeaderThatDiedIsTakenOver) {
  auto st = shm_store(1);
  const Key key = spread_key(1);
  uint64_t dead_flight = 0;
  pid_t leader = spawn_dying_leader(*st, key, 0ms, dead_flight);
  ASSERT_NE(dead_flight, 0u);
  ASSERT_EQ(exit_code(leader), 0);

  // The lease has ten seconds left and the deadline three: only noticing the death gives Lead here.
  Store::Acquired a = st->acquire(key, in(3s), kLongLease);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_NE(a.flight, dead_flight);
  st->abandon(key, a.flight);
}

TEST(ShmStore, WaiterNoticesItsLeaderDying) {
  auto st = shm_store(1);
  const Key key = spread_key(1);
  uint64_t flight = 0;
  pid_t leader = spawn_dying_leader(*st, key, 300ms, flight);
  ASSERT_NE(flight, 0u);
  pid_t waiter = spawn([&] {
    Store::Acquired a = st->acquire(key, in(3s), kLongLease);
    return a.kind == Kind::Lead ? 10 : a.kind == Kind::TimedOut ? 2 : 1;
  });
  EXPECT_EQ(exit_code(leader), 0);  // reaped, as a server's parent process reaps its dead workers
  EXPECT_EQ(exit_code(waiter), 10);
  EXPECT_EQ(st->stats().waits, 1u);
}

TEST(ShmStore, LockHeldByAKilledProcessIsRecovered) {
  auto st = shm_store(2);
  const Key key = key_in(0, 1, 2, 1), neighbour = key_in(1, 0, 2, 1);
  put(*st, key, "before", 60000, 60000);
  put(*st, neighbour, "untouched", 60000, 60000);
  ASSERT_EQ(testing::buckets_holding(*st, key), std::vector<uint64_t>{0});
  ASSERT_EQ(testing::buckets_holding(*st, neighbour), std::vector<uint64_t>{1});
  kill_while_holding_locks(*st, {key});

  // The entries the lock guarded may have been half written: they are gone, the bucket works.
  expect_gone_then_store(*st, key, "after");
  EXPECT_EQ(st->stats().lock_recoveries, 1u);
  EXPECT_EQ(testing::bucket_usage(*st, 0).records, 1u);  // the new value's record alone
  EXPECT_EQ(get(*st, key).value, "after");
  EXPECT_EQ(get(*st, neighbour).value, "untouched");
  EXPECT_EQ(st->stats().lock_recoveries, 1u);
  EXPECT_EQ(st->stats().entries, 2u);
}

TEST(ShmStore, AttachReusesMemoryOfTheSameGeometry) {
  const size_t bytes = bytes_for_buckets(3);
  void* memory = std::aligned_alloc(64, bytes);
  ASSERT_NE(memory, nullptr);
  std::memset(memory, 0xa5, bytes);  // whatever the server's memory held before
  const Key key = spread_key(1);
  {
    auto st = attach_shm_store(memory, bytes);
    ASSERT_TRUE(st) << st.error();
    put(**st, key, "kept", 60000, 60000);
  }
  {
    // A reload: the same memory and size find the entry (and the counters) as they were.
    auto st = attach_shm_store(memory, bytes);
    ASSERT_TRUE(st) << st.error();
    EXPECT_EQ(get(**st, key).value, "kept");
    EXPECT_EQ((*st)->stats().stores, 1u);
  }
  {
    // Another size is another geometry: the memory is initialised again.
    auto st = attach_shm_store(memory, bytes - sizeof(shm::Bucket));
    ASSERT_TRUE(st) << st.error();
    EXPECT_EQ((*st)->stats().capacity, 2 * shm::kMaxRecords);
    EXPECT_EQ((*st)->stats().stores, 0u);
    Store::Acquired a = get(**st, key);
    EXPECT_EQ(a.kind, Kind::Lead);
    EXPECT_FALSE(a.value);
  }
  EXPECT_FALSE(attach_shm_store(static_cast<char*>(memory) + 8, bytes - 64));
  std::free(memory);
}

// Memory laid out by another build (another version, bucket layout, value limit or libc mutex) is not
// misread: it is initialised again, however well the size matches.
TEST(ShmStore, AttachInitialisesMemoryOfAnotherLayout) {
  const size_t bytes = bytes_for_buckets(2);
  void* memory = std::aligned_alloc(64, bytes);
  ASSERT_NE(memory, nullptr);
  const Key key = spread_key(1);
  auto* header = static_cast<shm::Header*>(memory);
  const std::vector<std::function<void()>> other_layouts = {
      [&] { header->version--; },         [&] { header->bucket_bytes += 64; },
      [&] { header->mutex_bytes += 8; },  [&] { header->heap_bytes -= 8; },
      [&] { header->record_bytes += 8; }, [&] { header->max_records++; },
      [&] { header->unit_bytes = 16; },   [&] { header->max_value_bytes = 512; },
      [&] { header->bucket_count++; },    [&] { header->magic = 0; },
  };
  for (size_t i = 0; i < other_layouts.size(); i++) {
    {
      auto st = attach_shm_store(memory, bytes);
      ASSERT_TRUE(st) << st.error();
      put(**st, key, "kept", 60000, 60000);
    }
    other_layouts[i]();
    auto st = attach_shm_store(memory, bytes);
    ASSERT_TRUE(st) << st.error();
    EXPECT_EQ((*st)->stats().stores, 0u) << "layout change " << i;
    EXPECT_FALSE((*st)->peek(key)) << "layout change " << i;
  }
  std::free(memory);
}

TEST(ShmStore, SizeBelowOneBucketIsRefused) {
  auto made = make_shm_store(bytes_for_buckets(1) - 1);
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().find("VTJCache shm:"), std::string::npos);
  EXPECT_TRUE(make_shm_store(bytes_for_buckets(1)));
  char memory[64];
  EXPECT_FALSE(attach_shm_store(memory, sizeof memory));
}

TEST(ShmStore, NoneStoreAlwaysLeads) {
  auto st = make_none_store();
  const Key key = spread_key(1);
  Store::Acquired a = st->acquire(key, in(1s), kLongLease);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_EQ(a.flight, 0u);
  int64_t now = wall_ms();
  st->complete(key, a.flight, "ignored", now + 60000, now + 60000);
  a = st->acquire(key, in(1s), kLongLease);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_FALSE(a.value);
  EXPECT_EQ(st->stats().capacity, 0u);
  EXPECT_GT(st->max_value_size(), size_t{1} << 30);
}

}  // namespace
}  // namespace vtj::cache
