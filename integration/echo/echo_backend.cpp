// vtj-echo-backend: the application behind nginx in the integration tests. It answers every request with
// the request headers it received, one `HTTP_NAME=value` line each (the name in upper case, '-' and '_'
// as '_', as CGI names them), sorted, so the tests compare what a proxied backend sees with what
// Apache's CGI sees. One thread per connection; one request per connection is enough for nginx's
// proxy_pass (HTTP/1.0, Connection: close), keep-alive is served too.
//
//   vtj-echo-backend [--port N]    prints "vtj-echo-backend: listening on 127.0.0.1:PORT", then serves
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

bool send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void serve(int fd) {
  std::string buf;
  char chunk[8192];
  for (;;) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0 || buf.size() > 1024 * 1024) {
        ::close(fd);
        return;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    std::vector<std::string> lines;
    size_t content_length = 0;
    bool keep_alive = false;
    size_t pos = head.find("\r\n");
    std::string request_line = head.substr(0, pos);
    while (pos != std::string::npos) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      pos = next;
      size_t colon = line.find(':');
      if (colon == std::string::npos) {
        continue;
      }
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      std::string upper = "HTTP_";
      for (char c : name) {
        upper += (c == '-' || c == '_') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      if (upper == "HTTP_CONTENT_LENGTH") {
        content_length = std::strtoul(value.c_str(), nullptr, 10);
      }
      if (upper == "HTTP_CONNECTION") {
        std::string v = value;
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
        keep_alive = v == "keep-alive";
      }
      lines.push_back(upper + "=" + value);
    }
    if (request_line.find("HTTP/1.1") != std::string::npos) {
      keep_alive = keep_alive || head.find("onnection: close") == std::string::npos;
    }
    while (buf.size() < content_length) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        ::close(fd);
        return;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    buf.erase(0, content_length);
    std::sort(lines.begin(), lines.end());
    std::string body;
    for (const std::string& l : lines) {
      body += l + "\n";
    }
    std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\nConnection: " +
                            (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + body;
    if (!send_all(fd, response) || !keep_alive) {
      ::close(fd);
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--port") {
      port = std::atoi(argv[i + 1]);
    }
  }
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, 512) != 0) {
    std::perror("vtj-echo-backend: bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("vtj-echo-backend: listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  for (;;) {
    int fd = ::accept(s, nullptr, nullptr);
    if (fd >= 0) {
      std::thread(serve, fd).detach();
    }
  }
}
