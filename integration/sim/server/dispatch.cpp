#include "dispatch.hpp"

#include <cstdio>

#include "vtj/identity.hpp"

namespace vtj::sim {

void ServerStats::reset() {
  for (auto* c : {&connections, &tls_handshakes, &tls_resumed, &tls_handshake_failures, &requests, &h2_connections,
                  &http1_connections, &idle_timeouts}) {
    c->store(0, std::memory_order_relaxed);
  }
}

std::string ServerStats::json() const {
  auto field = [](const char* name, const std::atomic<uint64_t>& v) {
    return std::string("\"") + name + "\":" + std::to_string(v.load(std::memory_order_relaxed));
  };
  return field("connections", connections) + "," + field("tls_handshakes", tls_handshakes) + "," + field("tls_resumed", tls_resumed) + "," +
         field("tls_handshake_failures", tls_handshake_failures) + "," +
         field("active_connections", active_connections) + "," + field("requests", requests) + "," +
         field("h2_connections", h2_connections) + "," + field("http1_connections", http1_connections) + "," +
         field("idle_timeouts", idle_timeouts);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 400 ? "OK" : "Error";
  }
}

namespace {

Reply simple(int status, const char* content_type, std::string body) {
  Reply r;
  r.status = status;
  r.content_type = content_type;
  r.body = std::move(body);
  return r;
}

Reply method_not_allowed() {
  return simple(405, "text/plain; charset=utf-8", "method not allowed\n");
}

}  // namespace

Reply Dispatcher::admin(const HttpRequest& request, bool& handled) {
  handled = true;
  if (request.path == "/status") {
    if (request.method != "GET" && request.method != "HEAD") {
      return method_not_allowed();
    }
    std::string counters = reg_.counters_json();
    return simple(200, "application/json",
                  "{" + stats_.json() + (counters.empty() ? "" : ",") + counters + "}\n");
  }
  if (request.path == "/reset") {
    if (request.method != "POST") {
      return method_not_allowed();
    }
    stats_.reset();
    reg_.reset_counters();
    return simple(200, "application/json", "{\"reset\":true}\n");
  }
  if (request.path == "/control") {
    if (request.method != "POST") {
      return method_not_allowed();
    }
    if (auto error = reg_.control(request.query)) {
      return simple(400, "text/plain; charset=utf-8", *error + "\n");
    }
    return simple(200, "application/json", "{\"control\":true}\n");
  }
  handled = false;
  return {};
}

Reply Dispatcher::handle(const HttpRequest& request, const char* protocol) {
  bump(stats_.requests);
  bool handled = false;
  Reply reply = admin(request, handled);
  if (!handled) {
    reply = reg_.answer(request);
  }
  if (verbose_) {
    // The target may carry identifiers (a control query, a mistyped path): masked like any log text.
    std::string target = request.path + (request.query.empty() ? "" : "?" + request.query);
    std::fprintf(stderr, "vtj-register-sim: %s %s %s -> %d%s%s\n", protocol,
                 identity::sanitize_for_log(request.method, 16).c_str(),
                 identity::sanitize_for_log(target).c_str(), reply.status,
                 reply.fault == Fault::None ? "" : " fault ",
                 reply.fault == Fault::None ? "" : to_string(reply.fault));
  }
  return reply;
}

}  // namespace vtj::sim
