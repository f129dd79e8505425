#pragma once
// A loopback HTTP/1.1 server for tests whose behaviour per connection is a script, so that every
// failure a client must tell apart (close before answering, truncate, stall, oversize) can be staged.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace vtj::test {

// Reads one HTTP/1.1 request (headers and Content-Length body) from fd; empty on EOF.
inline std::string read_request(int fd) {
  std::string in;
  char buf[4096];
  size_t need = std::string::npos;
  while (need == std::string::npos || in.size() < need) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      return in;
    }
    in.append(buf, static_cast<size_t>(n));
    size_t end = in.find("\r\n\r\n");
    if (need == std::string::npos && end != std::string::npos) {
      size_t cl = in.find("Content-Length: ");
      size_t len = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
      need = end + 4 + len;
    }
  }
  return in;
}

inline void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      return;
    }
    off += static_cast<size_t>(n);
  }
}

inline std::string ok_response(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A loopback server whose per-connection behaviour is a script: it gets the connection's number
// (0, 1, ...) and the socket, and does what the test needs.
class ScriptedServer {
 public:
  using Script = std::function<void(int index, int fd)>;
  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (int i = 0;; ++i) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) {
          return;
        }
        accepted_++;
        workers_.emplace_back([this, i, c] {
          script_(i, c);
          ::close(c);
        });
      }
    });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (auto& w : workers_) {
      w.join();
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  int accepted() const { return accepted_; }

 private:
  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

}  // namespace vtj::test
