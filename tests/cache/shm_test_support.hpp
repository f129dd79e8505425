#pragma once
// What the shared-memory store's tests share: stores of a given number of buckets, keys placed in chosen
// buckets, a put and a get, and child processes.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <initializer_list>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cache/shm_layout.hpp"
#include "vtj/cache.hpp"

namespace vtj::cache::shm_test {

using namespace std::chrono_literals;
using Kind = Store::Acquired::Kind;

inline constexpr auto kLongLease = 10s;

// The tests' own wall clock (the store's callers use now_ms(), which is not the store's to define).
inline int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

inline Deadline in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

inline size_t bytes_for_buckets(size_t n) {
  return shm::kHeaderBytes + n * sizeof(shm::Bucket);
}

// A key word that shm::bucket_of_word maps to bucket `index` of `buckets`.
inline uint64_t word_for(uint64_t index, uint64_t buckets) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(index) << 64) / buckets) + 1;
}

// A key whose primary bucket is `primary` and secondary `secondary` (of `buckets`); `tag` tells keys of
// the same buckets apart. Bytes 16-18 (the directory tag and the away counter) are left zero, so such
// keys share both: the store must not rely on either to tell keys apart.
inline Key key_in(uint64_t primary, uint64_t secondary, uint64_t buckets, unsigned char tag) {
  Key k{};
  const uint64_t p = word_for(primary, buckets), s = word_for(secondary, buckets);
  std::memcpy(k.data(), &p, sizeof p);
  std::memcpy(k.data() + 8, &s, sizeof s);
  k[31] = tag;
  return k;
}

// Keys spread over the buckets as HMACs would be.
inline Key spread_key(uint64_t n) {
  Key k{};
  uint64_t z = n;
  for (size_t at = 0; at < k.size(); at += 8) {
    z += 0x9e3779b97f4a7c15;  // splitmix64
    uint64_t x = z;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
    x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
    x ^= x >> 31;
    std::memcpy(k.data() + at, &x, sizeof x);
  }
  return k;
}

inline std::unique_ptr<Store> shm_store(size_t buckets) {
  auto made = make_shm_store(bytes_for_buckets(buckets));
  if (!made) {
    ADD_FAILURE() << made.error();
    return make_none_store();
  }
  return std::move(made).value();
}

// Leads a flight for `key` and stores `value`, fresh and kept for the given milliseconds from now.
inline void put(Store& st, const Key& key, const std::string& value, int64_t fresh_ms, int64_t keep_ms) {
  Store::Acquired a = st.acquire(key, in(1s), kLongLease);
  ASSERT_EQ(a.kind, Kind::Lead);
  ASSERT_NE(a.flight, 0u);
  int64_t now = wall_ms();
  st.complete(key, a.flight, value, now + fresh_ms, now + keep_ms);
}

inline Store::Acquired get(Store& st, const Key& key) {
  return st.acquire(key, in(1s), kLongLease);
}

// `key` holds nothing: its next caller leads with no value kept, and stores `value`.
inline void expect_gone_then_store(Store& st, const Key& key, const std::string& value) {
  Store::Acquired a = st.acquire(key, in(2s), kLongLease);
  ASSERT_EQ(a.kind, Kind::Lead);
  EXPECT_FALSE(a.value);
  const int64_t now = wall_ms();
  st.complete(key, a.flight, value, now + 60000, now + 60000);
}

// A value of `n` bytes that says which `seed` made it (so a value read back shows whose it is).
inline std::string value_of_size(size_t n, unsigned seed) {
  std::string v(n, '\0');
  for (size_t i = 0; i < n; i++) {
    v[i] = static_cast<char>((seed * 131 + i * 7) & 0xff);
  }
  return v;
}

// Polls until `n` callers wait (the store counts them in shared memory, so any process sees them).
inline void wait_for_waiters(const Store& st, uint64_t n) {
  auto until = std::chrono::steady_clock::now() + 3s;
  while (st.stats().waits < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
}

inline constexpr int kThreads = 16;

struct Outcomes {
  std::vector<Store::Acquired> waiters;
  int leaders = 0;
  uint64_t flight = 0;
};

// kThreads callers ask for `key` at once; the one that leads waits until all others wait, then runs
// `finish` with its flight.
inline Outcomes race(Store& st, const Key& key, std::chrono::milliseconds patience,
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

// The race had one leader, and every other caller ended as `kind` with `value` (TimedOut: any value).
inline void expect_waiters(const Outcomes& out, Kind kind, const std::optional<std::string>& value) {
  EXPECT_EQ(out.leaders, 1);
  ASSERT_EQ(out.waiters.size(), size_t{kThreads - 1});
  for (const Store::Acquired& a : out.waiters) {
    EXPECT_EQ(a.kind, kind);
    if (kind != Kind::TimedOut) {
      EXPECT_EQ(a.value, value);
    }
  }
}

// Forks a child that runs `body` and exits with its result (_exit: no atexit handlers, no leak check
// of the parent's heap under ASan).
inline pid_t spawn(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    _exit(body());
  }
  return pid;
}

inline int exit_code(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

// Forks a child that takes the locks of `keys`' primary buckets (in the order given) and is killed
// holding them.
inline void kill_while_holding_locks(Store& st, std::initializer_list<Key> keys) {
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t holder = spawn([&] {
    for (const Key& key : keys) {
      cache::testing::hold_bucket_lock(st, key);
    }
    char c = 'x';
    if (write(report[1], &c, 1) != 1) {
      return 1;
    }
    pause();
    return 0;
  });
  char c = 0;
  EXPECT_EQ(read(report[0], &c, 1), 1);
  kill(holder, SIGKILL);
  EXPECT_EQ(exit_code(holder), -1);
  close(report[0]);
  close(report[1]);
}

}  // namespace vtj::cache::shm_test
