#pragma once
// The checks the register makes on a citizen certificate sent in X509Certificate: is it a certificate
// (0014), did an approved citizen CA issue it (0015), is it within its validity (0012) and off its
// issuer's revocation list (0013; 0008 when no list of that issuer is at hand). Facts about each
// certificate are computed once and cached: signature verification (an ECDSA P-384 verify costs far more
// than a whole answer) must not be paid per query.

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vtj/result.hpp"

namespace vtj::sim {

struct CertificateVerdict {
  std::string code;  // empty: the certificate passed every check asked for
  std::string satu;  // the subject serialNumber (empty when absent or not decodable)
};

class CertificateChecker {
 public:
  CertificateChecker();
  ~CertificateChecker();
  CertificateChecker(CertificateChecker&&) noexcept;
  CertificateChecker& operator=(CertificateChecker&&) noexcept;

  // CA files: PEM (any number of certificates) or DER. CRL files: PEM (any number of lists) or DER; each
  // list must be signed by one of the CAs when CAs are given. No CA files: every issuer is approved.
  static Result<CertificateChecker, std::string> load(const std::vector<std::string>& ca_files,
                                                      const std::vector<std::string>& crl_files);

  // Thread-safe. base64: the X509Certificate field (DER, base64, white space allowed).
  CertificateVerdict check(std::string_view base64, bool check_validity, bool check_revocation,
                           std::time_t now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vtj::sim
