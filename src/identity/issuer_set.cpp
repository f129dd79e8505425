#include "identity/issuer_set.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>

#include "identity/asn1_text.hpp"
#include "identity/verified_cache.hpp"

namespace vtj::identity {

namespace {

// A CA bundle is a few kilobytes; refuse to slurp something that clearly is not one.
constexpr std::streamsize kMaxFileBytes = 4 * 1024 * 1024;
// Fully checked certificates remembered per set: about 2.5 KB each.
constexpr size_t kVerifiedCacheEntries = 1024;

// PEM (every certificate in it) or DER (exactly one). Empty on failure, with `why` set.
std::vector<X509Ptr> read_certificates(std::string_view data, std::string& why) {
  std::vector<X509Ptr> certs;
  if (data.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    while (bio) {
      X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (!x) {
        unsigned long e = ERR_peek_last_error();
        bool end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
        if (!end || certs.empty()) {
          why = certs.empty()
                    ? "no readable PEM certificate"
                    : "PEM certificate number " + std::to_string(certs.size() + 1) + " is unreadable";
          certs.clear();
        }
        break;
      }
      certs.push_back(std::move(x));
    }
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
    if (!x) {
      why = "neither PEM nor a DER certificate";
    } else if (p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) {
      why = "DER certificate followed by extra bytes";
    } else {
      certs.push_back(std::move(x));
    }
  }
  ERR_clear_error();
  return certs;
}

}  // namespace

IssuerSet::IssuerSet() = default;
IssuerSet::~IssuerSet() = default;
IssuerSet::IssuerSet(const IssuerSet&) = default;
IssuerSet& IssuerSet::operator=(const IssuerSet&) = default;
IssuerSet::IssuerSet(IssuerSet&&) noexcept = default;
IssuerSet& IssuerSet::operator=(IssuerSet&&) noexcept = default;

Result<bool, std::string> IssuerSet::add_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return err("citizen issuer file " + path + ": cannot be opened");
  }
  std::string data;
  try {
    in.seekg(0, std::ios::end);
    std::streamsize size = in.tellg();
    if (size > kMaxFileBytes) {
      return err("citizen issuer file " + path + ": larger than 4 MiB, not a CA certificate file");
    }
    in.seekg(0, std::ios::beg);
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return err("citizen issuer file " + path + ": cannot be read");
  }
  if (in.bad()) {
    return err("citizen issuer file " + path + ": read error");
  }
  return add_data(data, "citizen issuer file " + path);
}

Result<bool, std::string> IssuerSet::add_data(std::string_view pem_or_der, std::string_view label) {
  std::string why;
  std::vector<X509Ptr> certs = read_certificates(pem_or_der, why);
  if (certs.empty()) {
    return err(std::string(label) + ": " + why);
  }
  std::vector<std::shared_ptr<const Issuer>> added;
  for (size_t i = 0; i < certs.size(); ++i) {
    auto issuer = std::make_shared<Issuer>();
    issuer->cert = std::move(certs[i]);
    X509* x = issuer->cert.get();
    issuer->subject_rfc2253 = name_rfc2253(X509_get_subject_name(x));
    // Also caches the decoded extensions inside the X509 object before any concurrent use.
    uint32_t flags = X509_get_extension_flags(x);
    if ((flags & EXFLAG_INVALID) != 0 || (flags & EXFLAG_CA) == 0) {
      ERR_clear_error();
      // The subject is not quoted: a leaf put here by mistake may name a citizen.
      return err(std::string(label) + ": certificate " + std::to_string(i + 1) +
                 " is not a CA certificate (basicConstraints CA:TRUE)");
    }
    issuer->key = X509_get0_pubkey(x);
    if (issuer->key == nullptr) {
      ERR_clear_error();
      return err(std::string(label) + ": certificate " + std::to_string(i + 1) + " (" +
                 issuer->subject_rfc2253 + ") has a public key OpenSSL cannot use");
    }
    issuer->subject = X509_get_subject_name(x);
    issuer->der = der_of(x);
    std::vector<std::string> cn = name_values(issuer->subject, NID_commonName);
    issuer->common_name = cn.empty() ? std::string() : cn.front();
    added.push_back(std::move(issuer));
  }
  std::vector<std::shared_ptr<const Issuer>> merged = issuers_;
  for (auto& issuer : added) {
    bool known = false;
    for (const auto& have : merged) {
      known = known || have->der == issuer->der;
    }
    if (!known) {
      merged.push_back(std::move(issuer));
    }
  }
  if (merged.size() == issuers_.size()) {
    return false;
  }
  try {
    // A new list of CAs: what the old cache vouched for may no longer hold for it.
    cache_ = std::make_shared<VerifiedCache>(kVerifiedCacheEntries);
  } catch (const std::exception&) {
    cache_.reset();
  }
  issuers_ = std::move(merged);
  return true;
}

std::vector<std::string> IssuerSet::subject_names() const {
  std::vector<std::string> names;
  for (const auto& i : issuers_) {
    names.push_back(i->subject_rfc2253);
  }
  return names;
}

IssuerMatcher::Match IssuerMatcher::match(const IssuerSet& set, X509* leaf) {
  Match m;
  const X509_NAME* issuer_name = X509_get_issuer_name(leaf);
  for (const auto& issuer : set.issuers_) {
    if (X509_NAME_cmp(issuer_name, issuer->subject) != 0) {
      continue;
    }
    if (X509_verify(leaf, issuer->key) == 1) {
      ERR_clear_error();
      return {Outcome::Accepted, issuer.get()};
    }
    m = {Outcome::KeyMismatch, issuer.get()};
  }
  ERR_clear_error();
  return m;
}

}  // namespace vtj::identity
