#include "vtj/identity_cert.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <optional>

#include "identity/asn1_text.hpp"
#include "identity/issuer_set.hpp"
#include "identity/openssl_ptr.hpp"
#include "identity/verified_cache.hpp"

namespace vtj::identity {

namespace {

// A client certificate is a few kilobytes; the cap keeps hostile input from costing more than that.
constexpr size_t kMaxInputBytes = 256 * 1024;
// Attacker-chosen names quoted in log details are cut to this length.
constexpr size_t kMaxQuotedName = 200;

Err<CertRejection> reject(CertError reason, std::string detail) {
  return err(CertRejection{reason, std::move(detail)});
}

std::string quoted_name(std::string s) {
  if (s.size() > kMaxQuotedName) {
    s.resize(kMaxQuotedName);
    s += "...";
  }
  return s;
}

X509Ptr parse_certificate(std::string_view data, std::string& why) {
  X509Ptr x;
  if (data.size() > kMaxInputBytes) {
    why = "input larger than 256 KiB";
    return x;
  }
  if (data.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (bio) {
      x.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    }
    why = "PEM text holds no readable certificate";
  } else {
    const auto* begin = reinterpret_cast<const unsigned char*>(data.data());
    const unsigned char* p = begin;
    x.reset(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
    if (x && p != begin + data.size()) {
      x.reset();
      why = "DER certificate followed by extra bytes";
    } else {
      why = "not a PEM or DER certificate";
    }
  }
  return x;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm): no time zone involved.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool to_unix(const ASN1_TIME* t, int64_t& out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return false;
  }
  out = days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                        static_cast<unsigned>(tm.tm_mday)) *
            86400 +
        tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  return true;
}

std::string iso_time(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) {
    return std::to_string(unix_seconds);
  }
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<CertRejection> check_validity(int64_t not_before, int64_t not_after, int64_t now) {
  if (now < not_before) {
    return CertRejection{CertError::NotYetValid, "valid from " + iso_time(not_before)};
  }
  if (now > not_after) {
    return CertRejection{CertError::Expired, "expired " + iso_time(not_after)};
  }
  return std::nullopt;
}

std::string first(const std::vector<std::string>& values) {
  return values.empty() ? std::string() : values.front();
}

// The authentication-certificate profile: digitalSignature without nonRepudiation, certificate or CRL
// signing, not a CA,
// and, if extendedKeyUsage is present, usable for TLS client authentication.
std::optional<CertRejection> check_key_usage(X509* x, uint32_t flags) {
  if ((flags & EXFLAG_CA) != 0) {
    return CertRejection{CertError::NotCitizenProfile, "a CA certificate (basicConstraints CA:TRUE)"};
  }
  if ((flags & EXFLAG_KUSAGE) == 0) {
    return CertRejection{CertError::KeyUsage, "no keyUsage extension"};
  }
  uint32_t ku = X509_get_key_usage(x);
  if ((ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) != 0) {
    return CertRejection{CertError::NotCitizenProfile, "keyUsage allows certificate or CRL signing"};
  }
  // The card's signing certificate carries nonRepudiation (and QC statements): it must never stand in for
  // the authentication certificate, even when digitalSignature is also set.
  if ((ku & KU_NON_REPUDIATION) != 0) {
    return CertRejection{CertError::KeyUsage,
                         "a signing certificate (nonRepudiation), not the authentication certificate"};
  }
  if ((ku & KU_DIGITAL_SIGNATURE) == 0) {
    return CertRejection{CertError::KeyUsage, "keyUsage lacks digitalSignature"};
  }
  if ((flags & EXFLAG_XKUSAGE) != 0 &&
      (X509_get_extended_key_usage(x) & (XKU_SSL_CLIENT | XKU_ANYEKU)) == 0) {
    return CertRejection{CertError::KeyUsage, "extendedKeyUsage lacks clientAuth"};
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(CertError e) {
  switch (e) {
    case CertError::Unparseable:
      return "certificate unparseable";
    case CertError::IssuerNotAccepted:
      return "issuer not accepted";
    case CertError::NoSatu:
      return "no SATU in certificate";
    case CertError::BadSatu:
      return "invalid SATU in certificate";
    case CertError::Expired:
      return "certificate expired";
    case CertError::NotYetValid:
      return "certificate not yet valid";
    case CertError::KeyUsage:
      return "not an authentication certificate (key usage)";
    case CertError::NotCitizenProfile:
      return "not a citizen certificate";
  }
  return "certificate rejected";
}

std::string CitizenCertificate::der_base64() const {
  if (der.empty()) {
    return {};
  }
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

Result<CitizenCertificate, CertRejection> read_citizen_certificate(std::string_view pem_or_der,
                                                                   const IssuerSet& issuers, int64_t now_unix,
                                                                   SatuRange satu_range) {
  VerifiedCache* cache = IssuerMatcher::cache(issuers);
  std::string cache_key;
  if (cache != nullptr && pem_or_der.size() <= kMaxInputBytes) {
    cache_key = VerifiedCache::key(pem_or_der, static_cast<unsigned char>(satu_range));
    if (auto hit = cache_key.empty() ? nullptr : cache->find(cache_key)) {
      if (auto bad = check_validity(hit->not_before, hit->not_after, now_unix)) {
        return err(std::move(*bad));
      }
      return CitizenCertificate(*hit);
    }
  }

  std::string why;
  X509Ptr leaf = parse_certificate(pem_or_der, why);
  // Computes and caches the extension flags; EXFLAG_INVALID marks malformed or duplicate extensions.
  uint32_t flags = leaf ? X509_get_extension_flags(leaf.get()) : 0;
  ERR_clear_error();
  if (!leaf) {
    return reject(CertError::Unparseable, why);
  }
  if ((flags & EXFLAG_INVALID) != 0) {
    return reject(CertError::Unparseable, "malformed certificate extensions");
  }

  IssuerMatcher::Match m = IssuerMatcher::match(issuers, leaf.get());
  if (m.outcome == IssuerMatcher::Outcome::NoNameMatch) {
    return reject(CertError::IssuerNotAccepted,
                  // A self-signed look-alike names the person as its issuer: identifiers masked.
                  "issuer " + sanitize_for_log(quoted_name(name_rfc2253(X509_get_issuer_name(leaf.get())))) +
                      " is not an accepted citizen certificate issuer");
  }
  if (m.outcome == IssuerMatcher::Outcome::KeyMismatch) {
    return reject(CertError::IssuerNotAccepted, "issuer name matches " + m.issuer->subject_rfc2253 +
                                                    " but the signature does not verify with its key");
  }

  int64_t not_before = 0;
  int64_t not_after = 0;
  if (!to_unix(X509_get0_notBefore(leaf.get()), not_before) ||
      !to_unix(X509_get0_notAfter(leaf.get()), not_after)) {
    ERR_clear_error();
    return reject(CertError::Unparseable, "unreadable validity period");
  }
  if (auto bad = check_validity(not_before, not_after, now_unix)) {
    return err(std::move(*bad));
  }

  if (auto bad = check_key_usage(leaf.get(), flags)) {
    return err(std::move(*bad));
  }

  const X509_NAME* subject = X509_get_subject_name(leaf.get());
  std::vector<std::string> serials = name_values(subject, NID_serialNumber);
  if (serials.empty()) {
    return reject(CertError::NoSatu, "subject has no serialNumber");
  }
  for (const std::string& s : serials) {
    if (s != serials.front()) {
      return reject(CertError::BadSatu, "subject has several different serialNumber values");
    }
  }
  auto satu = Satu::parse(serials.front(), satu_range);
  if (!satu.ok()) {
    return reject(CertError::BadSatu,
                  "serialNumber " + mask_identifier(serials.front()) + ": " + to_string(satu.error()));
  }

  CitizenCertificate cert{std::move(satu).value(),
                          first(name_values(subject, NID_givenName)),
                          first(name_values(subject, NID_surname)),
                          first(name_values(subject, NID_commonName)),
                          first(name_values(subject, NID_countryName)),
                          m.issuer->subject_rfc2253,
                          m.issuer->common_name,
                          der_of(leaf.get()),
                          not_before,
                          not_after};
  if (!cache_key.empty()) {
    try {
      cache->insert(cache_key, std::make_shared<const CitizenCertificate>(cert));
    } catch (const std::exception&) {
      // Not remembered; the answer stands.
    }
  }
  return cert;
}

}  // namespace vtj::identity
