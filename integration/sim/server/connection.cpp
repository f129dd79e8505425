#include "connection.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "dispatch.hpp"
#include "protocol.hpp"
#include "tls.hpp"

namespace vtj::sim {
namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr size_t kReadChunk = 16 * 1024;
// Lazily produced output (HTTP/2 frames) is generated in slices of this size, so a 2 MiB body is not
// encoded into memory at once.
constexpr size_t kProduceBudget = 64 * 1024;

class Connection final : public Wire {
 public:
  Connection(int fd, const std::string& peer, SSL_CTX* ctx, Dispatcher& dispatcher, int stop_fd,
             std::chrono::milliseconds idle_timeout)
      : fd_(fd),
        peer_(peer),
        ssl_(SSL_new(ctx)),
        dispatcher_(dispatcher),
        stop_fd_(stop_fd),
        idle_timeout_(idle_timeout) {}

  ~Connection() override {
    proto_.reset();
    ssl_.reset();
    if (resetting_) {
      // A zero linger time makes close() send RST instead of FIN: the client sees a connection reset.
      linger l{1, 0};
      setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(fd_);
  }

  void run();

  std::string& out() override { return out_; }
  void finish() override { finishing_ = true; }
  void abort_reset() override { resetting_ = true; }

 private:
  bool handshake();
  void serve();
  void close_gracefully();
  bool flush();
  enum class ReadResult { Ok, Closed, Broken };
  ReadResult read_available();
  // Waits for `events` on the socket; -1 when the server is stopping or poll fails, else the revents.
  int wait(short events, int timeout_ms);
  size_t pending() const { return out_.size() - out_off_; }
  void log_problem(const char* what, const std::string& detail) const {
    std::fprintf(stderr, "vtj-register-sim: %s %s: %s\n", peer_.c_str(), what, detail.c_str());
  }

  int fd_;
  std::string peer_;
  SslPtr ssl_;
  Dispatcher& dispatcher_;
  int stop_fd_;
  std::chrono::milliseconds idle_timeout_;
  Clock::time_point last_progress_;  // the last byte read from or written to the client
  std::unique_ptr<Protocol> proto_;
  std::string out_;
  size_t out_off_ = 0;
  bool write_blocked_ = false;
  bool finishing_ = false;
  bool resetting_ = false;
  char in_[kReadChunk];
};

int Connection::wait(short events, int timeout_ms) {
  pollfd fds[2] = {{fd_, events, 0}, {stop_fd_, POLLIN, 0}};
  int n = poll(fds, 2, timeout_ms);
  if (n < 0) {
    return errno == EINTR ? 0 : -1;
  }
  if (fds[1].revents != 0) {
    return -1;
  }
  return fds[0].revents;
}

bool Connection::handshake() {
  auto deadline = Clock::now() + kHandshakeTimeout;
  for (;;) {
    ERR_clear_error();
    int r = SSL_accept(ssl_.get());
    if (r == 1) {
      return true;
    }
    int e = SSL_get_error(ssl_.get(), r);
    short events = 0;
    if (e == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (e == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else {
      std::string reason =
          take_ssl_errors(e == SSL_ERROR_SYSCALL ? "connection closed by the client" : "handshake failed");
      long verify = SSL_get_verify_result(ssl_.get());
      if (verify != X509_V_OK) {
        reason += std::string(" (client certificate: ") + X509_verify_cert_error_string(verify) + ")";
      }
      log_problem("TLS handshake failed", reason);
      return false;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      log_problem("TLS handshake failed", "timed out");
      return false;
    }
    if (wait(events, static_cast<int>(left)) < 0) {
      return false;
    }
  }
}

bool Connection::flush() {
  while (pending() > 0) {
    ERR_clear_error();
    int n =
        SSL_write(ssl_.get(), out_.data() + out_off_, static_cast<int>(std::min<size_t>(pending(), INT_MAX)));
    if (n > 0) {
      out_off_ += static_cast<size_t>(n);
      last_progress_ = Clock::now();
      continue;
    }
    int e = SSL_get_error(ssl_.get(), n);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
      write_blocked_ = true;
      // Keep the buffer from growing without bound while the client reads slowly; the unsent part stays
      // byte-identical, which is what OpenSSL's retry needs.
      if (out_off_ > kProduceBudget) {
        out_.erase(0, out_off_);
        out_off_ = 0;
      }
      return true;
    }
    if (dispatcher_.verbose()) {
      log_problem("write failed", take_ssl_errors(std::strerror(errno)));
    }
    ERR_clear_error();
    return false;
  }
  out_.clear();
  out_off_ = 0;
  write_blocked_ = false;
  return true;
}

Connection::ReadResult Connection::read_available() {
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), in_, sizeof in_);
    if (n > 0) {
      last_progress_ = Clock::now();
      proto_->on_input(in_, static_cast<size_t>(n));
      if (finishing_ || resetting_) {
        return ReadResult::Ok;
      }
      continue;
    }
    int e = SSL_get_error(ssl_.get(), n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      return ReadResult::Ok;
    }
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
      ERR_clear_error();
      return ReadResult::Closed;  // close_notify, or a plain FIN/RST: the client went away
    }
    if (dispatcher_.verbose()) {
      log_problem("read failed", take_ssl_errors("TLS error"));
    }
    ERR_clear_error();
    return ReadResult::Broken;
  }
}

void Connection::close_gracefully() {
  if (SSL_is_init_finished(ssl_.get())) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // close_notify
    ERR_clear_error();
  }
  // Closing a socket with unread input sends RST, which can destroy the answer (a 413, a truncated body)
  // before the client reads it. So: half-close, then drain until the client closes too, briefly.
  shutdown(fd_, SHUT_WR);
  auto deadline = Clock::now() + kLingerTimeout;
  char sink[4096];
  for (;;) {
    ssize_t n = recv(fd_, sink, sizeof sink, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      return;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || (n < 0 && wait(POLLIN, static_cast<int>(left)) < 0)) {
      return;
    }
  }
}

void Connection::serve() {
  last_progress_ = Clock::now();
  for (;;) {
    // Write as much as the socket takes, producing more while there is room.
    for (;;) {
      if (resetting_) {
        return;
      }
      if (pending() < kProduceBudget) {
        proto_->produce(kProduceBudget);
      }
      if (pending() == 0) {
        break;
      }
      if (!flush()) {
        return;
      }
      if (write_blocked_) {
        break;
      }
    }
    if (pending() == 0 && (finishing_ || !proto_->alive())) {
      close_gracefully();
      return;
    }
    // While finishing, input is no longer wanted: waiting only for write room keeps a client that keeps
    // sending from spinning the loop.
    short events = finishing_ ? 0 : POLLIN;
    if (write_blocked_) {
      events |= POLLOUT;
    }
    // A client that went silent half-way through a request, stopped reading an answer, or left an idle
    // connection open (a crashed harness whose socket lives on in a child, a lost peer) must not hold a
    // thread for ever. A hung or delayed reply is the server's doing: that waits for the client to leave.
    auto now = Clock::now();
    std::optional<Clock::time_point> due = proto_->next_due();
    bool idle_applies = idle_timeout_.count() > 0 && !proto_->holding();
    if (idle_applies) {
      auto idle_due = last_progress_ + idle_timeout_;
      if (now >= idle_due) {
        bump(dispatcher_.stats().idle_timeouts);
        if (dispatcher_.verbose()) {
          log_problem("closed", pending() > 0 ? "the client stopped reading" : "idle timeout");
        }
        if (pending() == 0) {
          close_gracefully();
        }
        return;
      }
      due = due ? std::min(*due, idle_due) : idle_due;
    }
    int timeout = -1;
    if (due) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(*due - now).count();
      timeout = ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, INT_MAX));
    }
    int revents = wait(events, timeout);
    if (revents < 0) {
      return;
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !finishing_) {
      ReadResult r = read_available();
      if (r == ReadResult::Broken) {
        return;
      }
      if (r == ReadResult::Closed) {
        // Whatever the client asked before it closed is still answered if it can be sent right away.
        proto_->produce(kProduceBudget);
        flush();
        return;
      }
    } else if ((revents & (POLLHUP | POLLERR)) != 0) {
      return;
    }
    proto_->on_timer(Clock::now());
  }
}

void Connection::run() {
  ServerStats& stats = dispatcher_.stats();
  if (!ssl_ || SSL_set_fd(ssl_.get(), fd_) != 1) {
    log_problem("cannot start TLS", take_ssl_errors("out of memory"));
    bump(stats.tls_handshake_failures);
    return;
  }
  if (!handshake()) {
    bump(stats.tls_handshake_failures);
    close_gracefully();  // lets the client read the alert that says why
    return;
  }
  bump(stats.tls_handshakes);
  if (SSL_session_reused(ssl_.get()) == 1) {
    bump(stats.tls_resumed);
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl_.get(), &alpn, &alpn_len);
  if (alpn_len == 2 && std::memcmp(alpn, "h2", 2) == 0) {
    bump(stats.h2_connections);
    proto_ = make_http2(*this, dispatcher_);
  } else {
    bump(stats.http1_connections);
    proto_ = make_http1(*this, dispatcher_);
  }
  if (!proto_) {
    log_problem("cannot start HTTP/2", "out of memory");
    return;
  }
  serve();
}

}  // namespace

void serve_connection(int fd, const std::string& peer, SSL_CTX* ctx, Dispatcher& dispatcher, int stop_fd,
                      std::chrono::milliseconds idle_timeout) {
  // On the heap: the input buffer would crowd the small thread stacks.
  auto connection = std::make_unique<Connection>(fd, peer, ctx, dispatcher, stop_fd, idle_timeout);
  connection->run();
}

}  // namespace vtj::sim
