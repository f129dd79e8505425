#pragma once
// A test PKI made with the OpenSSL C API: a root, a citizen intermediate in the style of "DVV Citizen
// Certificates - G4R" (with a TEST marker), an impostor CA with the same subject DN but another key, an
// organisation CA, and leaves in and outside the FINEID citizen profile. Header-only (inline) so unit
// tests, benchmarks and fuzz targets can all include it without build changes. Keys are generated once
// per process.

#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace vtj::testpki {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

// The tests' clock: 2025-06-15T16:53:20Z. Certificates are valid around it.
constexpr int64_t kNow = 1750006400;
constexpr int64_t kDay = 86400;

inline KeyPtr make_rsa_key(unsigned bits = 2048) {
  return KeyPtr(EVP_RSA_gen(bits));
}
inline KeyPtr make_ec_key(const char* curve = "P-384") {
  return KeyPtr(EVP_EC_gen(curve));
}

// One subject attribute with its exact ASN.1 string type (V_ASN1_UTF8STRING, V_ASN1_T61STRING,
// V_ASN1_PRINTABLESTRING, V_ASN1_BMPSTRING, ...) and raw value bytes.
struct Attr {
  int nid;
  int type;
  std::string bytes;
};

struct CertSpec {
  std::vector<Attr> subject;
  int64_t not_before = kNow - 30 * kDay;
  int64_t not_after = kNow + 5 * 365 * kDay;
  // (NID, OpenSSL configuration value), e.g. {NID_key_usage, "critical,digitalSignature"}.
  std::vector<std::pair<int, std::string>> extensions;
  long serial = 1;
};

// Signs a certificate for subject_key with issuer_key; issuer == nullptr makes it self-issued.
inline CertPtr issue(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
  CertPtr x(X509_new());
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), spec.serial);
  X509_NAME* name = X509_get_subject_name(x.get());
  for (const Attr& a : spec.subject) {
    X509_NAME_add_entry_by_NID(name, a.nid, a.type, reinterpret_cast<const unsigned char*>(a.bytes.data()),
                               static_cast<int>(a.bytes.size()), -1, 0);
  }
  X509_set_issuer_name(x.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(spec.not_after));
  X509_set_pubkey(x.get(), subject_key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
  // An empty configuration: certificatePolicies refuses to parse without one.
  std::unique_ptr<CONF, decltype(&NCONF_free)> conf(NCONF_new(nullptr), &NCONF_free);
  X509V3_set_nconf(&ctx, conf.get());
  for (const auto& [nid, value] : spec.extensions) {
    X509_EXTENSION* ext = X509V3_EXT_nconf_nid(conf.get(), &ctx, nid, value.c_str());
    if (ext == nullptr) {
      throw std::runtime_error("test PKI: bad extension " + value);
    }
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x.get(), issuer_key, EVP_sha256()) <= 0) {
    throw std::runtime_error("test PKI: signing failed");
  }
  return x;
}

inline std::string to_pem(X509* x) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

inline std::string to_der(X509* x) {
  int n = i2d_X509(x, nullptr);
  std::string der(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(x, &p);
  return der;
}

inline Attr utf8(int nid, std::string s) {
  return {nid, V_ASN1_UTF8STRING, std::move(s)};
}
inline Attr printable(int nid, std::string s) {
  return {nid, V_ASN1_PRINTABLESTRING, std::move(s)};
}

inline CertSpec ca_spec(std::string common_name, const char* policy) {
  CertSpec s;
  s.subject = {printable(NID_countryName, "FI"),
               utf8(NID_organizationName, "Digi- ja vaestotietovirasto TEST"),
               utf8(NID_commonName, std::move(common_name))};
  s.not_before = kNow - 365 * kDay;
  s.not_after = kNow + 10 * 365 * kDay;
  s.extensions = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                  {NID_key_usage, "critical,keyCertSign,cRLSign"},
                  {NID_subject_key_identifier, "hash"}};
  if (policy != nullptr) {
    s.extensions.emplace_back(NID_certificate_policies, policy);
  }
  return s;
}

// A leaf in the FINEID authentication profile: C=FI, serialNumber=SATU, GN, SN, CN="SURNAME GIVEN SATU".
inline CertSpec citizen_spec(const std::string& satu, const std::string& given, const std::string& surname) {
  CertSpec s;
  s.subject = {printable(NID_countryName, "FI"), printable(NID_serialNumber, satu),
               utf8(NID_givenName, given), utf8(NID_surname, surname),
               utf8(NID_commonName, surname + " " + given + " " + satu)};
  s.extensions = {{NID_key_usage, "critical,digitalSignature,keyEncipherment,dataEncipherment"},
                  {NID_certificate_policies, "1.2.246.517.1.10.301.1"},
                  {NID_ext_key_usage, "clientAuth,emailProtection"}};
  s.serial = 1001;
  return s;
}

struct Pki {
  KeyPtr root_key = make_ec_key("P-384");
  KeyPtr citizen_ca_key = make_rsa_key();
  KeyPtr impostor_key = make_rsa_key();
  KeyPtr org_ca_key = make_ec_key("P-384");
  KeyPtr leaf_rsa_key = make_rsa_key();
  KeyPtr leaf_ec_key = make_ec_key("P-384");
  CertPtr root;
  CertPtr citizen_ca;   // "DVV TEST Citizen Certificates - G4R", signed by root
  CertPtr impostor_ca;  // the same subject DN, another key (self-signed)
  CertPtr org_ca;       // "DVV TEST Organisational Certificates - G4R", signed by root

  Pki() {
    CertSpec r = ca_spec("DVV TEST Gov. Root CA - G3", nullptr);
    r.extensions[0].second = "critical,CA:TRUE";
    root = issue(r, root_key.get(), nullptr, root_key.get());
    CertSpec c = ca_spec("DVV TEST Citizen Certificates - G4R", "1.2.246.517.1.10.301.1");
    citizen_ca = issue(c, citizen_ca_key.get(), root.get(), root_key.get());
    impostor_ca = issue(c, impostor_key.get(), nullptr, impostor_key.get());
    org_ca = issue(ca_spec("DVV TEST Organisational Certificates - G4R", "1.2.246.517.1.10.301.2"),
                   org_ca_key.get(), root.get(), root_key.get());
  }

  // The process-wide instance: key generation happens once.
  static const Pki& get() {
    static const Pki pki;
    return pki;
  }

  CertPtr citizen_leaf(const CertSpec& spec, bool ec = false) const {
    return issue(spec, ec ? leaf_ec_key.get() : leaf_rsa_key.get(), citizen_ca.get(), citizen_ca_key.get());
  }
};

}  // namespace vtj::testpki
