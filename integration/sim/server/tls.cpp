#include "tls.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vtj::sim {

std::string take_ssl_errors(const char* fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out.empty() ? std::string(fallback) : out;
}

namespace {

// The client's ALPN list in preference order of the server: h2 when offered, else http/1.1. A client that
// offers neither still gets HTTP/1.1 (no ALPN in the answer), as a real register front end would.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static const unsigned char kPreferred[] = "\x02h2\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kPreferred, sizeof kPreferred - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<SslCtxPtr, std::string> make_server_context(const std::string& cert_file, const std::string& key_file,
                                                   const std::string& client_ca_file) {
  // A missing file is the usual mistake: say so plainly rather than in OpenSSL's three-part error.
  for (const auto& [option, file] : {std::pair{"--cert", &cert_file}, std::pair{"--key", &key_file},
                                     std::pair{"--client-ca", &client_ca_file}}) {
    if (access(file->c_str(), R_OK) != 0) {
      return err(std::string(option) + " " + *file + ": " + std::strerror(errno));
    }
  }
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    return err("cannot create a TLS context: " + take_ssl_errors("unknown error"));
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Partial writes and a moving buffer: the connection loop appends to its output buffer between retries.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A client that closes without close_notify has simply left (curl often does): not an error here.
  SSL_CTX_set_options(
      ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1) {
    return err("--cert " + cert_file + ": " + take_ssl_errors("cannot load the certificate"));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return err("--key " + key_file + ": " + take_ssl_errors("cannot load the private key"));
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return err("--key " + key_file + " does not match --cert " + cert_file);
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), client_ca_file.c_str(), nullptr) != 1) {
    return err("--client-ca " + client_ca_file + ": " + take_ssl_errors("cannot load the CA certificates"));
  }
  // Name the accepted CAs in the CertificateRequest, so a client holding several certificates picks right.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca_file.c_str());
  if (names == nullptr) {
    return err("--client-ca " + client_ca_file + ": no CA certificate in the file");
  }
  SSL_CTX_set_client_CA_list(ctx.get(), names);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // Resumed sessions carry the verified client certificate; OpenSSL refuses resumption with client
  // verification unless the sessions are tied to this context.
  static const unsigned char kSessionContext[] = "vtj-register-sim";
  SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, nullptr);
  ERR_clear_error();
  return ctx;
}

}  // namespace vtj::sim
