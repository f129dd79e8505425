#pragma once
// vtj-load's command line.

#include <cstdint>
#include <string>
#include <vector>

#include "identities.hpp"
#include "vtj/result.hpp"

namespace vtj::bench {

struct LoadOptions {
  std::string host;  // from --url: a name or an IP address (IPv6 without brackets)
  int port = 443;
  std::string target = "/";              // path and query
  std::string ca_file;                   // --cacert: trust for the server certificate
  std::string cert_file;                 // --cert: client certificate (PEM; may hold the key too)
  std::string key_file;                  // --key
  std::string cert_list;                 // --cert-list: a file of client certificates, cycled per connection
  std::vector<IdentitySpec> identities;  // from --cert or --cert-list; empty: no client certificate
  int connections = 8;
  int threads = 1;
  double duration_s = 5;
  bool duration_given = false;       // --duration: with --requests, a time limit too
  uint64_t requests = 0;             // --requests: stop after this many; 0: run for the duration
  uint64_t per_connection = 0;       // --per-connection: requests before a new connection; 0: unlimited
  std::string method;                // default: POST with --body, else GET
  std::string body;                  // the contents of --body FILE
  std::vector<std::string> headers;  // "Name: value"
  bool http2 = false;
  int streams = 1;   // --http2: requests in flight per connection
  bool csv = false;  // --csv: two lines (header, values) instead of the summary
  bool help = false;
};

extern const char* const kLoadUsage;

Result<LoadOptions, std::string> parse_load_options(int argc, char** argv);

}  // namespace vtj::bench
