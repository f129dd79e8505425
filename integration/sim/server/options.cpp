#include "options.hpp"

#include <charconv>
#include <string_view>
#include "text/ascii.hpp"

namespace vtj::sim {

const char* const kUsage =
    "usage: vtj-register-sim --data FILE --cert FILE --key FILE --client-ca FILE\n"
    "                        [--listen ADDR] [--port N] [--port-file FILE] [--citizen-ca FILE]...\n"
    "                        [--crl FILE]... [--encoding person|utf-8|iso-8859-1] [--fault KIND]\n"
    "                        [--threads N] [--idle-timeout S] [--verbose]\n"
    "\n"
    "  --data FILE        the data set (integration/data/register.conf)\n"
    "  --cert FILE        the register's server certificate (PEM, chain allowed)\n"
    "  --key FILE         its private key\n"
    "  --client-ca FILE   CA certificates that customer certificates must chain to (mutual TLS)\n"
    "  --listen ADDR      address to listen on (default 127.0.0.1)\n"
    "  --port N           port (default 0: any free port)\n"
    "  --port-file FILE   write the port chosen into FILE\n"
    "  --citizen-ca FILE  an issuer of citizen certificates the register approves (repeatable)\n"
    "  --crl FILE         a revocation list the register consults (repeatable)\n"
    "  --encoding E       response encoding: person (the data set's choice), utf-8 or iso-8859-1\n"
    "  --fault KIND       apply to every query: none, latency:MS, hang, reset, http500, soap-fault,\n"
    "                     malformed, truncated, oversized\n"
    "  --threads N        at most N connections, each served by its own thread (default 2048)\n"
    "  --idle-timeout S   close a connection on which the client neither sends nor reads for S seconds,\n"
    "                     unless a hang or latency fault holds its reply (default 120; 0: never)\n"
    "  --verbose          log every request on stderr\n"
    "\n"
    "Admin endpoints on the same port: GET /status, POST /reset, POST /control?fault=KIND&encoding=E\n";

namespace {

bool takes_value(std::string_view a) {
  for (std::string_view known :
       {"--data", "--cert", "--key", "--client-ca", "--listen", "--port", "--port-file", "--citizen-ca",
        "--crl", "--encoding", "--fault", "--threads", "--idle-timeout"}) {
    if (a == known) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<ServerOptions, std::string> parse_command_line(int argc, char** argv) {
  ServerOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    if (a == "--verbose") {
      o.verbose = true;
      continue;
    }
    if (!takes_value(a)) {
      return err("unknown option '" + std::string(a) + "' (see --help)");
    }
    if (i + 1 >= argc) {
      return err("option " + std::string(a) + " needs a value");
    }
    std::string v = argv[++i];
    if (a == "--data") {
      o.logic.data_file = v;
    } else if (a == "--cert") {
      o.cert_file = v;
    } else if (a == "--key") {
      o.key_file = v;
    } else if (a == "--client-ca") {
      o.client_ca_file = v;
    } else if (a == "--listen") {
      o.listen = v;
    } else if (a == "--port") {
      if (!text::parse_int(v, 0, 65535, o.port)) {
        return err("--port: not a port number '" + v + "'");
      }
    } else if (a == "--port-file") {
      o.port_file = v;
    } else if (a == "--citizen-ca") {
      o.logic.citizen_ca_files.push_back(v);
    } else if (a == "--crl") {
      o.logic.crl_files.push_back(v);
    } else if (a == "--encoding") {
      if (v == "person") {
        o.logic.encoding = ResponseEncoding::PerPerson;
      } else if (v == "utf-8") {
        o.logic.encoding = ResponseEncoding::Utf8;
      } else if (v == "iso-8859-1") {
        o.logic.encoding = ResponseEncoding::Latin1;
      } else {
        return err("--encoding: expected person, utf-8 or iso-8859-1, not '" + v + "'");
      }
    } else if (a == "--fault") {
      auto f = parse_fault(v);
      if (!f) {
        return err("--fault: unknown fault '" + v + "'");
      }
      o.logic.fault = *f;
    } else if (a == "--threads") {
      if (!text::parse_int(v, 1, 65536, o.max_connections)) {
        return err("--threads: expected a number from 1 to 65536, not '" + v + "'");
      }
    } else if (a == "--idle-timeout") {
      if (!text::parse_int(v, 0, 86400, o.idle_timeout_s)) {
        return err("--idle-timeout: expected seconds from 0 to 86400, not '" + v + "'");
      }
    }
  }
  if (o.logic.data_file.empty()) {
    return err(std::string("--data FILE is required"));
  }
  if (o.cert_file.empty() || o.key_file.empty()) {
    return err(std::string("--cert FILE and --key FILE are required"));
  }
  if (o.client_ca_file.empty()) {
    return err(std::string("--client-ca FILE is required: the register always verifies the customer"));
  }
  return o;
}

}  // namespace vtj::sim
