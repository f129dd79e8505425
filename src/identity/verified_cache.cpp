#include "identity/verified_cache.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

namespace vtj::identity {

namespace {

// Fetched once: an implicit fetch on every digest would cost more than hashing a certificate.
const EVP_MD* sha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

std::string VerifiedCache::key(std::string_view input, unsigned char variant) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  const EVP_MD* md = sha256();
  if (md == nullptr || EVP_Digest(input.data(), input.size(), digest, &n, md, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  std::string k(reinterpret_cast<const char*>(digest), n);
  k += static_cast<char>(variant);
  return k;
}

std::shared_ptr<const CitizenCertificate> VerifiedCache::find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : it->second;
}

void VerifiedCache::insert(const std::string& key, std::shared_ptr<const CitizenCertificate> cert) {
  if (capacity_ == 0) {
    return;
  }
  try {
    std::lock_guard<std::mutex> lock(mu_);
    if (!map_.emplace(key, std::move(cert)).second) {
      return;
    }
    order_.push_back(key);
    while (order_.size() > capacity_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  } catch (const std::exception&) {
    // Out of memory while caching: the certificate is still valid, only not remembered.
  }
}

}  // namespace vtj::identity
