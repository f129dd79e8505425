// vtj-load: an HTTPS load generator that presents a client certificate (wrk and h2load cannot), for the
// register simulator, Apache and nginx alike. Each thread runs an epoll loop over its share of the
// kept-alive connections; every connection has one request in flight (HTTP/2: --streams of them). It
// runs for --duration, or until --requests have ended; --per-connection renews connections, and
// --cert-list gives each new connection the next client identity (a login storm of many citizens).

#include <netdb.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "client_conn.hpp"
#include "load_options.hpp"
#include "load_stats.hpp"

namespace vtj::bench {
namespace {

// A connection that failed waits this long before it is opened again: a server that refuses
// connections must not turn the load generator into a busy loop.
constexpr auto kRetryDelay = std::chrono::milliseconds(10);

struct Target {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

void run_worker(Run& run, const Target& target, int connections, Clock::time_point deadline,
                LoadStats& result) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    result.error("epoll_create1 failed");
    return;
  }
  const LoadOptions& options = run.options;
  Shared shared{run, options, options.http2 ? std::string() : build_http1_request(options), {}, true};
  std::vector<std::unique_ptr<ClientConn>> conns;
  struct Retry {
    ClientConn* conn;
    Clock::time_point at;
  };
  std::vector<Retry> retries;
  auto* addr = reinterpret_cast<const sockaddr*>(&target.addr);
  // Opens `c` (again): after an immediate failure, once more at `retry_at`; left closed when the run
  // has no requests left for it.
  auto reopen = [&](ClientConn* c, Clock::time_point retry_at) {
    if (c->connect(addr, target.len) == ClientConn::Connect::Failed) {
      retries.push_back({c, retry_at});
    }
  };
  for (int i = 0; i < connections; ++i) {
    conns.push_back(std::make_unique<ClientConn>(shared, ep));
    reopen(conns.back().get(), Clock::now() + kRetryDelay);
  }
  std::vector<epoll_event> events(256);
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline || run.budget.done()) {
      break;
    }
    for (size_t i = 0; i < retries.size();) {
      if (retries[i].at <= now) {
        ClientConn* c = retries[i].conn;
        retries[i] = retries.back();
        retries.pop_back();
        reopen(c, now + kRetryDelay);
      } else {
        ++i;
      }
    }
    // Every request handed out and none of them here: another thread ends the run.
    if (retries.empty() && run.budget.spent() &&
        std::none_of(conns.begin(), conns.end(), [](const auto& c) { return c->open(); })) {
      break;
    }
    int timeout = retries.empty() ? 100 : 5;
    if (deadline != Clock::time_point::max()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      timeout = static_cast<int>(std::min<long long>(left, timeout));
    }
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout);
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<ClientConn*>(events[i].data.ptr);
      uint64_t errors_before = shared.stats.transport_errors;
      if (!c->on_event(events[i].events)) {
        // Ended: cleanly (Connection: close, or its requests done) it reconnects at once, after an
        // error a little later.
        if (shared.stats.transport_errors != errors_before) {
          retries.push_back({c, Clock::now() + kRetryDelay});
        } else {
          reopen(c, Clock::now() + kRetryDelay);
        }
      }
    }
  }
  shared.running = false;
  conns.clear();
  close(ep);
  result = std::move(shared.stats);
}

bool resolve(const LoadOptions& o, Target& target, std::string& error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(o.port);
  if (int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = "cannot resolve " + o.host + ": " + gai_strerror(rc);
    return false;
  }
  std::memcpy(&target.addr, found->ai_addr, found->ai_addrlen);
  target.len = found->ai_addrlen;
  freeaddrinfo(found);
  return true;
}

}  // namespace
}  // namespace vtj::bench

int main(int argc, char** argv) {
  using namespace vtj::bench;
  auto parsed = parse_load_options(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "vtj-load: %s\n", parsed.error().c_str());
    return 2;
  }
  const LoadOptions& options = parsed.value();
  if (options.help) {
    std::fputs(kLoadUsage, stdout);
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  auto identities = load_identities(options.identities);
  if (!identities) {
    std::fprintf(stderr, "vtj-load: %s\n", identities.error().c_str());
    return 2;
  }
  auto ctx = make_client_context(options);
  if (!ctx) {
    std::fprintf(stderr, "vtj-load: %s\n", ctx.error().c_str());
    return 2;
  }
  Target target;
  std::string error;
  if (!resolve(options, target, error)) {
    std::fprintf(stderr, "vtj-load: %s\n", error.c_str());
    return 2;
  }

  Run run(options, ctx.value().get(), identities.value());
  auto duration =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
  auto start = Clock::now();
  // With --requests, the duration limits the run only when given.
  auto deadline =
      options.requests != 0 && !options.duration_given ? Clock::time_point::max() : start + duration;
  std::vector<LoadStats> results(static_cast<size_t>(options.threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) {
    // Connections spread evenly; the first threads take the remainder.
    int share = options.connections / options.threads + (t < options.connections % options.threads ? 1 : 0);
    threads.emplace_back(run_worker, std::ref(run), std::cref(target), share, deadline,
                         std::ref(results[static_cast<size_t>(t)]));
  }
  for (auto& t : threads) {
    t.join();
  }
  LoadStats total;
  for (const auto& r : results) {
    total.merge(r);
  }
  auto end = run.budget.done() ? std::min(run.budget.done_at(), deadline) : std::min(Clock::now(), deadline);
  double seconds = std::chrono::duration<double>(end - start).count();
  std::fputs(
      options.csv ? format_csv(total, seconds).c_str() : format_summary(total, seconds, options).c_str(),
      stdout);
  return total.ok > 0 ? 0 : 1;
}
