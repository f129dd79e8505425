#include "load_options.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include "text/ascii.hpp"

namespace vtj::bench {

const char* const kLoadUsage =
    "usage: vtj-load --url https://HOST:PORT/PATH [--cacert FILE]\n"
    "                [--cert FILE [--key FILE] | --cert-list FILE] [--connections N] [--threads T]\n"
    "                [--duration SECONDS] [--requests N] [--per-connection K] [--method M]\n"
    "                [--body FILE] [--header 'Name: value']... [--http2 [--streams S]] [--csv]\n"
    "\n"
    "HTTPS load over kept-alive connections, with a client certificate if given. Prints one summary:\n"
    "requests, non-2xx answers, transport errors, requests/s, latency percentiles, TLS handshakes.\n"
    "\n"
    "  --url URL          https only; the request target is the URL's path and query\n"
    "  --cacert FILE      CA certificates for the server's certificate (hostname or IP is verified)\n"
    "  --cert, --key      client certificate and key (PEM) for mutual TLS\n"
    "  --cert-list FILE   many client identities instead of --cert, one a line: 'CERT.pem [KEY.pem]'\n"
    "                     (the key defaults to the certificate's file; relative paths are from FILE's\n"
    "                     folder; blank lines and lines starting with # are skipped). The j-th\n"
    "                     connection opened (from 0, over all threads, reconnections included) presents\n"
    "                     identity j mod N; a connection only resumes a TLS session of its own identity\n"
    "  --connections N    connections kept open (default 8), spread over --threads T (default 1)\n"
    "  --duration S       seconds to run (default 5; fractions allowed); with --requests, a time limit\n"
    "                     only when given\n"
    "  --requests N       stop once N requests in all have been answered or have failed\n"
    "  --per-connection K close a connection after K requests (HTTP/2: streams) and open a new one\n"
    "                     (default: kept alive). A connection's first request is timed from its TCP\n"
    "                     connect: its latency includes the TLS handshake, as a first login's does\n"
    "  --method M         default POST with --body, else GET\n"
    "  --body FILE        request body, sent with Content-Length\n"
    "  --header H         extra request header (repeatable), e.g. 'Content-Type: text/xml; charset=utf-8'\n"
    "  --http2            speak HTTP/2 (ALPN h2) instead of HTTP/1.1\n"
    "  --streams S        with --http2: requests in flight on each connection (default 1)\n"
    "  --csv              instead of the summary, two lines: the header (requests, ok_2xx, non_2xx,\n"
    "                     errors, seconds, rps, p50_ms, p90_ms, p99_ms, max_ms, connections_opened,\n"
    "                     resumed; comma-separated) and the values. requests: those answered; errors:\n"
    "                     transport errors; resumed: TLS handshakes that resumed a session\n"
    "\n"
    "Exit status: 0 when at least one request got a 2xx answer, 1 when none did, 2 on a usage error.\n";

namespace {

constexpr int kMaxCount = 1000000000;

// https://HOST[:PORT][/PATH]; HOST may be [IPv6].
bool parse_url(std::string_view url, LoadOptions& o) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return false;
  }
  url.remove_prefix(kScheme.size());
  size_t slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  o.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (o.target.front() == '?') {
    o.target.insert(0, "/");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    o.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return false;
      }
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    o.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (o.host.empty() || (!port.empty() && !text::parse_int(port, 1, 65535, o.port))) {
    return false;
  }
  return true;
}

}  // namespace

Result<LoadOptions, std::string> parse_load_options(int argc, char** argv) {
  LoadOptions o;
  bool have_url = false;
  std::string body_file;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    if (a == "--http2" || a == "--csv") {
      (a == "--http2" ? o.http2 : o.csv) = true;
      continue;
    }
    bool known = a == "--url" || a == "--cacert" || a == "--cert" || a == "--key" || a == "--cert-list" ||
                 a == "--connections" || a == "--threads" || a == "--duration" || a == "--requests" ||
                 a == "--per-connection" || a == "--method" || a == "--body" || a == "--header" ||
                 a == "--streams";
    if (!known) {
      return err("unknown option '" + std::string(a) + "' (see --help)");
    }
    if (i + 1 >= argc) {
      return err("option " + std::string(a) + " needs a value");
    }
    std::string v = argv[++i];
    if (a == "--url") {
      if (!parse_url(v, o)) {
        return err("--url: expected https://HOST[:PORT][/PATH], not '" + v + "'");
      }
      have_url = true;
    } else if (a == "--cacert") {
      o.ca_file = v;
    } else if (a == "--cert") {
      o.cert_file = v;
    } else if (a == "--key") {
      o.key_file = v;
    } else if (a == "--cert-list") {
      o.cert_list = v;
    } else if (a == "--requests" || a == "--per-connection") {
      int n = 0;
      if (!text::parse_int(v, 1, kMaxCount, n)) {
        return err(std::string(a) + ": expected a number from 1 to " + std::to_string(kMaxCount) + ", not '" +
                   v + "'");
      }
      (a == "--requests" ? o.requests : o.per_connection) = static_cast<uint64_t>(n);
    } else if (a == "--connections") {
      if (!text::parse_int(v, 1, 100000, o.connections)) {
        return err("--connections: expected a number from 1 to 100000, not '" + v + "'");
      }
    } else if (a == "--threads") {
      if (!text::parse_int(v, 1, 1024, o.threads)) {
        return err("--threads: expected a number from 1 to 1024, not '" + v + "'");
      }
    } else if (a == "--streams") {
      if (!text::parse_int(v, 1, 1000, o.streams)) {
        return err("--streams: expected a number from 1 to 1000, not '" + v + "'");
      }
    } else if (a == "--duration") {
      char* end = nullptr;
      o.duration_s = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(o.duration_s > 0) || o.duration_s > 86400) {
        return err("--duration: expected seconds (more than 0), not '" + v + "'");
      }
      o.duration_given = true;
    } else if (a == "--method") {
      o.method = v;
    } else if (a == "--body") {
      body_file = v;
    } else if (a == "--header") {
      size_t colon = v.find(':');
      if (colon == 0 || colon == std::string::npos || v.find_first_of("\r\n") != std::string::npos) {
        return err("--header: expected 'Name: value', not '" + v + "'");
      }
      o.headers.push_back(v);
    }
  }
  if (!have_url) {
    return err(std::string("--url is required"));
  }
  if (!o.key_file.empty() && o.cert_file.empty()) {
    return err(std::string("--key needs --cert"));
  }
  if (!o.cert_list.empty() && !o.cert_file.empty()) {
    return err(std::string("--cert-list and --cert exclude each other"));
  }
  if (!o.cert_file.empty()) {
    o.identities.push_back({o.cert_file, o.key_file.empty() ? o.cert_file : o.key_file, "--cert"});
  } else if (!o.cert_list.empty()) {
    auto listed = read_cert_list(o.cert_list);
    if (!listed) {
      return err(listed.error());
    }
    o.identities = std::move(listed).value();
  }
  if (o.streams > 1 && !o.http2) {
    return err(std::string("--streams needs --http2 (HTTP/1.1 sends one request at a time)"));
  }
  if (!body_file.empty()) {
    std::ifstream in(body_file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in) {
      return err("--body: cannot read " + body_file);
    }
    o.body = ss.str();
  }
  if (o.method.empty()) {
    o.method = body_file.empty() ? "GET" : "POST";
  }
  if (o.threads > o.connections) {
    o.threads = o.connections;
  }
  return o;
}

}  // namespace vtj::bench
