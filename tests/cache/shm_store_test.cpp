#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <functional>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "cache/shm_layout.hpp"
#include "vtj/cache.hpp"

namespace vtj::cache {
namespace {

using namespace std::chrono_literals;
using Kind = Store::Acquired::Kind;

constexpr auto kLongLease = 10s;

// The tests' own wall clock (the store's callers use now_ms(), which is not the store's to define).
int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Deadline in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

size_t bytes_for_buckets(size_t n) {
  return shm::kHeaderBytes + n * sizeof(shm::Bucket);
}

// The first eight bytes pick the bucket (see shm::bucket_index), the last one tells keys apart.
Key key_in_bucket(uint64_t bucket, unsigned char tag) {
  Key k{};
  std::memcpy(k.data(), &bucket, sizeof bucket);
  k[31] = tag;
  return k;
}

// Keys spread over the buckets as HMACs would be.
Key spread_key(uint64_t n) {
  uint64_t z = n + 0x9e3779b97f4a7c15;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  z ^= z >> 31;
  Key k = key_in_bucket(z, 0);
  std::memcpy(k.data() + 8, &n, sizeof n);
  return k;
}

std::unique_ptr<Store> shm_store(size_t buckets) {
  auto made = make_shm_store(bytes_for_buckets(buckets));
  if (!made) {
    ADD_FAILURE() << made.error();
    return make_none_store();
  }
  return std::move(made).value();
}

// Leads a flight for `key` and stores `value`, fresh and kept for the given milliseconds from now.
void put(Store& st, const Key& key, const std::string& value, int64_t fresh_ms, int64_t keep_ms) {
  Store::Acquired a = st.acquire(key, in(1s), kLongLease);
  ASSERT_EQ(a.kind, Kind::Lead);
  ASSERT_NE(a.flight, 0u);
  int64_t now = wall_ms();
  st.complete(key, a.flight, value, now + fresh_ms, now + keep_ms);
}

Store::Acquired get(Store& st, const Key& key) {
  return st.acquire(key, in(1s), kLongLease);
}

// Polls until `n` callers wait (the store counts them in shared memory, so any process sees them).
void wait_for_waiters(const Store& st, uint64_t n) {
  auto until = std::chrono::steady_clock::now() + 3s;
  while (st.stats().waits < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
}

// Forks a child that runs `body` and exits with its result (_exit: no atexit handlers, no leak check
// of the parent's heap under ASan).
pid_t spawn(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    _exit(body());
  }
  return pid;
}

int exit_code(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

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
  EXPECT_EQ(s.capacity, 4 * shm::kWays);
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
  for (uint64_t i = 0; i < 200; i++) {
    put(*st, spread_key(i), "value " + std::to_string(i), 60000, 60000);
  }
  StoreStats s = st->stats();
  EXPECT_EQ(s.capacity, 32u);
  EXPECT_EQ(s.entries, 32u);
  EXPECT_EQ(s.stores, 200u);
  EXPECT_EQ(s.evictions, 200u - 32u);
  EXPECT_EQ(get(*st, spread_key(199)).value, "value 199");  // the newest stays
}

TEST(ShmStore, EvictionPrefersExpiredThenLeastRecentlyUsed) {
  auto st = shm_store(1);
  for (unsigned char i = 0; i < shm::kWays; i++) {
    bool expired = i == 5;
    put(*st, key_in_bucket(0, i), "v", expired ? -2 : 60000, expired ? -1 : 60000);
  }
  // An entry past its keep time makes room without evicting anything live.
  put(*st, key_in_bucket(0, 100), "new", 60000, 60000);
  EXPECT_EQ(st->stats().evictions, 0u);

  EXPECT_EQ(get(*st, key_in_bucket(0, 0)).kind, Kind::Fresh);  // 0 is now more recent than 1
  put(*st, key_in_bucket(0, 101), "newer", 60000, 60000);
  EXPECT_EQ(st->stats().evictions, 1u);
  EXPECT_EQ(get(*st, key_in_bucket(0, 0)).kind, Kind::Fresh);
  EXPECT_EQ(get(*st, key_in_bucket(0, 100)).kind, Kind::Fresh);
  EXPECT_EQ(get(*st, key_in_bucket(0, 101)).kind, Kind::Fresh);
  EXPECT_EQ(st->stats().entries, shm::kWays);
  EXPECT_EQ(get(*st, key_in_bucket(0, 1)).kind, Kind::Lead);  // the least recently used went
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

constexpr int kThreads = 16;

struct Outcomes {
  std::vector<Store::Acquired> waiters;
  int leaders = 0;
  uint64_t flight = 0;
};

// kThreads callers ask for `key` at once; the one that leads waits until all others wait, then runs
// `finish` with its flight.
Outcomes race(Store& st, const Key& key, std::chrono::milliseconds patience,
              const std::function<void(uint64_t)>& finish) {
  Outcomes out;
  std::mutex mu;
  std::latch start(kThreads);
  std::vector<std::thread> pool;
  for (int i = 0; i < kThreads; i++) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      Store::Acquired a = st.acquire(key, in(patience), kLongLease);
      if (a.kind == Kind::Lead) {
        {
          std::lock_guard<std::mutex> lock(mu);
          out.leaders++;
          out.flight = a.flight;
        }
        wait_for_waiters(st, kThreads - 1);
        finish(a.flight);
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      out.waiters.push_back(std::move(a));
    });
  }
  for (std::thread& t : pool) {
    t.join();
  }
  return out;
}

TEST(ShmStore, SingleFlightInOneProcessCompletes) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  Outcomes out = race(*st, key, 5000ms, [&](uint64_t f) {
    int64_t now = wall_ms();
    st->complete(key, f, "answer", now + 60000, now + 60000);
  });
  EXPECT_EQ(out.leaders, 1);
  ASSERT_EQ(out.waiters.size(), size_t{kThreads - 1});
  for (const Store::Acquired& a : out.waiters) {
    EXPECT_EQ(a.kind, Kind::Fresh);
    EXPECT_EQ(a.value, "answer");
  }
  EXPECT_EQ(st->stats().misses, 1u);
  EXPECT_EQ(st->stats().waits, uint64_t{kThreads - 1});
}

TEST(ShmStore, SingleFlightInOneProcessAbandonFailsWaitersWithTheKeptValue) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  put(*st, key, "old", -1, 60000);
  Outcomes out = race(*st, key, 5000ms, [&](uint64_t f) { st->abandon(key, f); });
  EXPECT_EQ(out.leaders, 1);
  ASSERT_EQ(out.waiters.size(), size_t{kThreads - 1});
  for (const Store::Acquired& a : out.waiters) {
    EXPECT_EQ(a.kind, Kind::Failed);
    EXPECT_EQ(a.value, "old");
  }
  // Somebody arriving after the abandon does not inherit the failure: it queries again.
  Store::Acquired next = get(*st, key);
  EXPECT_EQ(next.kind, Kind::Lead);
  EXPECT_EQ(next.value, "old");
}

TEST(ShmStore, SingleFlightInOneProcessTimesOutAtTheDeadline) {
  auto st = shm_store(4);
  const Key key = spread_key(1);
  Outcomes out = race(*st, key, 200ms, [](uint64_t) {});
  EXPECT_EQ(out.leaders, 1);
  ASSERT_EQ(out.waiters.size(), size_t{kThreads - 1});
  for (const Store::Acquired& a : out.waiters) {
    EXPECT_EQ(a.kind, Kind::TimedOut);
  }
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
  const Key key = key_in_bucket(0, 1), neighbour = key_in_bucket(1, 1);
  put(*st, key, "before", 60000, 60000);
  put(*st, neighbour, "untouched", 60000, 60000);
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t holder = spawn([&] {
    testing::hold_bucket_lock(*st, key);
    char c = 'x';
    if (write(report[1], &c, 1) != 1) {
      return 1;
    }
    pause();
    return 0;
  });
  char c = 0;
  ASSERT_EQ(read(report[0], &c, 1), 1);
  kill(holder, SIGKILL);
  EXPECT_EQ(exit_code(holder), -1);
  close(report[0]);
  close(report[1]);

  // The entries the lock guarded may have been half written: they are gone, the bucket works.
  Store::Acquired a = st->acquire(key, in(2s), kLongLease);
  EXPECT_EQ(a.kind, Kind::Lead);
  EXPECT_FALSE(a.value);
  EXPECT_EQ(st->stats().lock_recoveries, 1u);
  int64_t now = wall_ms();
  st->complete(key, a.flight, "after", now + 60000, now + 60000);
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
    EXPECT_EQ((*st)->stats().capacity, 2 * shm::kWays);
    EXPECT_EQ((*st)->stats().stores, 0u);
    Store::Acquired a = get(**st, key);
    EXPECT_EQ(a.kind, Kind::Lead);
    EXPECT_FALSE(a.value);
  }
  EXPECT_FALSE(attach_shm_store(static_cast<char*>(memory) + 8, bytes - 64));
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
