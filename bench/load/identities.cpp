#include "identities.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "text/ascii.hpp"

namespace vtj::bench {
namespace {

using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free>>;

// The PEM certificates of `path`, the first apart from the rest.
Result<Identity, std::string> read_certificates(const std::string& path) {
  BioPtr in(BIO_new_file(path.c_str(), "r"));
  Identity id;
  if (in) {
    id.cert.reset(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  }
  if (!id.cert) {
    return err("cannot read the certificate " + path + ": " + ssl_errors("no PEM certificate"));
  }
  id.chain.reset(sk_X509_new_null());
  while (X509* more = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
    if (!id.chain || sk_X509_push(id.chain.get(), more) == 0) {
      X509_free(more);
      return err("cannot read the chain in " + path + ": out of memory");
    }
  }
  ERR_clear_error();  // the end of the file reads as "no start line"
  return id;
}

Result<Identity, std::string> load_identity(const IdentitySpec& spec) {
  auto id = read_certificates(spec.cert_file);
  if (!id) {
    return err(spec.origin + ": " + id.error());
  }
  BioPtr in(BIO_new_file(spec.key_file.c_str(), "r"));
  if (in) {
    id->key.reset(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  }
  if (!id->key) {
    return err(spec.origin + ": cannot read the key " + spec.key_file + ": " + ssl_errors("no PEM key"));
  }
  if (X509_check_private_key(id->cert.get(), id->key.get()) != 1) {
    ERR_clear_error();
    return err(spec.origin + ": the key " + spec.key_file + " does not match the certificate " +
               spec.cert_file);
  }
  return id;
}

}  // namespace

std::string ssl_errors(const char* fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += out.empty() ? "" : "; ";
    out += buf;
  }
  return out.empty() ? std::string(fallback) : out;
}

Result<std::vector<IdentitySpec>, std::string> read_cert_list(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return err("--cert-list " + path + ": cannot read: " + std::strerror(errno));
  }
  auto relative_to_list = [dir = std::filesystem::path(path).parent_path()](const std::string& p) {
    return std::filesystem::path(p).is_absolute() ? p : (dir / p).string();
  };
  std::vector<IdentitySpec> specs;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string_view text = text::trim(line, " \t\r");
    if (text.empty() || text.front() == '#') {
      continue;
    }
    std::istringstream fields{std::string(text)};
    std::string cert;
    std::string key;
    std::string extra;
    fields >> cert >> key >> extra;
    std::string origin = path + ":" + std::to_string(number);
    if (!extra.empty()) {
      return err(origin + ": expected 'CERT.pem [KEY.pem]', not '" + std::string(text) + "'");
    }
    IdentitySpec spec{relative_to_list(cert), relative_to_list(key.empty() ? cert : key), origin};
    specs.push_back(std::move(spec));
  }
  if (in.bad()) {
    return err("--cert-list " + path + ": read error");
  }
  if (specs.empty()) {
    return err("--cert-list " + path + ": lists no certificate");
  }
  return specs;
}

Result<std::vector<Identity>, std::string> load_identities(const std::vector<IdentitySpec>& specs) {
  std::vector<Identity> out;
  out.reserve(specs.size());
  for (const auto& spec : specs) {
    auto id = load_identity(spec);
    if (!id) {
      return err(id.error());
    }
    out.push_back(std::move(id).value());
  }
  return out;
}

bool use_identity(SSL* ssl, const Identity& identity) {
  return SSL_use_cert_and_key(ssl, identity.cert.get(), identity.key.get(), identity.chain.get(), 1) == 1;
}

SessionPtr SessionStore::get(size_t identity) {
  std::lock_guard lock(mutex_);
  SSL_SESSION* s = sessions_[identity].get();
  if (s != nullptr) {
    SSL_SESSION_up_ref(s);
  }
  return SessionPtr(s);
}

void SessionStore::put(size_t identity, SessionPtr session) {
  std::lock_guard lock(mutex_);
  sessions_[identity] = std::move(session);
}

}  // namespace vtj::bench
