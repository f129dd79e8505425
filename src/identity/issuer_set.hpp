#pragma once
// Internal view of an IssuerSet: the loaded CA entries and the leaf -> issuer match.

#include <openssl/x509.h>

#include <string>

#include "identity/openssl_ptr.hpp"
#include "vtj/identity_cert.hpp"

namespace vtj::identity {

// Everything derivable from one accepted CA, computed once at load.
struct IssuerSet::Issuer {
  X509Ptr cert;
  EVP_PKEY* key = nullptr;       // owned by cert
  X509_NAME* subject = nullptr;  // owned by cert
  std::string der;               // for duplicate detection
  std::string subject_rfc2253;
  std::string common_name;
};

class IssuerMatcher {
 public:
  enum class Outcome { Accepted, NoNameMatch, KeyMismatch };
  struct Match {
    Outcome outcome = Outcome::NoNameMatch;
    const IssuerSet::Issuer* issuer = nullptr;  // the accepted CA, or the name-matching one on mismatch
  };

  // The CA whose subject equals the leaf's issuer name (X509_NAME_cmp) and whose public key verifies
  // the leaf's signature.
  static Match match(const IssuerSet& set, X509* leaf);
  // The set's cache of fully checked certificates, or null.
  static VerifiedCache* cache(const IssuerSet& set) { return set.cache_.get(); }
};

}  // namespace vtj::identity
