#pragma once
// The listening socket, the acceptor thread and one thread per accepted connection.

#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "vtj/result.hpp"

namespace vtj::sim {

class Dispatcher;

class Server {
 public:
  // Binds and listens; errors are one line ("cannot listen on 127.0.0.1:443: Permission denied").
  // `idle_timeout`: see serve_connection (zero: never).
  static Result<std::unique_ptr<Server>, std::string> listen(const std::string& address, int port,
                                                             int max_connections,
                                                             std::chrono::milliseconds idle_timeout,
                                                             SSL_CTX* ctx, Dispatcher& dispatcher);
  ~Server();

  // "127.0.0.1:PORT" ("[::1]:PORT" for IPv6), with the port the system chose for port 0.
  const std::string& address() const { return address_; }
  int port() const { return port_; }

  void start();
  // Stops accepting, closes the listening socket, tells every connection to close and waits up to
  // `grace` for their threads. False when some are still running.
  bool stop(std::chrono::milliseconds grace);

 private:
  Server(int listen_fd, int stop_fd, int max_connections, std::chrono::milliseconds idle_timeout,
         SSL_CTX* ctx, Dispatcher& dispatcher)
      : listen_fd_(listen_fd),
        stop_fd_(stop_fd),
        max_connections_(max_connections),
        idle_timeout_(idle_timeout),
        ctx_(ctx),
        dispatcher_(dispatcher) {}
  void accept_loop();
  bool spawn(int fd, std::string peer);
  static void* connection_thread(void* arg);

  int listen_fd_;
  int stop_fd_;  // an eventfd: written once at shutdown, never read, so it stays readable for every poll
  int max_connections_;
  std::chrono::milliseconds idle_timeout_;
  SSL_CTX* ctx_;
  Dispatcher& dispatcher_;
  std::string address_;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable idle_;
  int threads_ = 0;
};

}  // namespace vtj::sim
