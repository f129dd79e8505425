// libFuzzer target: arbitrary bytes as a client certificate (PEM or DER) against a one-CA IssuerSet.
// The seed corpus (corpus/cert_fuzz/) holds leaves signed by the CA below, valid at kNow, so mutations
// that keep the signature reach the validity, key usage, name and SATU code; the seeds were made with
// the openssl command line (EC P-256 CA "FUZZ Citizen Certificates - G4E").

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vtj/identity_cert.hpp"

namespace {

constexpr std::string_view kFuzzCa =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICDDCCAbOgAwIBAgIUHL00v0OpSvd37DKuIoD2OKWhbCwwCgYIKoZIzj0EAwIw\n"
    "UzELMAkGA1UEBhMCRkkxGjAYBgNVBAoMEXZ0ai1yZXNvbHZlciBmdXp6MSgwJgYD\n"
    "VQQDDB9GVVpaIENpdGl6ZW4gQ2VydGlmaWNhdGVzIC0gRzRFMCAXDTI2MTEyNzEw\n"
    "Mjg0OVoYDzIwNTEwNzE5MTAyODQ5WjBTMQswCQYDVQQGEwJGSTEaMBgGA1UECgwR\n"
    "dnRqLXJlc29sdmVyIGZ1enoxKDAmBgNVBAMMH0ZVWlogQ2l0aXplbiBDZXJ0aWZp\n"
    "Y2F0ZXMgLSBHNEUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQl3dWRY5YaEN/q\n"
    "clUsravMZH8vSDso6UQiH/ctzqpzPJlyVthOTrYhzRTBFNejRdsoeT9jYQGRtihB\n"
    "3mCMSGlno2MwYTAdBgNVHQ4EFgQUekrfcIdgLNFSn4foEGZt+NIpaNowHwYDVR0j\n"
    "BBgwFoAUekrfcIdgLNFSn4foEGZt+NIpaNowDwYDVR0TAQH/BAUwAwEB/zAOBgNV\n"
    "HQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDRwAwRAIgYT09C4B5AsudDEvELlGQOy5f\n"
    "taY00rw+hoF3hpmivcQCIHm5GK7Dfxy4VXMSfTMuBZ/pfQxANKhV3ykR3v0z7SHR\n"
    "-----END CERTIFICATE-----\n";

// 2027-12-29: inside the seeds' validity period (2026-11-27 .. 2051-07-19).
constexpr int64_t kNow = 1830000000;

const vtj::identity::IssuerSet& issuers() {
  static const vtj::identity::IssuerSet set = [] {
    vtj::identity::IssuerSet s;
    if (!s.add_data(kFuzzCa, "fuzz CA").ok()) {
      __builtin_trap();
    }
    return s;
  }();
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto r = vtj::identity::read_citizen_certificate(input, issuers(), kNow);
  if (r.ok()) {
    // Touch every output so the sanitizers see its memory.
    volatile size_t n = r->der_base64().size() + r->given_name.size() + r->surname.size() +
                        r->common_name.size() + r->issuer_name.size() + r->satu.masked().size();
    (void)n;
  } else {
    volatile size_t n = r.error().detail.size();
    (void)n;
  }
  auto lenient = vtj::identity::read_citizen_certificate(input, issuers(), kNow,
                                                         vtj::identity::SatuRange::IncludingTest);
  (void)lenient;
  return 0;
}
