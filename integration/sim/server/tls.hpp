#pragma once
// The register's TLS side: TLS 1.2+, its own certificate, a customer certificate required and verified,
// ALPN h2 / http/1.1.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "vtj/result.hpp"

namespace vtj::sim {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Errors name the file that could not be used and OpenSSL's reason.
Result<SslCtxPtr, std::string> make_server_context(const std::string& cert_file, const std::string& key_file,
                                                   const std::string& client_ca_file);

// OpenSSL's error queue as one line (and cleared), or `fallback` when it is empty.
std::string take_ssl_errors(const char* fallback);

}  // namespace vtj::sim
