#pragma once
// One accepted TCP connection, served on the calling thread: TLS handshake, then HTTP/1.1 or HTTP/2 as
// ALPN chose, until the client leaves, a fault ends it, or the server stops.

#include <openssl/ssl.h>

#include <string>

namespace vtj::sim {

class Dispatcher;

// Takes ownership of `fd`. `stop_fd` becomes readable when the server shuts down.
void serve_connection(int fd, const std::string& peer, SSL_CTX* ctx, Dispatcher& dispatcher, int stop_fd);

}  // namespace vtj::sim
