// The cache front: identities become HMAC keys and records become AES-256-GCM ciphertext before any
// store sees them, so neither shared memory nor a Redis server ever holds a personal identity code or
// register data in the clear.

#include "vtj/cache.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace vtj::cache {

namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kMinSecretBytes = 32;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// HKDF-SHA-256 (RFC 5869) of the operator's secret into one 32-byte key per purpose.
bool hkdf(std::string_view secret, std::string_view info, std::array<unsigned char, 32>& out) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) {
    return false;
  }
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) {
    return false;
  }
  char digest[] = "SHA256";
  static const char kSalt[] = "vtj-resolver cache v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kSalt), sizeof kSalt - 1),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end(),
  };
  bool ok = EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  return ok;
}

}  // namespace

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Result<Secret, std::string> Secret::from_file(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return err(std::string("cannot read cache key file ") + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & S_IROTH) != 0) {
    // The key protects every cached person; a file anyone on the machine can read protects nothing.
    return err("cache key file " + path + " is readable by every user: chmod o-r it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return err(std::string("cannot read cache key file ") + path + ": " + std::strerror(errno));
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
    content.pop_back();
  }
  if (content.size() < kMinSecretBytes) {
    return err("cache key file " + path + " holds " + std::to_string(content.size()) +
               " bytes; at least 32 are needed (e.g. openssl rand -base64 48 > FILE)");
  }
  Secret s;
  if (!hkdf(content, "mac", s.mac_key) || !hkdf(content, "enc", s.enc_key)) {
    OPENSSL_cleanse(content.data(), content.size());
    return err(std::string("cannot derive the cache keys (OpenSSL HKDF unavailable)"));
  }
  OPENSSL_cleanse(content.data(), content.size());
  return s;
}

Secret Secret::random() {
  Secret s;
  if (RAND_bytes(s.mac_key.data(), s.mac_key.size()) != 1 || RAND_bytes(s.enc_key.data(), s.enc_key.size()) != 1) {
    // Without randomness there is no safe key; a cache that cannot be used must not be used silently.
    throw std::runtime_error("RAND_bytes failed: no random cache key");
  }
  return s;
}

Cache::Cache(std::unique_ptr<Store> store, const Secret& secret) : store_(std::move(store)), secret_(secret) {
  enabled_ = store_->stats().capacity > 0;
}

void Cache::replace_store(std::unique_ptr<Store> store) {
  store_ = std::move(store);
  enabled_ = store_->stats().capacity > 0;
}

Key Cache::key_for(std::string_view scope, std::string_view identity) const {
  // Length-prefixed parts: ("ab", "c") and ("a", "bc") must not give the same key.
  std::string input;
  input.reserve(scope.size() + identity.size() + 16);
  input += std::to_string(scope.size());
  input += ':';
  input += scope;
  input += std::to_string(identity.size());
  input += ':';
  input += identity;
  Key key{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.mac_key.data(), static_cast<int>(secret_.mac_key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), key.data(), &len);
  OPENSSL_cleanse(input.data(), input.size());
  return key;
}

std::string Cache::seal(const Key& key, std::string_view plain) const {
  std::string out(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || RAND_bytes(o, kNonceBytes) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, secret_.enc_key.data(), o) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, key.data(), static_cast<int>(key.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o + kNonceBytes, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + kNonceBytes + plain.size()) != 1) {
    ERR_clear_error();
    return {};  // not stored: complete() skips an empty value
  }
  return out;
}

std::optional<std::string> Cache::open(const Key& key, std::string_view sealed) const {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return std::nullopt;
  }
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  size_t n = sealed.size() - kNonceBytes - kTagBytes;
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::array<unsigned char, kTagBytes> tag{};
  std::memcpy(tag.data(), in + kNonceBytes + n, kTagBytes);
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, secret_.enc_key.data(), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, key.data(), static_cast<int>(key.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, in + kNonceBytes,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    ERR_clear_error();  // the thread's queue belongs to the server's TLS code too
    return std::nullopt;
  }
  return plain;
}

Cache::Acquired Cache::acquire(const Key& key, Deadline deadline, std::chrono::milliseconds lease) {
  Store::Acquired got = store_->acquire(key, deadline, lease);
  Acquired out;
  out.kind = got.kind;
  out.flight = got.flight;
  if (got.value) {
    out.record = open(key, *got.value);
    out.record_fresh = out.record && got.kind == Store::Acquired::Kind::Fresh;
  }
  if (got.kind == Store::Acquired::Kind::Fresh && !out.record) {
    // A fresh entry that does not open (sealed under another key, e.g. before a restart with a new random
    // key): query, without a flight of our own; the entry is replaced when it expires.
    out.kind = Store::Acquired::Kind::Lead;
    out.flight = 0;
  }
  return out;
}

std::optional<std::string> Cache::peek(const Key& key) {
  std::optional<std::string> sealed = store_->peek(key);
  return sealed ? open(key, *sealed) : std::nullopt;
}

void Cache::complete(const Key& key, uint64_t flight, std::string_view record, int ttl_seconds,
                     int keep_seconds) {
  if (flight == 0 && enabled_) {
    return;  // not ours to store (see acquire)
  }
  std::string sealed = seal(key, record);
  if (sealed.empty()) {
    store_->abandon(key, flight);
    return;
  }
  int64_t now = now_ms();
  int64_t fresh = now + int64_t{ttl_seconds} * 1000;
  store_->complete(key, flight, sealed, fresh, fresh + int64_t{keep_seconds} * 1000);
}

void Cache::abandon(const Key& key, uint64_t flight) {
  store_->abandon(key, flight);
}

Result<std::unique_ptr<Store>, std::string> make_store(const config::CacheSpec& spec) {
  switch (spec.kind) {
    case config::CacheSpec::Kind::None:
      return make_none_store();
    case config::CacheSpec::Kind::Shm:
      return make_shm_store(spec.shm_bytes);
    case config::CacheSpec::Kind::Redis:
      break;
  }
  return err(std::string("VTJCache redis:// is not supported by this build yet; use shm:SIZE or none"));
}

}  // namespace vtj::cache
