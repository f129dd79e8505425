// The cache front (src/cache/cache.cpp): identities become HMAC keys and records AES-256-GCM ciphertext
// before a store sees them. The stores themselves are tested in shm_store_test.cpp.

#include "vtj/cache.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace vtj::cache {
namespace {

using namespace std::chrono_literals;
using Kind = Store::Acquired::Kind;

constexpr std::string_view kScope = "v1|https://vtj.example/|soso|PERUSSANOMA 1";
constexpr std::string_view kIdentity = "satu:12345678N";
const std::string kRecord = "Meikäläinen Maija Liisa, 00100 HELSINKI";

// Forwards to a store that several Caches may share (one shared-memory segment, many processes) and
// keeps every key and value it is handed: what shared memory or a Redis server would hold.
class RecordingStore final : public Store {
 public:
  explicit RecordingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}
  Acquired acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease) override {
    keys.push_back(key);
    return inner_->acquire(key, deadline, lease);
  }
  void complete(const Key& key, uint64_t flight, std::string_view value, int64_t fresh_until_ms,
                int64_t keep_until_ms) override {
    keys.push_back(key);
    values.emplace_back(value);
    inner_->complete(key, flight, value, fresh_until_ms, keep_until_ms);
  }
  void abandon(const Key& key, uint64_t flight) override { inner_->abandon(key, flight); }
  std::optional<std::string> peek(const Key& key) override { return inner_->peek(key); }
  StoreStats stats() const override { return inner_->stats(); }
  size_t max_value_size() const override { return inner_->max_value_size(); }

  std::vector<Key> keys;
  std::vector<std::string> values;

 private:
  std::shared_ptr<Store> inner_;
};

std::shared_ptr<Store> shared_shm() {
  auto made = make_shm_store(size_t{1} << 20);
  if (!made) {
    ADD_FAILURE() << made.error();
    return make_none_store();
  }
  return std::shared_ptr<Store>(std::move(made).value());
}

Cache cache_with(const Secret& secret) {
  return Cache(make_none_store(), secret);
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

TEST(CacheKey, DependsOnSecretScopeAndIdentityOnly) {
  Secret secret = Secret::random();
  Cache a = cache_with(secret), b = cache_with(secret), other = cache_with(Secret::random());
  Key key = a.key_for(kScope, kIdentity);
  // Two processes with the same VTJCacheKey must agree, or a shared store never hits.
  EXPECT_EQ(key, b.key_for(kScope, kIdentity));
  EXPECT_NE(key, a.key_for("v1|https://other.example/", kIdentity));
  EXPECT_NE(key, a.key_for(kScope, "satu:87654321M"));
  EXPECT_NE(key, other.key_for(kScope, kIdentity));
}

TEST(CacheKey, PartsAreLengthPrefixed) {
  Cache c = cache_with(Secret::random());
  // Without the lengths, a scope ending where an identity begins would share keys with another pair.
  EXPECT_NE(c.key_for("ab", "c"), c.key_for("a", "bc"));
  EXPECT_NE(c.key_for("", "abc"), c.key_for("abc", ""));
}

TEST(CacheSeal, RoundTrips) {
  Cache c = cache_with(Secret::random());
  Key key = c.key_for(kScope, kIdentity);
  for (const std::string& plain :
       {kRecord, std::string(), std::string("\0\x80\xff\n", 4), std::string(5000, 'x')}) {
    std::string sealed = c.seal(key, plain);
    // nonce (12) || ciphertext || tag (16): nothing else is stored beside the record.
    EXPECT_EQ(sealed.size(), plain.size() + 28);
    EXPECT_EQ(c.open(key, sealed), plain);
  }
}

TEST(CacheSeal, OpensOnlyUnderItsOwnKeyAndSecret) {
  Secret secret = Secret::random();
  Cache c = cache_with(secret);
  Key key = c.key_for(kScope, kIdentity);
  std::string sealed = c.seal(key, kRecord);
  // The key is the associated data: a value copied to another person's slot does not open there.
  EXPECT_EQ(c.open(c.key_for(kScope, "satu:87654321M"), sealed), std::nullopt);
  EXPECT_EQ(cache_with(Secret::random()).open(key, sealed), std::nullopt);
  EXPECT_EQ(cache_with(secret).open(key, sealed), kRecord);
}

TEST(CacheSeal, AnyChangedTruncatedOrExtendedValueFailsToOpen) {
  Cache c = cache_with(Secret::random());
  Key key = c.key_for(kScope, kIdentity);
  const std::string sealed = c.seal(key, kRecord);
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char bit : {0x01, 0x80}) {
      std::string flipped = sealed;
      flipped[i] = static_cast<char>(flipped[i] ^ bit);
      EXPECT_EQ(c.open(key, flipped), std::nullopt) << "byte " << i << " bit " << int{bit};
    }
  }
  for (size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_EQ(c.open(key, sealed.substr(0, n)), std::nullopt) << "first " << n << " bytes";
  }
  EXPECT_EQ(c.open(key, sealed + '\0'), std::nullopt);
}

TEST(CacheSeal, SameRecordTwiceGivesDifferentCiphertexts) {
  Cache c = cache_with(Secret::random());
  Key key = c.key_for(kScope, kIdentity);
  std::string one = c.seal(key, kRecord), two = c.seal(key, kRecord);
  // A random nonce per seal: equal records must not be recognisable as equal in the store.
  EXPECT_NE(one.substr(0, 12), two.substr(0, 12));
  EXPECT_NE(one, two);
}

TEST(CacheStore, NeverSeesIdentityOrRecord) {
  auto* recording = new RecordingStore(shared_shm());
  Cache c(std::unique_ptr<Store>(recording), Secret::random());
  ASSERT_TRUE(c.enabled());
  Key key = c.key_for(kScope, kIdentity);
  Cache::Acquired first = c.acquire(key, std::chrono::steady_clock::now() + 1s, 5s);
  ASSERT_EQ(first.kind, Kind::Lead);
  c.complete(key, first.flight, kRecord, 600, 0);

  Cache::Acquired again = c.acquire(key, std::chrono::steady_clock::now() + 1s, 5s);
  EXPECT_EQ(again.kind, Kind::Fresh);
  EXPECT_TRUE(again.record_fresh);
  EXPECT_EQ(again.record, kRecord);

  ASSERT_EQ(recording->values.size(), 1u);
  for (const std::string& v : recording->values) {
    EXPECT_FALSE(contains(v, "12345678N"));
    EXPECT_FALSE(contains(v, "Meik"));
    EXPECT_FALSE(contains(v, "HELSINKI"));
  }
  for (const Key& k : recording->keys) {
    std::string_view bytes(reinterpret_cast<const char*>(k.data()), k.size());
    EXPECT_FALSE(contains(bytes, "12345678"));
  }
}

// Two servers on one store with different secrets (e.g. one restarted with a new random key): `mine`
// stored an entry that `theirs` cannot open.
class CacheAcquire : public ::testing::Test {
 protected:
  void SetUp() override {
    Cache::Acquired lead = mine_.acquire(key_, soon(), 5s);
    ASSERT_EQ(lead.kind, Kind::Lead);
    ASSERT_NE(lead.flight, 0u);
    mine_.complete(key_, lead.flight, kRecord, 600, 3600);
  }
  static Deadline soon() { return std::chrono::steady_clock::now() + 1s; }

  std::shared_ptr<Store> shm_ = shared_shm();
  Cache mine_{std::make_unique<RecordingStore>(shm_), Secret::random()};
  Cache theirs_{std::make_unique<RecordingStore>(shm_), Secret::random()};
  Key key_ = mine_.key_for(kScope, kIdentity);
};

TEST_F(CacheAcquire, FreshEntryThatDoesNotOpenLeadsWithoutAFlight) {
  Cache::Acquired got = theirs_.acquire(key_, soon(), 5s);
  EXPECT_EQ(got.kind, Kind::Lead);
  EXPECT_EQ(got.flight, 0u);
  EXPECT_EQ(got.record, std::nullopt);
  // Flight 0 is nobody's: completing it must not replace the entry the other server can read.
  theirs_.complete(key_, got.flight, "theirs", 600, 3600);
  Cache::Acquired still = mine_.acquire(key_, soon(), 5s);
  EXPECT_EQ(still.kind, Kind::Fresh);
  EXPECT_EQ(still.record, kRecord);
}

// BUG (minor, no caller reads the field today): Cache::acquire sets record_fresh from the store's Fresh
// before it knows whether the value opens, so a value that fails to decrypt comes back as
// {kind Lead, record nullopt, record_fresh true}: "the record is fresh" about a record that is absent.
// A caller that trusts record_fresh (say, to skip a refresh) would act on nothing. Fix: set record_fresh
// only when `out.record` holds a value.
TEST_F(CacheAcquire, RecordThatDoesNotOpenIsNotCalledFresh) {
  Cache::Acquired got = theirs_.acquire(key_, soon(), 5s);
  EXPECT_EQ(got.record, std::nullopt);
  EXPECT_FALSE(got.record_fresh);
}

TEST(CacheStore, MakeStoreTakesNoneAndShmAndRefusesRedis) {
  config::CacheSpec none;
  none.kind = config::CacheSpec::Kind::None;
  auto n = make_store(none);
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_FALSE(Cache(std::move(n).value(), Secret::random()).enabled());

  config::CacheSpec shm;
  shm.shm_bytes = size_t{1} << 20;
  auto s = make_store(shm);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_GT(s.value()->stats().capacity, 0u);
  EXPECT_TRUE(Cache(std::move(s).value(), Secret::random()).enabled());

  config::CacheSpec redis;
  redis.kind = config::CacheSpec::Kind::Redis;
  redis.redis_host = "localhost";
  auto r = make_store(redis);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error(), "redis")) << r.error();
  EXPECT_TRUE(contains(r.error(), "not supported")) << r.error();
}

// Key files in a private folder, removed afterwards.
class CacheSecret : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vtj-cache-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string key_file(const std::string& name, const std::string& content, mode_t mode = 0600) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    chmod(path.c_str(), mode);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(CacheSecret, MissingFileIsAnError) {
  auto s = Secret::from_file((dir_ / "absent.key").string());
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.error(), "absent.key")) << s.error();
}

TEST_F(CacheSecret, WorldReadableFileIsRefused) {
  std::string path = key_file("open.key", std::string(48, 'k'), 0644);
  auto s = Secret::from_file(path);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.error(), "readable by every user")) << s.error();
  EXPECT_TRUE(contains(s.error(), path)) << s.error();
}

TEST_F(CacheSecret, ShortFileIsRefused) {
  // 31 bytes and a newline: the line end is not secret material and does not count.
  auto s = Secret::from_file(key_file("short.key", std::string(31, 'k') + "\n"));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.error(), "at least 32")) << s.error();
}

TEST_F(CacheSecret, SameFileGivesSameKeysAndOtherContentOthers) {
  std::string path = key_file("good.key", std::string(32, 'k'));
  auto one = Secret::from_file(path), two = Secret::from_file(path);
  ASSERT_TRUE(one.ok()) << one.error();
  ASSERT_TRUE(two.ok()) << two.error();
  EXPECT_EQ(one->mac_key, two->mac_key);
  EXPECT_EQ(one->enc_key, two->enc_key);
  // One key per purpose: the HMAC of an identity never equals the encryption key.
  EXPECT_NE(one->mac_key, one->enc_key);

  auto other = Secret::from_file(key_file("other.key", std::string(31, 'k') + "j"));
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_NE(one->mac_key, other->mac_key);
  EXPECT_NE(one->enc_key, other->enc_key);
  // Same file, same keys: a sealed value survives a restart (and opens on another node).
  Key key = cache_with(*one).key_for(kScope, kIdentity);
  EXPECT_EQ(cache_with(*two).open(key, cache_with(*one).seal(key, kRecord)), kRecord);
}

}  // namespace
}  // namespace vtj::cache
