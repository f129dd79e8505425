#pragma once
// Owning pointers for the OpenSSL objects the identity concept handles.

#include <openssl/bio.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace vtj::identity {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The certificate's DER bytes, or empty when OpenSSL cannot encode it.
inline std::string der_of(X509* x) {
  int n = i2d_X509(x, nullptr);
  if (n <= 0) {
    return {};
  }
  std::string der(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(x, &p);
  return der;
}

}  // namespace vtj::identity
