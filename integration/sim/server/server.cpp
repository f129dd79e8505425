#include "server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "connection.hpp"
#include "dispatch.hpp"

namespace vtj::sim {
namespace {

// Connection threads only parse, encrypt and call the logic: a small stack lets thousands coexist.
constexpr size_t kThreadStack = 1 << 20;

std::string format_address(const sockaddr_storage& sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(sa);
    inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host);
    port = ntohs(a.sin6_port);
    return std::string("[") + host + "]:" + std::to_string(port);
  }
  const auto& a = reinterpret_cast<const sockaddr_in&>(sa);
  inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
  port = ntohs(a.sin_port);
  return std::string(host) + ":" + std::to_string(port);
}

struct ThreadArgs {
  Server* server;
  int fd;
  std::string peer;
};

}  // namespace

Result<std::unique_ptr<Server>, std::string> Server::listen(const std::string& address, int port,
                                                            int max_connections,
                                                            std::chrono::milliseconds idle_timeout,
                                                            SSL_CTX* ctx, Dispatcher& dispatcher) {
  std::string where = address + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = getaddrinfo(address.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return err("--listen " + address + ": not a numeric IP address (" + gai_strerror(rc) + ")");
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(found, freeaddrinfo);
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return err("cannot create a socket: " + std::string(std::strerror(errno)));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    return err("cannot listen on " + where + ": " + why);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  int stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd < 0) {
    close(fd);
    return err("cannot create an eventfd: " + std::string(std::strerror(errno)));
  }
  std::unique_ptr<Server> server(new Server(fd, stop_fd, max_connections, idle_timeout, ctx, dispatcher));
  server->address_ = format_address(bound);
  server->port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                                    : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  return server;
}

Server::~Server() {
  if (acceptor_.joinable()) {
    stop(std::chrono::milliseconds(0));
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
  }
  // stop_fd_ stays open: a connection thread that outlived stop() may still poll it until the process ends.
}

void Server::start() {
  acceptor_ = std::thread([this] { accept_loop(); });
}

bool Server::stop(std::chrono::milliseconds grace) {
  uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) {
    std::perror("vtj-register-sim: cannot signal the connections to stop");
  }
  if (acceptor_.joinable()) {
    acceptor_.join();
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    listen_fd_ = -1;
  }
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, grace, [this] { return threads_ == 0; });
}

void Server::accept_loop() {
  ServerStats& stats = dispatcher_.stats();
  auto last_refusal_log = std::chrono::steady_clock::time_point();
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) {
      std::perror("vtj-register-sim: poll on the listening socket");
      return;
    }
    if (fds[1].revents != 0) {
      return;
    }
    if (fds[0].revents == 0) {
      continue;
    }
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::fprintf(stderr, "vtj-register-sim: accept: %s\n", std::strerror(errno));
        poll(nullptr, 0, 50);  // let connections close instead of spinning on a full table
      }
      continue;
    }
    bump(stats.connections);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // A peer that vanished without FIN or RST (its host or network namespace gone) is found by keepalive
    // probes within about a minute, even while a Hang fault waits for it to leave.
    int keep_idle = 30, keep_interval = 10, keep_count = 3;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &keep_idle, sizeof keep_idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &keep_interval, sizeof keep_interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &keep_count, sizeof keep_count);
    bool room;
    {
      std::lock_guard lock(mutex_);
      room = threads_ < max_connections_;
    }
    if (!room || !spawn(fd, format_address(peer))) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_refusal_log > std::chrono::seconds(1)) {
        last_refusal_log = now;
        std::fprintf(stderr, "vtj-register-sim: connection from %s refused: %s\n",
                     format_address(peer).c_str(),
                     room ? "cannot start a thread" : "connection limit reached");
      }
      close(fd);
    }
  }
}

bool Server::spawn(int fd, std::string peer) {
  auto* args = new ThreadArgs{this, fd, std::move(peer)};
  {
    std::lock_guard lock(mutex_);
    ++threads_;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kThreadStack);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, connection_thread, args);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete args;
    std::lock_guard lock(mutex_);
    --threads_;
    return false;
  }
  return true;
}

void* Server::connection_thread(void* arg) {
  std::unique_ptr<ThreadArgs> args(static_cast<ThreadArgs*>(arg));
  Server& server = *args->server;
  ServerStats& stats = server.dispatcher_.stats();
  stats.active_connections.fetch_add(1, std::memory_order_relaxed);
  serve_connection(args->fd, args->peer, server.ctx_, server.dispatcher_, server.stop_fd_,
                   server.idle_timeout_);
  stats.active_connections.fetch_sub(1, std::memory_order_relaxed);
  // OpenSSL frees a thread's own state in a thread-exit handler, which on a detached thread would run after
  // stop() saw threads_ reach zero: racing the OPENSSL_cleanup of exit() at SIGTERM. Free it here instead.
  OPENSSL_thread_stop();
  std::lock_guard lock(server.mutex_);
  if (--server.threads_ == 0) {
    server.idle_.notify_all();
  }
  return nullptr;
}

}  // namespace vtj::sim
