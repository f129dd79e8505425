#pragma once
// Certificates that passed every check except the clock, keyed by a digest of the exact input bytes:
// a citizen sends the same certificate on every request, and the signature check against the CA costs
// 0.1-0.6 ms (ECDSA P-384) while a hit costs a SHA-256 of ~2 KB. The result of every check but validity
// depends only on the input and the IssuerSet, so a hit re-checks only the validity period. Bounded;
// the oldest entries go first. Thread-safe.

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vtj/identity_cert.hpp"

namespace vtj::identity {

class VerifiedCache {
 public:
  explicit VerifiedCache(std::size_t capacity) : capacity_(capacity) {}

  // SHA-256 of the input plus a byte for the lookup's variant (e.g. the SATU range); empty on failure.
  static std::string key(std::string_view input, unsigned char variant);

  std::shared_ptr<const CitizenCertificate> find(const std::string& key) const;
  void insert(const std::string& key, std::shared_ptr<const CitizenCertificate> cert);

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CitizenCertificate>> map_;
  std::deque<std::string> order_;  // insertion order, for eviction
};

}  // namespace vtj::identity
