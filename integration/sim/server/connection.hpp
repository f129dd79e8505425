#pragma once
// One accepted TCP connection, served on the calling thread: TLS handshake, then HTTP/1.1 or HTTP/2 as
// ALPN chose, until the client leaves, a fault ends it, or the server stops.

#include <openssl/ssl.h>

#include <chrono>
#include <string>

namespace vtj::sim {

class Dispatcher;

// Takes ownership of `fd`. `stop_fd` becomes readable when the server shuts down. A connection on which
// the client neither sends nor reads anything for `idle_timeout` (zero: never) is closed, unless a fault
// holds a reply back.
void serve_connection(int fd, const std::string& peer, SSL_CTX* ctx, Dispatcher& dispatcher, int stop_fd,
                      std::chrono::milliseconds idle_timeout);

}  // namespace vtj::sim
