#include "vtj/register_transport.hpp"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "identity/openssl_ptr.hpp"
#include "text/ascii.hpp"
#include "vtj/identity.hpp"

namespace vtj::reg {

namespace {

// Idle handles kept per transport: each keeps its connection to the register open for the next query.
// More threads than this still work; the extra handles are closed after use.
constexpr size_t kMaxIdleHandles = 32;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;

struct ShareDeleter {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};
using SharePtr = std::unique_ptr<CURLSH, ShareDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// One attempt's request and what it received, for the callbacks.
struct Exchange {
  std::string_view request;
  size_t request_offset = 0;
  int sends = 0;  // times the request body started to go out
  std::string body;
  size_t max_bytes = 0;
  size_t header_bytes = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = size * count;
  if (x->body.size() + n > x->max_bytes) {
    x->too_large = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  x->body.append(data, n);
  return n;
}

// The request body, from callbacks rather than CURLOPT_POSTFIELDS, so every time it starts to go out is
// seen: libcurl resends a query by itself, once, when a kept connection dies after the request went out,
// and the transport's own retry must not add a third send.
size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  if (x->request_offset == 0) {
    x->sends++;
  }
  size_t n = std::min(size * count, x->request.size() - x->request_offset);
  std::memcpy(buffer, x->request.data() + x->request_offset, n);
  x->request_offset += n;
  return n;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  if (origin != SEEK_SET || offset != 0) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  static_cast<Exchange*>(user)->request_offset = 0;
  return CURL_SEEKFUNC_OK;
}

size_t on_header(char*, size_t size, size_t count, void* user) {
  static_cast<Exchange*>(user)->header_bytes += size * count;
  return size * count;
}

bool append_header(SlistPtr& list, const std::string& line) {
  curl_slist* l = curl_slist_append(list.get(), line.c_str());
  if (l == nullptr) {
    return false;
  }
  (void)list.release();
  list.reset(l);
  return true;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// A pass-phrase callback that has none to give: an encrypted key fails to load instead of prompting.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

// The files VTJRegisterCA and VTJClientCertificate name, loaded as libcurl will load them, so a wrong file
// is a configuration error at start-up rather than a register error at the first login.
// The TLS files' contents, read once when the transport is made. A web server reads them in its parent
// process (as root, like its own keys) and its workers, which run as another user, use the copies.
struct TlsMaterial {
  std::string ca;
  std::string cert;
  std::string key;
  ~TlsMaterial() { OPENSSL_cleanse(key.data(), key.size()); }
};

struct FileCopies {
  std::mutex mu;
  std::map<std::string, std::string> contents;  // path -> bytes (keys included: cleansed when replaced)
  bool refresh = true;
};
FileCopies& file_copies() {
  static FileCopies* f = new FileCopies;  // never destroyed: transports may outlive static destruction
  return *f;
}

std::optional<std::string> read_file_now(const std::string& path, std::string& out);

// The file's bytes: the process's copy unless refreshing, else read now (and kept).
std::optional<std::string> slurp(const std::string& path, std::string& out) {
  FileCopies& f = file_copies();
  std::lock_guard<std::mutex> lock(f.mu);
  auto it = f.contents.find(path);
  if (it != f.contents.end() && !f.refresh) {
    out = it->second;
    return std::nullopt;
  }
  std::string fresh;
  if (auto problem = read_file_now(path, fresh)) {
    if (it != f.contents.end()) {
      out = it->second;  // a worker that may not read the file: the parent's copy
      return std::nullopt;
    }
    return problem;
  }
  if (it != f.contents.end()) {
    OPENSSL_cleanse(it->second.data(), it->second.size());
    it->second = fresh;
  } else {
    f.contents.emplace(path, fresh);
  }
  out = std::move(fresh);
  return std::nullopt;
}

std::optional<std::string> read_file_now(const std::string& path, std::string& out) {
  identity::BioPtr bio(BIO_new_file(path.c_str(), "rb"));
  if (!bio) {
    return std::string("cannot read");
  }
  char buf[4096];
  int n = 0;
  while ((n = BIO_read(bio.get(), buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 1024 * 1024) {
      return std::string("is larger than 1 MiB");
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return std::nullopt;
}

identity::BioPtr memory_bio(const std::string& data) {
  return identity::BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// OpenSSL's error queue is the thread's: a failed parse must not leave errors behind for the server's own
// TLS code to find (nginx reports them as "stale global SSL error" in every worker it forks).
struct ClearOpenSslErrors {
  ~ClearOpenSslErrors() { ERR_clear_error(); }
};

std::optional<std::string> load_tls_files(const TransportSettings& s, TlsMaterial& m) {
  ClearOpenSslErrors clear;
  if (slurp(s.ca_file, m.ca)) {
    return "cannot read the register CA file " + s.ca_file;
  }
  if (!identity::X509Ptr(PEM_read_bio_X509(memory_bio(m.ca).get(), nullptr, no_passphrase, nullptr))) {
    return "the register CA file " + s.ca_file + " holds no PEM certificate";
  }
  if (s.client_cert.empty()) {
    return std::nullopt;
  }
  if (slurp(s.client_cert, m.cert)) {
    return "cannot read the client certificate file " + s.client_cert;
  }
  identity::X509Ptr cert(PEM_read_bio_X509(memory_bio(m.cert).get(), nullptr, no_passphrase, nullptr));
  if (!cert) {
    return "the client certificate file " + s.client_cert + " holds no PEM certificate";
  }
  const std::string& key_file = s.client_key.empty() ? s.client_cert : s.client_key;
  if (slurp(key_file, m.key)) {
    return "cannot read the client key file " + key_file;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(memory_bio(m.key).get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return "the client key file " + key_file +
           " holds no unencrypted PEM private key (a pass phrase cannot be given; protect the file instead)";
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return "the client key in " + key_file + " does not belong to the certificate in " + s.client_cert;
  }
  return std::nullopt;
}

// One exchange on the handle (its callbacks were set when it was made); the per-query pointers are cleared
// again afterwards so an idle handle holds nothing that dies with this call.
CURLcode perform(CURL* c, curl_slist* headers, Exchange& x, char* errbuf, long timeout_ms, bool fresh) {
  curl_easy_setopt(c, CURLOPT_READDATA, &x);
  curl_easy_setopt(c, CURLOPT_SEEKDATA, &x);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(x.request.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_SEEKDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  return rc;
}

TransportError setup_error(std::string detail) {
  return {TransportErrorKind::Setup, std::move(detail), 1};
}

TransportErrorKind classify(CURLcode rc, const Exchange& x, std::string_view detail) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportErrorKind::Dns;
    case CURLE_COULDNT_CONNECT:
      return TransportErrorKind::Connect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ISSUER_ERROR:
      return TransportErrorKind::Tls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorKind::Timeout;
    case CURLE_FILESIZE_EXCEEDED:
      return TransportErrorKind::TooLarge;
    case CURLE_WRITE_ERROR:
      return x.too_large ? TransportErrorKind::TooLarge : TransportErrorKind::Connection;
    case CURLE_SEND_FAIL_REWIND:
      return TransportErrorKind::Connection;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return TransportErrorKind::Setup;
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
      return TransportErrorKind::Protocol;
    default:
      break;
  }
  // Under TLS 1.3 the server's refusal of the client certificate arrives as an alert after the
  // client considers the handshake done: libcurl reports a receive error that names the alert.
  if (detail.find("alert") != std::string_view::npos) {
    return TransportErrorKind::Tls;
  }
  return TransportErrorKind::Connection;
}

TransportError describe_failure(CURLcode rc, const Exchange& x, const char* errbuf,
                                const TransportSettings& s) {
  std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  TransportErrorKind kind = classify(rc, x, why);
  if (kind == TransportErrorKind::Timeout) {
    // Whether the query went out tells a slow connect from a slow register (on a kept connection the
    // connect times are zero).
    why = x.sends == 0 ? "no connection within " + std::to_string(s.connect_timeout_ms) + " ms"
                       : "no complete answer within " + std::to_string(s.total_timeout_ms) + " ms";
  } else if (kind == TransportErrorKind::TooLarge) {
    why = "the answer is larger than " + std::to_string(s.max_response_bytes) + " bytes";
  }
  return {kind, identity::sanitize_for_log(why, 300), 0};
}

long ms_left(std::chrono::steady_clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<long>(left.count());
}

}  // namespace

const char* to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::Setup:
      return "setup";
    case TransportErrorKind::Dns:
      return "dns";
    case TransportErrorKind::Connect:
      return "connect";
    case TransportErrorKind::Tls:
      return "tls";
    case TransportErrorKind::Timeout:
      return "timeout";
    case TransportErrorKind::Connection:
      return "connection";
    case TransportErrorKind::TooLarge:
      return "too-large";
    case TransportErrorKind::Protocol:
      return "protocol";
  }
  return "unknown";
}

struct HttpTransport::Impl {
  TransportSettings settings;
  TlsMaterial tls;
  bool https = false;
  // TLS sessions shared by this transport's handles: a new connection to the register (another thread's,
  // a burst of first logins) resumes one instead of a full handshake with certificate checks and the
  // client key's signature. Only this endpoint's and these credentials' sessions are in it. Declared
  // before the handles, which must go first.
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  SharePtr share;
  std::mutex mutex;
  std::vector<EasyPtr> idle;

  static void share_lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Impl*>(self)->share_locks[static_cast<size_t>(data)].lock();
  }
  static void share_unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Impl*>(self)->share_locks[static_cast<size_t>(data)].unlock();
  }
  bool make_share() {
    share.reset(curl_share_init());
    return share && curl_share_setopt(share.get(), CURLSHOPT_LOCKFUNC, share_lock) == CURLSHE_OK &&
           curl_share_setopt(share.get(), CURLSHOPT_UNLOCKFUNC, share_unlock) == CURLSHE_OK &&
           curl_share_setopt(share.get(), CURLSHOPT_USERDATA, this) == CURLSHE_OK &&
           curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK;
  }

  struct Counters {
    std::atomic<uint64_t> posts{0}, sends{0}, retries{0}, connections{0}, answered{0};
    std::array<std::atomic<uint64_t>, kTransportErrorKinds> failed{};
  } counters;

  // A handle with everything that does not change between queries already set.
  Result<EasyPtr, TransportError> make_handle() const {
    EasyPtr h(curl_easy_init());
    if (!h) {
      return err(setup_error("libcurl could not create a handle"));
    }
    CURL* c = h.get();
    const TransportSettings& s = settings;
    bool ok = curl_easy_setopt(c, CURLOPT_URL, s.url.c_str()) == CURLE_OK;
    // Never follow redirects, never use a proxy from the environment, never speak anything but HTTP(S):
    // personal data goes to the configured endpoint or nowhere.
    ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
    ok = ok &&
         curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout_ms)) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "vtj-resolver") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_POST, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok = ok && curl_easy_setopt(
                   c, CURLOPT_HTTP_VERSION,
                   static_cast<long>(s.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1)) == CURLE_OK;
    if (https) {
      ok = ok && curl_easy_setopt(c, CURLOPT_SHARE, share.get()) == CURLE_OK;
      ok = ok &&
           curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
      // VTJRegisterCA and nothing else: no system store, no CA directory. The files' contents were read
      // when the transport was made (libcurl copies each blob into the handle).
      curl_blob ca{const_cast<char*>(tls.ca.data()), tls.ca.size(), CURL_BLOB_COPY};
      ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, nullptr) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_CAPATH, nullptr) == CURLE_OK;
      if (!s.client_cert.empty()) {
        curl_blob cert{const_cast<char*>(tls.cert.data()), tls.cert.size(), CURL_BLOB_COPY};
        curl_blob key{const_cast<char*>(tls.key.data()), tls.key.size(), CURL_BLOB_COPY};
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM") == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM") == CURLE_OK;
        // Never let OpenSSL prompt on a terminal for a pass phrase (create() refuses encrypted keys).
        ok = ok && curl_easy_setopt(c, CURLOPT_KEYPASSWD, "") == CURLE_OK;
      }
    }
    if (!ok) {
      return err(setup_error("libcurl refused an option (is it built with TLS and HTTP/2?)"));
    }
    return h;
  }

  Result<EasyPtr, TransportError> checkout() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle.empty()) {
        EasyPtr h = std::move(idle.back());
        idle.pop_back();
        return h;
      }
    }
    return make_handle();
  }

  void give_back(EasyPtr h) {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.size() < kMaxIdleHandles) {
      idle.push_back(std::move(h));
    }
  }
};

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

void HttpTransport::set_refresh_files(bool refresh) {
  FileCopies& f = file_copies();
  std::lock_guard<std::mutex> lock(f.mu);
  f.refresh = refresh;
}
HttpTransport::~HttpTransport() = default;

const TransportSettings& HttpTransport::settings() const {
  return impl_->settings;
}

TransportCounters HttpTransport::counters() const {
  const Impl::Counters& c = impl_->counters;
  TransportCounters out;
  out.posts = c.posts.load(std::memory_order_relaxed);
  out.sends = c.sends.load(std::memory_order_relaxed);
  out.retries = c.retries.load(std::memory_order_relaxed);
  out.connections = c.connections.load(std::memory_order_relaxed);
  out.answered = c.answered.load(std::memory_order_relaxed);
  for (size_t i = 0; i < kTransportErrorKinds; ++i) {
    out.failed[i] = c.failed[i].load(std::memory_order_relaxed);
  }
  return out;
}

Result<std::unique_ptr<HttpTransport>, TransportError> HttpTransport::create(const TransportSettings& s) {
  init_curl_once();
  auto impl = std::make_unique<Impl>();
  impl->settings = s;
  if (text::istarts_with(s.url, "https://")) {
    impl->https = true;
  } else if (!text::istarts_with(s.url, "http://")) {
    return err(
        setup_error("the register URL must start with https:// (or http:// for an X-Road security server)"));
  }
  if (s.url.size() <= (impl->https ? 8u : 7u)) {
    return err(setup_error("the register URL names no host"));
  }
  if (impl->https) {
    if (s.ca_file.empty()) {
      return err(setup_error(
          "an https register URL needs VTJRegisterCA: the register's CA is trusted, nothing else"));
    }
    if (auto problem = load_tls_files(s, impl->tls)) {
      return err(setup_error(*problem));
    }
    if (!impl->make_share()) {
      return err(setup_error("libcurl could not make a TLS session cache"));
    }
  }
  if (s.connect_timeout_ms <= 0 || s.total_timeout_ms <= 0) {
    return err(setup_error("timeouts must be positive"));
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(impl)));
}

Result<HttpReply, TransportError> HttpTransport::post(std::string_view body,
                                                      std::initializer_list<HttpHeaderLine> headers) {
  return post(body, headers,
              std::chrono::steady_clock::now() + std::chrono::milliseconds(impl_->settings.total_timeout_ms));
}

Result<HttpReply, TransportError> HttpTransport::post(std::string_view body,
                                                      std::initializer_list<HttpHeaderLine> headers,
                                                      std::chrono::steady_clock::time_point deadline) {
  const auto start = std::chrono::steady_clock::now();
  Impl::Counters& counters = impl_->counters;
  counters.posts.fetch_add(1, std::memory_order_relaxed);
  auto fail = [&](TransportError e) {
    counters.failed[static_cast<size_t>(e.kind)].fetch_add(1, std::memory_order_relaxed);
    return err(std::move(e));
  };
  SlistPtr header_list;
  for (const HttpHeaderLine& h : headers) {
    if (!append_header(header_list, std::string(h.name) + ": " + std::string(h.value))) {
      return fail(setup_error("out of memory building the request headers"));
    }
  }
  // No "Expect: 100-continue" round trip before the body.
  if (!append_header(header_list, "Expect:")) {
    return fail(setup_error("out of memory building the request headers"));
  }

  auto handle = impl_->checkout();
  if (!handle) {
    return fail(handle.error());
  }
  EasyPtr h = std::move(handle.value());

  HttpReply reply;
  TransportError failure;
  int sends = 0;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    long left = ms_left(deadline);
    if (left <= 0) {
      failure = {TransportErrorKind::Timeout,
                 "no complete answer within " + std::to_string(impl_->settings.total_timeout_ms) + " ms",
                 sends};
      break;
    }
    Exchange x;
    x.request = body;
    x.max_bytes = impl_->settings.max_response_bytes;
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURLcode rc = perform(h.get(), header_list.get(), x, errbuf, left, attempt > 1);
    sends += x.sends;
    counters.sends.fetch_add(static_cast<uint64_t>(x.sends), std::memory_order_relaxed);
    long connects = 0;
    curl_easy_getinfo(h.get(), CURLINFO_NUM_CONNECTS, &connects);
    counters.connections.fetch_add(static_cast<uint64_t>(connects), std::memory_order_relaxed);
    reply.new_connection = reply.new_connection || connects > 0;
    if (rc == CURLE_OK) {
      curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &reply.status);
      char* type = nullptr;
      curl_easy_getinfo(h.get(), CURLINFO_CONTENT_TYPE, &type);
      reply.content_type = type != nullptr ? type : "";
      long version = 0;
      curl_easy_getinfo(h.get(), CURLINFO_HTTP_VERSION, &version);
      reply.http_version = version == CURL_HTTP_VERSION_2_0 ? "2" : "1.1";
      reply.body = std::move(x.body);
      reply.attempts = sends;
      reply.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      impl_->give_back(std::move(h));
      counters.answered.fetch_add(1, std::memory_order_relaxed);
      counters.retries.fetch_add(sends >= 2 ? 1 : 0, std::memory_order_relaxed);
      return reply;
    }
    failure = describe_failure(rc, x, errbuf, impl_->settings);
    failure.attempts = sends;
    // Only a failure that left the answer unstarted is retried: the register never saw or never answered
    // the query, and a kept connection it had closed is the usual cause. When libcurl has already sent it
    // again on a new connection by itself, that was the retry: a query goes out at most twice.
    bool nothing_arrived = x.header_bytes == 0 && x.body.empty();
    if (failure.kind != TransportErrorKind::Connection || !nothing_arrived || x.sends >= 2) {
      break;
    }
  }
  // A failed connection is not worth keeping: the handle (and its connection) goes, the next query
  // starts clean.
  counters.retries.fetch_add(sends >= 2 ? 1 : 0, std::memory_order_relaxed);
  return fail(std::move(failure));
}

}  // namespace vtj::reg
