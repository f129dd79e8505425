#include "cert_check.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <unordered_map>

namespace vtj::sim {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

// Cached certificates at most; a simulator serves a handful of test persons, so this only bounds what a
// stream of distinct certificates can make it hold.
constexpr size_t kMaxCached = 4096;

}  // namespace

struct CertificateFacts {
  bool decodable = false;
  bool approved = false;  // issued (signature verified) by a configured citizen CA
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  enum class Revocation { NoList, Good, Revoked } revocation = Revocation::NoList;
  std::string satu;
};

struct CertificateChecker::Impl {
  std::vector<X509Ptr> cas;
  struct Crl {
    CrlPtr crl;
    int ca = -1;  // the CA that signed it; -1 when no CAs are configured
  };
  std::vector<Crl> crls;

  std::shared_mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const CertificateFacts>> cache;

  std::shared_ptr<const CertificateFacts> compute(std::string_view base64) const;
  std::shared_ptr<const CertificateFacts> facts(std::string_view base64);
};

namespace {

Result<std::string, std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return err(path + ": cannot open");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

bool looks_pem(const std::string& bytes) {
  return bytes.find("-----BEGIN") != std::string::npos;
}

Result<std::vector<X509Ptr>, std::string> read_certificates(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) {
    return err(bytes.error());
  }
  std::vector<X509Ptr> out;
  if (looks_pem(*bytes)) {
    BIO* bio = BIO_new_mem_buf(bytes->data(), static_cast<int>(bytes->size()));
    while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      out.emplace_back(x);
    }
    BIO_free(bio);
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes->data());
    if (X509* x = d2i_X509(nullptr, &p, static_cast<long>(bytes->size()))) {
      out.emplace_back(x);
    }
  }
  if (out.empty()) {
    return err(path + ": no certificate in the file");
  }
  return out;
}

Result<std::vector<CrlPtr>, std::string> read_crls(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) {
    return err(bytes.error());
  }
  std::vector<CrlPtr> out;
  if (looks_pem(*bytes)) {
    BIO* bio = BIO_new_mem_buf(bytes->data(), static_cast<int>(bytes->size()));
    while (X509_CRL* c = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr)) {
      out.emplace_back(c);
    }
    BIO_free(bio);
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes->data());
    if (X509_CRL* c = d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes->size()))) {
      out.emplace_back(c);
    }
  }
  if (out.empty()) {
    return err(path + ": no revocation list in the file");
  }
  return out;
}

// DER from base64 with any white space between the characters; empty when it is not base64.
std::string decode_base64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      compact.push_back(c);
    }
  }
  if (compact.empty() || compact.size() % 4 != 0) {
    return {};
  }
  std::string out(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(compact.data()),
                          static_cast<int>(compact.size()));
  if (n < 0) {
    return {};
  }
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = compact.back() == '=' ? (compact[compact.size() - 2] == '=' ? 2 : 1) : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::time_t to_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) {
    return 0;
  }
  return timegm(&tm);
}

std::string subject_serial_number(X509* x) {
  X509_NAME* name = X509_get_subject_name(x);
  int i = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
  if (i < 0) {
    return {};
  }
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

}  // namespace

std::shared_ptr<const CertificateFacts> CertificateChecker::Impl::compute(std::string_view base64) const {
  auto f = std::make_shared<CertificateFacts>();
  std::string der = decode_base64(base64);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr x(der.empty() ? nullptr : d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return f;
  }
  f->decodable = true;
  f->not_before = to_time(X509_get0_notBefore(x.get()));
  f->not_after = to_time(X509_get0_notAfter(x.get()));
  f->satu = subject_serial_number(x.get());
  int issuer = -1;
  for (size_t i = 0; i < cas.size() && issuer < 0; ++i) {
    // The names must chain and the CA's key must have made the signature: a CA with the same name but
    // another key (an impostor) does not count.
    EVP_PKEY* key = X509_get0_pubkey(cas[i].get());
    if (X509_check_issued(cas[i].get(), x.get()) == X509_V_OK && key != nullptr &&
        X509_verify(x.get(), key) == 1) {
      issuer = static_cast<int>(i);
    }
  }
  f->approved = cas.empty() || issuer >= 0;
  for (const Crl& c : crls) {
    bool same_issuer =
        cas.empty() ? X509_NAME_cmp(X509_CRL_get_issuer(c.crl.get()), X509_get_issuer_name(x.get())) == 0
                    : c.ca == issuer && issuer >= 0;
    if (!same_issuer) {
      continue;
    }
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_serial(c.crl.get(), &entry, X509_get_serialNumber(x.get())) == 1) {
      f->revocation = CertificateFacts::Revocation::Revoked;
      break;
    }
    f->revocation = CertificateFacts::Revocation::Good;
  }
  return f;
}

std::shared_ptr<const CertificateFacts> CertificateChecker::Impl::facts(std::string_view base64) {
  std::string key(base64);
  {
    std::shared_lock lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) {
      return it->second;
    }
  }
  auto f = compute(base64);
  std::unique_lock lock(mutex);
  if (cache.size() >= kMaxCached) {
    cache.clear();
  }
  cache.emplace(std::move(key), f);
  return f;
}

CertificateChecker::CertificateChecker() : impl_(std::make_unique<Impl>()) {}
CertificateChecker::~CertificateChecker() = default;
CertificateChecker::CertificateChecker(CertificateChecker&&) noexcept = default;
CertificateChecker& CertificateChecker::operator=(CertificateChecker&&) noexcept = default;

Result<CertificateChecker, std::string> CertificateChecker::load(const std::vector<std::string>& ca_files,
                                                                 const std::vector<std::string>& crl_files) {
  CertificateChecker checker;
  Impl& impl = *checker.impl_;
  for (const std::string& path : ca_files) {
    auto certs = read_certificates(path);
    if (!certs) {
      return err(certs.error());
    }
    for (X509Ptr& c : *certs) {
      impl.cas.push_back(std::move(c));
    }
  }
  for (const std::string& path : crl_files) {
    auto lists = read_crls(path);
    if (!lists) {
      return err(lists.error());
    }
    for (CrlPtr& l : *lists) {
      Impl::Crl c{std::move(l), -1};
      for (size_t i = 0; i < impl.cas.size() && c.ca < 0; ++i) {
        EVP_PKEY* key = X509_get0_pubkey(impl.cas[i].get());
        if (X509_NAME_cmp(X509_CRL_get_issuer(c.crl.get()), X509_get_subject_name(impl.cas[i].get())) == 0 &&
            key != nullptr && X509_CRL_verify(c.crl.get(), key) == 1) {
          c.ca = static_cast<int>(i);
        }
      }
      if (!impl.cas.empty() && c.ca < 0) {
        return err(path + ": a revocation list not signed by any of the citizen CAs");
      }
      impl.crls.push_back(std::move(c));
    }
  }
  return checker;
}

CertificateVerdict CertificateChecker::check(std::string_view base64, bool check_validity,
                                             bool check_revocation, std::time_t now) const {
  auto f = impl_->facts(base64);
  CertificateVerdict v;
  v.satu = f->satu;
  if (!f->decodable) {
    v.code = "0014";
  } else if (!f->approved) {
    v.code = "0015";
  } else if (check_validity && (now < f->not_before || now > f->not_after)) {
    v.code = "0012";
  } else if (check_revocation && f->revocation == CertificateFacts::Revocation::Revoked) {
    v.code = "0013";
  } else if (check_revocation && f->revocation == CertificateFacts::Revocation::NoList) {
    v.code = "0008";  // asked for, but no list of that issuer to check against
  }
  return v;
}

}  // namespace vtj::sim
