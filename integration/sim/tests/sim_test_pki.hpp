#pragma once
// A small PKI made in the test with the OpenSSL API: a citizen CA, an impostor with the same name but
// another key, an unrelated CA, citizen certificates (subject serialNumber = SATU) and revocation lists,
// written as PEM files the simulator's Options name. Keys are made once per process.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace vtj::sim::testpki {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

constexpr long kDay = 86400;

inline void add_name(X509_NAME* name, int nid, const std::string& value, int type = MBSTRING_UTF8) {
  X509_NAME_add_entry_by_NID(name, nid, type, reinterpret_cast<const unsigned char*>(value.data()),
                             static_cast<int>(value.size()), -1, 0);
}

struct Ca {
  KeyPtr key;
  CertPtr cert;
};

// A CA certificate named cn; self-signed unless `parent` is given.
inline Ca make_ca(const std::string& cn, KeyPtr key, const Ca* parent = nullptr) {
  Ca ca{std::move(key), CertPtr(X509_new())};
  X509* x = ca.cert.get();
  X509_set_version(x, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_NAME* name = X509_get_subject_name(x);
  add_name(name, NID_countryName, "FI", MBSTRING_ASC);
  add_name(name, NID_organizationName, "Simulaattorin testi-CA");
  add_name(name, NID_commonName, cn);
  X509_set_issuer_name(x, parent != nullptr ? X509_get_subject_name(parent->cert.get()) : name);
  X509_gmtime_adj(X509_getm_notBefore(x), -365 * kDay);
  X509_gmtime_adj(X509_getm_notAfter(x), 3650 * kDay);
  X509_set_pubkey(x, ca.key.get());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, parent != nullptr ? parent->cert.get() : x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, parent != nullptr ? parent->key.get() : ca.key.get(), EVP_sha256()) <= 0) {
    throw std::runtime_error("test PKI: CA signing failed");
  }
  return ca;
}

// A citizen certificate: C=FI, serialNumber=SATU, CN="SURNAME GIVEN SATU"; validity relative to now.
inline CertPtr make_citizen(const Ca& issuer, EVP_PKEY* key, const std::string& satu, long serial,
                            long not_before_days = -30, long not_after_days = 365) {
  CertPtr c(X509_new());
  X509* x = c.get();
  X509_set_version(x, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_NAME* name = X509_get_subject_name(x);
  add_name(name, NID_countryName, "FI", MBSTRING_ASC);
  if (!satu.empty()) {
    add_name(name, NID_serialNumber, satu, MBSTRING_ASC);
  }
  add_name(name, NID_commonName, "TESTI TESTAAJA " + satu);
  X509_set_issuer_name(x, X509_get_subject_name(issuer.cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(x), not_before_days * kDay);
  X509_gmtime_adj(X509_getm_notAfter(x), not_after_days * kDay);
  X509_set_pubkey(x, key);
  if (X509_sign(x, issuer.key.get(), EVP_sha256()) <= 0) {
    throw std::runtime_error("test PKI: leaf signing failed");
  }
  return c;
}

inline CrlPtr make_crl(const Ca& issuer, const std::vector<long>& revoked) {
  CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get()));
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> now(ASN1_TIME_new(), &ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next(ASN1_TIME_new(), &ASN1_TIME_free);
  X509_gmtime_adj(now.get(), -kDay);
  X509_gmtime_adj(next.get(), 30 * kDay);
  X509_CRL_set1_lastUpdate(crl.get(), now.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (long serial : revoked) {
    X509_REVOKED* r = X509_REVOKED_new();
    ASN1_INTEGER* s = ASN1_INTEGER_new();
    ASN1_INTEGER_set(s, serial);
    X509_REVOKED_set_serialNumber(r, s);
    X509_REVOKED_set_revocationDate(r, now.get());
    X509_CRL_add0_revoked(crl.get(), r);
    ASN1_INTEGER_free(s);
  }
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) <= 0) {
    throw std::runtime_error("test PKI: CRL signing failed");
  }
  return crl;
}

inline std::string base64_der(X509* x) {
  int n = i2d_X509(x, nullptr);
  std::string der(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(x, &p);
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  int m = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
  out.resize(static_cast<size_t>(m));
  return out;
}

// A private folder for one test's files, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vtj-sim-pki-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("test PKI: mkdtemp failed");
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string write_pem(const std::string& path, const std::vector<X509*>& certs) {
  FILE* f = std::fopen(path.c_str(), "w");
  for (X509* x : certs) {
    PEM_write_X509(f, x);
  }
  std::fclose(f);
  return path;
}

inline std::string write_crl(const std::string& path, X509_CRL* crl) {
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_X509_CRL(f, crl);
  std::fclose(f);
  return path;
}

}  // namespace vtj::sim::testpki
