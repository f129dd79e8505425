#pragma once
// Owning pointers for the OpenSSL objects the identity concept handles.

#include <openssl/bio.h>
#include <openssl/x509.h>

#include <memory>

namespace vtj::identity {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

}  // namespace vtj::identity
