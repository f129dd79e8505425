#pragma once
// The client identities vtj-load presents: one --cert, or every line of a --cert-list, each a certificate
// (with its chain) and key loaded once and handed to each TLS connection that uses it. TLS sessions are
// kept per identity, so a connection only ever resumes a session of its own identity: a resumed session
// keeps the certificate it was made with, and another identity's would log in the wrong citizen.

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vtj/result.hpp"

namespace vtj::bench {

// A unique_ptr deleter that calls an OpenSSL free function: std::unique_ptr<SSL, OsslFree<SSL_free>>.
template <auto Free>
struct OsslFree {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
inline void free_chain(STACK_OF(X509) * chain) {
  sk_X509_pop_free(chain, X509_free);
}
using SessionPtr = std::unique_ptr<SSL_SESSION, OsslFree<SSL_SESSION_free>>;
using X509Ptr = std::unique_ptr<X509, OsslFree<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY_free>>;
using ChainPtr = std::unique_ptr<STACK_OF(X509), OsslFree<free_chain>>;

// The OpenSSL error queue as text (and emptied), or `fallback` when it holds nothing.
std::string ssl_errors(const char* fallback);

// Where an identity's files are, and where they were named (for messages): "--cert" or "FILE:LINE".
struct IdentitySpec {
  std::string cert_file;  // PEM: the certificate, then its chain; may hold the key too
  std::string key_file;   // PEM
  std::string origin;
};

// A --cert-list file: `CERT.pem [KEY.pem]` a line (the key defaults to the certificate's file; relative
// paths are relative to the list's folder); blank lines and lines starting with # are skipped.
Result<std::vector<IdentitySpec>, std::string> read_cert_list(const std::string& path);

struct Identity {
  X509Ptr cert;
  PkeyPtr key;
  ChainPtr chain;  // the certificates after the first in cert_file; may be empty
};

Result<std::vector<Identity>, std::string> load_identities(const std::vector<IdentitySpec>& specs);

// Makes `ssl` present `identity` (shares the loaded objects: cheap per connection).
bool use_identity(SSL* ssl, const Identity& identity);

// The last resumable session of each identity, shared by the worker threads.
class SessionStore {
 public:
  explicit SessionStore(size_t identities) : sessions_(identities) {}
  // A reference of its own to the identity's session; nullptr when there is none yet.
  SessionPtr get(size_t identity);
  void put(size_t identity, SessionPtr session);

 private:
  std::mutex mutex_;
  std::vector<SessionPtr> sessions_;
};

}  // namespace vtj::bench
