#include "client_conn.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace vtj::bench {
namespace {

bool is_ip_address(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<SslCtxPtr, std::string> make_client_context(const LoadOptions& o) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    return err("cannot create a TLS context: " + ssl_errors("unknown error"));
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Whole TLS records per read() call instead of header and body apart: fewer system calls per response.
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_CLIENT);
  if (!o.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), o.ca_file.c_str(), nullptr) != 1) {
      return err("--cacert " + o.ca_file + ": " + ssl_errors("cannot load"));
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx.get());
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  static const unsigned char kH1[] = "\x08http/1.1";
  static const unsigned char kH2[] = "\x02h2";
  if (o.http2) {
    SSL_CTX_set_alpn_protos(ctx.get(), kH2, sizeof kH2 - 1);
  } else {
    SSL_CTX_set_alpn_protos(ctx.get(), kH1, sizeof kH1 - 1);
  }
  return ctx;
}

void ClientConn::close_socket(bool clean) {
  if (ssl_ && state_ == State::Open && clean) {
    // A close_notify first: OpenSSL spoils the session of a connection freed without one.
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
    // Kept for the next connection of this identity (TLS 1.3 tickets arrive after the handshake).
    SessionPtr s(SSL_get1_session(ssl_.get()));
    if (s && SSL_SESSION_is_resumable(s.get())) {
      shared_.run.sessions.put(identity_, std::move(s));
    }
  }
  // Requests in flight failed with the connection, and so did the one it was opened for if it ended
  // before the handshake did.
  if (driver_) {
    quota_.finish(driver_->in_flight());
  } else if (opening_ && quota_.take()) {
    quota_.finish(1);
  }
  opening_ = false;
  quota_.close();
  driver_.reset();
  ssl_.reset();
  if (fd_ >= 0) {
    close(fd_);  // also removes it from the epoll set
    fd_ = -1;
  }
  out_.clear();
  out_off_ = 0;
  watching_write_ = false;
}

void ClientConn::fail(const std::string& what) {
  shared_.stats.error(what);
  close_socket(false);
}

ClientConn::Connect ClientConn::connect(const sockaddr* addr, socklen_t addr_len) {
  close_socket();
  if (!quota_.open()) {
    return Connect::Idle;
  }
  opening_ = true;
  connect_started_ = Clock::now();
  uint64_t j = shared_.run.connections++;
  ++shared_.stats.connections;
  identity_ = shared_.run.identities.empty() ? 0 : j % shared_.run.identities.size();
  fd_ = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return Connect::Failed;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, addr, addr_len) != 0 && errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
    return Connect::Failed;
  }
  state_ = State::Connecting;
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.ptr = this;
  watching_write_ = true;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd_, &ev) != 0) {
    fail(std::string("epoll_ctl: ") + std::strerror(errno));
    return Connect::Failed;
  }
  return Connect::Connecting;
}

void ClientConn::watch(bool want_write) {
  if (want_write == watching_write_) {
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
  ev.data.ptr = this;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_, &ev);
  watching_write_ = want_write;
}

bool ClientConn::on_event(uint32_t events) {
  if (fd_ < 0) {
    return false;
  }
  if (state_ == State::Connecting) {
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0 || (events & EPOLLERR) != 0) {
      fail(std::string("connect: ") + std::strerror(error != 0 ? error : ECONNREFUSED));
      return false;
    }
    ssl_.reset(SSL_new(shared_.run.ctx));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_) != 1) {
      fail("TLS: " + ssl_errors("cannot create a session"));
      return false;
    }
    if (!shared_.run.identities.empty() && !use_identity(ssl_.get(), shared_.run.identities[identity_])) {
      fail("TLS: " + ssl_errors("cannot set the client certificate"));
      return false;
    }
    const std::string& host = shared_.options.host;
    if (is_ip_address(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_.get(), host.c_str());
      SSL_set1_host(ssl_.get(), host.c_str());
    }
    if (SessionPtr session = shared_.run.sessions.get(identity_)) {
      SSL_set_session(ssl_.get(), session.get());
    }
    SSL_set_connect_state(ssl_.get());
    state_ = State::Handshaking;
  }
  if (state_ == State::Handshaking) {
    return handshake();
  }
  return pump();
}

bool ClientConn::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r != 1) {
    int e = SSL_get_error(ssl_.get(), r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      watch(e == SSL_ERROR_WANT_WRITE);
      return true;
    }
    long verify = SSL_get_verify_result(ssl_.get());
    std::string why = ssl_errors(e == SSL_ERROR_SYSCALL ? "connection closed" : "failed");
    if (verify != X509_V_OK) {
      why += std::string(" (server certificate: ") + X509_verify_cert_error_string(verify) + ")";
    }
    fail("TLS handshake: " + why);
    return false;
  }
  ++shared_.stats.handshakes;
  if (SSL_session_reused(ssl_.get())) {
    ++shared_.stats.resumed;
  }
  state_ = State::Open;
  driver_ = shared_.options.http2 ? make_http2_driver(shared_, quota_) : make_http1_driver(shared_, quota_);
  if (!driver_) {
    fail("HTTP/2: cannot start a session");
    return false;
  }
  opening_ = false;
  driver_->begin(Clock::now(), connect_started_);
  watch(false);
  return pump();
}

bool ClientConn::flush() {
  while (out_off_ < out_.size()) {
    ERR_clear_error();
    int n = SSL_write(ssl_.get(), out_.data() + out_off_,
                      static_cast<int>(std::min<size_t>(out_.size() - out_off_, INT_MAX)));
    if (n > 0) {
      out_off_ += static_cast<size_t>(n);
      continue;
    }
    int e = SSL_get_error(ssl_.get(), n);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
      watch(e == SSL_ERROR_WANT_WRITE);
      return true;
    }
    fail("write: " + ssl_errors(std::strerror(errno)));
    return false;
  }
  out_.clear();
  out_off_ = 0;
  watch(false);
  return true;
}

bool ClientConn::pump() {
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), in_, sizeof in_);
    if (n > 0) {
      shared_.stats.bytes_received += static_cast<uint64_t>(n);
      Driver::Status st = driver_->on_input(in_, static_cast<size_t>(n), Clock::now());
      if (st != Driver::Status::Ok) {
        close_socket(st == Driver::Status::Close);  // an Error is counted by the driver
        return false;
      }
      // With read-ahead, bytes OpenSSL already holds raise no epoll event: read them now.
      if (SSL_has_pending(ssl_.get())) {
        continue;
      }
      break;
    }
    int e = SSL_get_error(ssl_.get(), n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      break;
    }
    if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
        ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      std::string why =
          e == SSL_ERROR_SYSCALL && errno != 0 ? std::string(" (") + std::strerror(errno) + ")" : "";
      if (driver_->on_close(Clock::now()) == Driver::Status::Close) {
        close_socket();
      } else {
        fail("connection closed by the server during a request" + why);
      }
      return false;
    }
    fail("read: " + ssl_errors("TLS error"));
    return false;
  }
  if (out_.size() - out_off_ < 64 * 1024) {
    driver_->produce(out_);
  }
  return flush();
}

}  // namespace vtj::bench
