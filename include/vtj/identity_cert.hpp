#pragma once
// The citizen certificate (FINEID authentication certificate on an ID card or SIM) -> the citizen's SATU
// and names, after checking that the certificate is in the citizen profile and comes from an accepted
// issuer. The web server has already verified the chain and revocation during the TLS handshake; this is
// the second, policy-level check that a certificate from some other CA the server trusts (an
// organisation or service certificate) is never taken for a citizen.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vtj/identity.hpp"
#include "vtj/result.hpp"

namespace vtj::identity {

enum class CertError {
  Unparseable,        // neither a PEM nor a DER X.509 certificate, or malformed extensions
  IssuerNotAccepted,  // not signed by any CA of the IssuerSet (matched by name and key)
  NoSatu,             // no serialNumber attribute in the subject
  BadSatu,            // serialNumber is not a valid SATU (or there are several)
  Expired,
  NotYetValid,
  KeyUsage,           // no keyUsage, no digitalSignature (e.g. a nonRepudiation signing certificate),
                      // or an extendedKeyUsage without clientAuth
  NotCitizenProfile,  // a CA certificate, or keyCertSign / cRLSign usage
};
const char* to_string(CertError e);

struct CertRejection {
  CertError reason;
  std::string detail;  // for logs: never a full SATU or hetu, only masked ones
};

class VerifiedCache;

// The accepted issuing CAs (VTJCitizenIssuer). Copies are cheap and share the loaded, immutable CA
// entries (shared_ptr); a copy does not see certificates added to the original later. Const member
// functions, and read_citizen_certificate with the set, may be called from any number of threads at
// once; add_* are for configuration time. The set also remembers up to 1024 certificates that passed
// every check (by SHA-256 of the input), so a citizen's repeated requests skip the signature check;
// the remembered entries belong to this exact list of CAs and are dropped when a CA is added.
class IssuerSet {
 public:
  IssuerSet();
  ~IssuerSet();
  IssuerSet(const IssuerSet&);
  IssuerSet& operator=(const IssuerSet&);
  IssuerSet(IssuerSet&&) noexcept;
  IssuerSet& operator=(IssuerSet&&) noexcept;

  // A PEM file holding one or more certificates, or a DER file holding one. Every certificate must be
  // a CA (basicConstraints CA:TRUE). Ok(true) when at least one new CA was added, Ok(false) when all
  // were already present. The error text names the file and what is wrong; nothing is added then.
  Result<bool, std::string> add_file(const std::string& path);
  // The same for bytes already in memory; `label` names them in error texts.
  Result<bool, std::string> add_data(std::string_view pem_or_der, std::string_view label);

  bool empty() const { return issuers_.empty(); }
  std::size_t size() const { return issuers_.size(); }
  // Subject DNs (RFC 2253, UTF-8) of the accepted CAs, in the order added: for start-up logs.
  std::vector<std::string> subject_names() const;

  struct Issuer;  // defined in src/identity/issuer_set.hpp

 private:
  friend class IssuerMatcher;
  std::vector<std::shared_ptr<const Issuer>> issuers_;
  std::shared_ptr<VerifiedCache> cache_;  // null while empty
};

struct CitizenCertificate {
  Satu satu;
  std::string given_name, surname, common_name, country;  // UTF-8; empty when absent
  std::string issuer_name;                                // issuer DN, RFC 2253, UTF-8
  std::string issuer_common_name;                         // e.g. "DVV Citizen Certificates - G4R"
  std::string der;                                        // the leaf certificate, DER bytes
  int64_t not_before = 0;                                 // unix seconds
  int64_t not_after = 0;

  std::string der_base64() const;  // RFC 4648 base64 with padding, one line
};

// Reads the first certificate of a PEM text, or a DER certificate (nothing may follow it), and checks
// in this order: parse, issuer (name and signature against an IssuerSet CA), validity at now_unix, key
// usage (authentication profile), SATU. Subject attributes are read by OID whatever their string type;
// T61String bytes are taken as Latin-1 (what old FINEID cards hold). `satu_range` IncludingTest also
// accepts the register test environment's 9xxxxxxx identifiers.
Result<CitizenCertificate, CertRejection> read_citizen_certificate(
    std::string_view pem_or_der, const IssuerSet& issuers, int64_t now_unix,
    SatuRange satu_range = SatuRange::Production);

}  // namespace vtj::identity
