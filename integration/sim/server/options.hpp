#pragma once
// vtj-register-sim's command line.

#include <string>
#include <vector>

#include "register_sim.hpp"
#include "vtj/result.hpp"

namespace vtj::sim {

struct ServerOptions {
  Options logic;  // --data, --citizen-ca, --crl, --encoding, --fault
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  std::string listen = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string port_file;
  // One thread serves each connection, so this bounds both (connections beyond it are closed at once).
  int max_connections = 2048;
  // A connection on which the client neither sends nor reads for this long is closed (0: never), unless a
  // fault holds a reply back. IIS, which serves the real SoSo service, closes idle ones after 120 s.
  int idle_timeout_s = 120;
  bool verbose = false;
  bool help = false;
};

extern const char* const kUsage;

// An error is one line without the program name ("--port: not a number 'x'").
Result<ServerOptions, std::string> parse_command_line(int argc, char** argv);

}  // namespace vtj::sim
