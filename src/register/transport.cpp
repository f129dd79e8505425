#include "vtj/register_transport.hpp"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

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

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// What one attempt received, for the callbacks.
struct Exchange {
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

size_t on_header(char*, size_t size, size_t count, void* user) {
  static_cast<Exchange*>(user)->header_bytes += size * count;
  return size * count;
}

bool readable(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return false;
  }
  std::fclose(f);
  return true;
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
  bool https = false;
  std::mutex mutex;
  std::vector<EasyPtr> idle;

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
    ok = ok && curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                                s.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1) == CURLE_OK;
    if (https) {
      ok = ok && curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
      // VTJRegisterCA and nothing else: no system store, no CA directory.
      ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str()) == CURLE_OK;
      ok = ok && curl_easy_setopt(c, CURLOPT_CAPATH, nullptr) == CURLE_OK;
      if (!s.client_cert.empty()) {
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLCERT, s.client_cert.c_str()) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM") == CURLE_OK;
        const std::string& key = s.client_key.empty() ? s.client_cert : s.client_key;
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLKEY, key.c_str()) == CURLE_OK;
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
HttpTransport::~HttpTransport() = default;

const TransportSettings& HttpTransport::settings() const {
  return impl_->settings;
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
    if (!readable(s.ca_file)) {
      return err(setup_error("cannot read the register CA file " + s.ca_file));
    }
    if (!s.client_cert.empty() && !readable(s.client_cert)) {
      return err(setup_error("cannot read the client certificate file " + s.client_cert));
    }
    if (!s.client_key.empty() && !readable(s.client_key)) {
      return err(setup_error("cannot read the client key file " + s.client_key));
    }
  }
  if (s.connect_timeout_ms <= 0 || s.total_timeout_ms <= 0) {
    return err(setup_error("timeouts must be positive"));
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(impl)));
}

Result<HttpReply, TransportError> HttpTransport::post(std::string_view body,
                                                      std::initializer_list<HttpHeaderLine> headers) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::milliseconds(impl_->settings.total_timeout_ms);

  SlistPtr header_list;
  auto add_header = [&](std::string line) {
    curl_slist* l = curl_slist_append(header_list.get(), line.c_str());
    if (l != nullptr) {
      (void)header_list.release();
      header_list.reset(l);
    }
    return l != nullptr;
  };
  bool ok = true;
  for (const HttpHeaderLine& h : headers) {
    ok = ok && add_header(std::string(h.name) + ": " + std::string(h.value));
  }
  // No "Expect: 100-continue" round trip before the body.
  ok = ok && add_header("Expect:");
  if (!ok) {
    return err(setup_error("out of memory building the request headers"));
  }

  auto handle = impl_->checkout();
  if (!handle) {
    return err(handle.error());
  }
  EasyPtr h = std::move(handle.value());
  CURL* c = h.get();

  HttpReply reply;
  TransportError failure;
  bool have_reply = false;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    long left = ms_left(deadline);
    if (left <= 0) {
      failure = {TransportErrorKind::Timeout,
                 "no answer within " + std::to_string(impl_->settings.total_timeout_ms) + " ms", attempt - 1};
      break;
    }
    Exchange x;
    x.max_bytes = impl_->settings.max_response_bytes;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, attempt > 1 ? 1L : 0L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);

    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    reply.new_connection = reply.new_connection || connects > 0;
    if (rc == CURLE_OK) {
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
      char* type = nullptr;
      curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
      reply.content_type = type != nullptr ? type : "";
      long version = 0;
      curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
      reply.http_version = version == CURL_HTTP_VERSION_2_0 ? "2" : "1.1";
      reply.body = std::move(x.body);
      reply.attempts = attempt;
      have_reply = true;
      break;
    }

    std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    TransportErrorKind kind = classify(rc, x, why);
    if (kind == TransportErrorKind::Timeout) {
      curl_off_t connected_at = 0;
      curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &connected_at);
      if (connected_at == 0) {
        curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected_at);
      }
      why = connected_at == 0
                ? "no connection within " + std::to_string(impl_->settings.connect_timeout_ms) + " ms"
                : "no complete answer within " + std::to_string(impl_->settings.total_timeout_ms) + " ms";
    } else if (kind == TransportErrorKind::TooLarge) {
      why = "the answer is larger than " + std::to_string(impl_->settings.max_response_bytes) + " bytes";
    }
    failure = {kind, identity::sanitize_for_log(why, 300), attempt};
    // Only a failure that left the answer unstarted is retried: the register never saw or never
    // answered the query, and a kept connection it had closed is the usual cause.
    bool nothing_arrived = x.header_bytes == 0 && x.body.empty();
    if (kind != TransportErrorKind::Connection || !nothing_arrived) {
      break;
    }
  }

  if (!have_reply) {
    // A failed connection is not worth keeping: let the next query start clean.
    return err(std::move(failure));
  }
  reply.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  impl_->give_back(std::move(h));
  return reply;
}

}  // namespace vtj::reg
