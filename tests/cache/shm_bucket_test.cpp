// A bucket's records (src/cache/shm_bucket.cpp): values of every size up to the maximum, room made by
// evicting the least recently used, holes squeezed out by compaction, the directory's limit. One-bucket
// stores, so that every key shares the bucket.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cache/shm_layout.hpp"
#include "cache/shm_test_support.hpp"
#include "vtj/cache.hpp"

namespace vtj::cache {
namespace {

using namespace shm_test;

Key nth(unsigned char i) {
  return key_in(0, 0, 1, i);
}

// A value whose record takes `units` of the heap.
std::string value_of_units(size_t units, unsigned seed) {
  return value_of_size((units - shm::kRecordUnits) * shm::kUnitBytes, seed);
}

TEST(ShmBucket, ValuesOfEverySizeUpToTheMaximumRoundTrip) {
  auto st = shm_store(1);
  ASSERT_EQ(st->max_value_size(), shm::kMaxValueBytes);
  ASSERT_GE(st->max_value_size(), 2048u);
  const std::vector<size_t> sizes = {0, 1, 7, 8, 9, 31, 157, 416, 1000, 2047, 2048};
  for (unsigned i = 0; i < sizes.size(); i++) {
    const std::string v = value_of_size(sizes[i], i);
    put(*st, nth(static_cast<unsigned char>(i)), v, 60000, 60000);
    EXPECT_EQ(st->peek(nth(static_cast<unsigned char>(i))), v) << sizes[i] << " bytes";
    Store::Acquired a = get(*st, nth(static_cast<unsigned char>(i)));
    EXPECT_EQ(a.kind, Kind::Fresh) << sizes[i] << " bytes";
    EXPECT_EQ(a.value, v) << sizes[i] << " bytes";
  }
  EXPECT_EQ(st->stats().too_large, 0u);
  // The largest value leaves room beside it.
  const uint64_t evictions = st->stats().evictions;
  put(*st, nth(100), value_of_size(416, 100), 60000, 60000);
  EXPECT_EQ(st->stats().evictions, evictions);
  EXPECT_EQ(st->peek(nth(static_cast<unsigned char>(sizes.size() - 1))),
            value_of_size(2048, sizes.size() - 1));
  const testing::BucketUsage u = testing::bucket_usage(*st, 0);
  EXPECT_EQ(u.values, st->stats().entries);
  EXPECT_LE(u.used_bytes, shm::kHeapBytes);
}

TEST(ShmBucket, AValueGrowsAndShrinks) {
  auto st = shm_store(1);
  const Key key = nth(1), other = nth(2);
  put(*st, other, "neighbour", 60000, 60000);
  for (size_t size : {10u, 1500u, 3u, 2048u, 0u, 157u}) {
    const std::string v = value_of_size(size, static_cast<unsigned>(size));
    put(*st, key, v, -1, 60000);  // stale at once: the next put leads again
    Store::Acquired a = get(*st, key);
    ASSERT_EQ(a.kind, Kind::Lead);
    EXPECT_EQ(a.value, v);
    st->abandon(key, a.flight);
    const testing::BucketUsage u = testing::bucket_usage(*st, 0);
    EXPECT_EQ(u.values, 2u);
    EXPECT_EQ(u.used_bytes, (shm::units_for(size) + shm::units_for(9)) * shm::kUnitBytes) << size;
  }
  EXPECT_EQ(get(*st, other).value, "neighbour");
  EXPECT_EQ(st->stats().evictions, 0u);
}

TEST(ShmBucket, LargestValueEvictsTheLeastRecentlyUsedUntilItFits) {
  auto st = shm_store(1);
  constexpr unsigned kSmall = 16;
  const size_t units = 24;
  ASSERT_LE(kSmall * units, shm::kHeapUnits);
  for (unsigned i = 0; i < kSmall; i++) {
    put(*st, nth(static_cast<unsigned char>(i)), value_of_units(units, i), 60000, 60000);
  }
  // Looked at again: the even ones are now more recent than every odd one.
  for (unsigned i = 0; i < kSmall; i += 2) {
    ASSERT_EQ(get(*st, nth(static_cast<unsigned char>(i))).kind, Kind::Fresh);
  }
  const size_t need = shm::units_for(shm::kMaxValueBytes) - (shm::kHeapUnits - kSmall * units);
  const size_t evicted = (need + units - 1) / units;
  ASSERT_LE(evicted, kSmall / 2);
  const std::string largest = value_of_size(shm::kMaxValueBytes, 99);
  put(*st, nth(200), largest, 60000, 60000);
  EXPECT_EQ(st->stats().evictions, evicted);
  EXPECT_EQ(get(*st, nth(200)).value, largest);
  for (unsigned i = 0; i < kSmall; i++) {
    const bool gone = i % 2 == 1 && i / 2 < evicted;  // the odd ones, oldest first
    Store::Acquired a = get(*st, nth(static_cast<unsigned char>(i)));
    EXPECT_EQ(a.kind, gone ? Kind::Lead : Kind::Fresh) << i;
    if (!gone) {
      EXPECT_EQ(a.value, value_of_units(units, i)) << i;
    } else {
      st->abandon(nth(static_cast<unsigned char>(i)), a.flight);
    }
  }
}

TEST(ShmBucket, CompactionSqueezesOutHolesWithoutEvicting) {
  auto st = shm_store(1);
  constexpr unsigned kBig = 7;
  const size_t big = 61, small = 24;
  ASSERT_LE(kBig * big + small, shm::kHeapUnits);
  ASSERT_GT(kBig * big + small + big, shm::kHeapUnits);  // the last one below fits only once compacted
  for (unsigned i = 0; i < kBig; i++) {
    put(*st, nth(static_cast<unsigned char>(i)), value_of_units(big, i), i == 1 ? -1 : 60000, 60000);
  }
  // Key 1 gets a smaller answer: its old record leaves a hole in the middle of the heap.
  Store::Acquired lead = get(*st, nth(1));
  ASSERT_EQ(lead.kind, Kind::Lead);
  const int64_t now = wall_ms();
  st->complete(nth(1), lead.flight, value_of_units(small, 1), now + 60000, now + 60000);
  testing::BucketUsage u = testing::bucket_usage(*st, 0);
  EXPECT_EQ(u.used_bytes, ((kBig - 1) * big + small) * shm::kUnitBytes);
  EXPECT_EQ(u.top_bytes - u.used_bytes, big * shm::kUnitBytes);

  put(*st, nth(50), value_of_units(big, 50), 60000, 60000);
  u = testing::bucket_usage(*st, 0);
  EXPECT_EQ(u.top_bytes, u.used_bytes);
  EXPECT_EQ(u.values, kBig + 1);
  EXPECT_EQ(st->stats().evictions, 0u);
  // Every record moved intact.
  for (unsigned i = 0; i < kBig; i++) {
    EXPECT_EQ(st->peek(nth(static_cast<unsigned char>(i))), value_of_units(i == 1 ? small : big, i)) << i;
  }
  EXPECT_EQ(st->peek(nth(50)), value_of_units(big, 50));
}

TEST(ShmBucket, DirectoryBoundsTheRecordsOfABucket) {
  auto st = shm_store(1);
  constexpr unsigned kPuts = shm::kMaxRecords + 8;
  for (unsigned i = 0; i < kPuts; i++) {
    put(*st, nth(static_cast<unsigned char>(i)), "x", 60000, 60000);
  }
  EXPECT_EQ(st->stats().entries, shm::kMaxRecords);
  EXPECT_EQ(st->stats().evictions, kPuts - shm::kMaxRecords);
  EXPECT_EQ(testing::bucket_usage(*st, 0).records, shm::kMaxRecords);
  EXPECT_EQ(get(*st, nth(kPuts - 1)).value, "x");
  EXPECT_EQ(get(*st, nth(0)).kind, Kind::Lead);
}

TEST(ShmBucket, ValuePastItsKeepTimeGivesItsRoomBack) {
  auto st = shm_store(1);
  put(*st, nth(1), value_of_size(1000, 1), -2, -1);
  EXPECT_EQ(testing::bucket_usage(*st, 0).used_bytes, shm::units_for(1000) * shm::kUnitBytes);
  // The next look drops the value; the record stays for the new flight only.
  Store::Acquired a = get(*st, nth(1));
  ASSERT_EQ(a.kind, Kind::Lead);
  EXPECT_FALSE(a.value);
  const testing::BucketUsage u = testing::bucket_usage(*st, 0);
  EXPECT_EQ(u.used_bytes, shm::kRecordUnits * shm::kUnitBytes);
  EXPECT_EQ(u.values, 0u);
  st->abandon(nth(1), a.flight);
}

// A bucket whose records are all live flights has no room: a caller leads without a flight of its own
// (nobody waits for it), and a value that finds no room anywhere lets its waiters query for themselves.
TEST(ShmBucket, LiveFlightsAreNeverEvicted) {
  auto st = shm_store(1);
  std::vector<uint64_t> flights;
  unsigned char i = 0;
  for (;; i++) {
    Store::Acquired a = get(*st, nth(i));
    ASSERT_EQ(a.kind, Kind::Lead);
    if (a.flight == 0) {
      break;
    }
    flights.push_back(a.flight);
  }
  EXPECT_EQ(flights.size(), shm::kMaxRecords);
  EXPECT_EQ(st->stats().evictions, 0u);
  // Every flight still owns its key: the first one completes (its record makes room for its value).
  const int64_t now = wall_ms();
  st->complete(nth(0), flights[0], "answer", now + 60000, now + 60000);
  EXPECT_EQ(st->peek(nth(0)), "answer");
  for (unsigned char k = 1; k < flights.size(); k++) {
    st->abandon(nth(k), flights[k]);
  }
}

}  // namespace
}  // namespace vtj::cache
