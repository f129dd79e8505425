// vtj-register-sim: a stand-in for the population register's SOAP service, for tests, benchmarks and
// operators trying the module out. Mutual TLS, HTTP/1.1 and HTTP/2; the answers come from the logic in
// integration/sim/logic/.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "dispatch.hpp"
#include "options.hpp"
#include "register_sim.hpp"
#include "server.hpp"
#include "tls.hpp"

namespace {

constexpr int kExitUsage = 2;
// SIGTERM must end the process within a second, connection threads included.
constexpr auto kStopGrace = std::chrono::milliseconds(700);

int fail(const std::string& message) {
  std::fprintf(stderr, "vtj-register-sim: %s\n", message.c_str());
  return kExitUsage;
}

// Written beside the target and renamed, so a reader polling the file never sees half a number.
bool write_port_file(const std::string& path, int port) {
  std::string temp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) {
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = vtj::sim::parse_command_line(argc, argv);
  if (!parsed) {
    return fail(parsed.error());
  }
  const vtj::sim::ServerOptions& options = parsed.value();
  if (options.help) {
    std::fputs(vtj::sim::kUsage, stdout);
    return 0;
  }

  // Every thread inherits this mask, so the signals reach only the sigwait below; writes to a vanished
  // client must fail with EPIPE, not kill the process.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto reg = vtj::sim::Register::load(options.logic);
  if (!reg) {
    return fail(reg.error());
  }
  auto ctx = vtj::sim::make_server_context(options.cert_file, options.key_file, options.client_ca_file);
  if (!ctx) {
    return fail(ctx.error());
  }
  vtj::sim::ServerStats stats;
  vtj::sim::Dispatcher dispatcher(*reg.value(), stats, options.verbose);
  auto server =
      vtj::sim::Server::listen(options.listen, options.port, options.max_connections,
                               std::chrono::seconds(options.idle_timeout_s), ctx.value().get(), dispatcher);
  if (!server) {
    return fail(server.error());
  }
  if (!options.port_file.empty() && !write_port_file(options.port_file, server.value()->port())) {
    return fail("cannot write --port-file " + options.port_file);
  }
  server.value()->start();
  std::printf("vtj-register-sim: listening on %s\nvtj-register-sim: ready\n",
              server.value()->address().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  if (!server.value()->stop(kStopGrace)) {
    // A connection thread is still inside the logic: leave without destroying what it uses.
    std::fprintf(stderr, "vtj-register-sim: stopped with connections still closing\n");
    std::fflush(nullptr);
    std::_Exit(0);
  }
  return 0;
}
