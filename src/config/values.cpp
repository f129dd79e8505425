// Parsers of structured directive values: URLs, X-Road identifiers, cache specifications.

#include "config/values.hpp"

#include <charconv>

#include "config/text.hpp"

namespace vtj::config {

Problem parse_url(const std::string& arg, std::string& out) {
  std::string_view rest;
  if (istarts_with(arg, "https://")) {
    rest = std::string_view(arg).substr(8);
  } else if (istarts_with(arg, "http://")) {
    rest = std::string_view(arg).substr(7);
  } else {
    return std::string("expected an http:// or https:// URL, got " + quote(arg));
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    // Not echoed: the user-info part may hold a password.
    return std::string("the URL must not carry user credentials (use VTJCredentials)");
  }
  for (char ch : arg) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) {
      return std::string("the URL holds white space or control characters: " + quote(arg));
    }
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) {
      return std::string("unterminated IPv6 address in URL " + quote(arg));
    }
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port.front() != ':') {
      return std::string("unexpected text after the IPv6 address in URL " + quote(arg));
    }
    port = port.empty() ? port : port.substr(1);
  } else if (size_t colon = host.find(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) {
    return std::string("the URL has no host: " + quote(arg));
  }
  if (authority.find(':') != std::string_view::npos && authority.back() != ']') {
    int p = 0;
    if (!parse_int(port, 1, 65535, p)) {
      return std::string("the URL's port must be 1-65535: " + quote(arg));
    }
  }
  out = arg;
  return std::nullopt;
}

Problem parse_xroad_id(const std::string& arg, bool service, reg::XRoadId& out) {
  std::vector<std::string> parts = split(arg, '/');
  bool count_ok = service ? (parts.size() == 5 || parts.size() == 6) : parts.size() == 4;
  bool parts_ok = true;
  for (const std::string& p : parts) {
    parts_ok = parts_ok && !p.empty() && printable_ascii(p);
  }
  if (!count_ok || !parts_ok) {
    return std::string(std::string(service ? "expected INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/VERSION]"
                                           : "expected INSTANCE/CLASS/CODE/SUBSYSTEM") +
                       " with non-empty parts, got " + quote(arg));
  }
  parts.resize(6);
  out = reg::XRoadId{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]};
  return std::nullopt;
}

Problem parse_cache(const std::string& arg, CacheSpec& out) {
  CacheSpec spec;
  if (iequals(arg, "none")) {
    spec.kind = CacheSpec::Kind::None;
  } else if (istarts_with(arg, "shm:")) {
    std::string_view size = std::string_view(arg).substr(4);
    unsigned long long unit = 1;
    if (!size.empty()) {
      switch (ascii_upper(size.back())) {
        case 'K':
          unit = 1ULL << 10;
          break;
        case 'M':
          unit = 1ULL << 20;
          break;
        case 'G':
          unit = 1ULL << 30;
          break;
        default:
          break;
      }
      if (unit != 1) {
        size.remove_suffix(1);
      }
    }
    unsigned long long n = 0;
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), n);
    constexpr unsigned long long kMax = 64ULL << 30;
    if (size.empty() || ec != std::errc() || end != size.data() + size.size() || n > kMax / unit) {
      return std::string("expected shm:SIZE with an optional K, M or G suffix, got " + quote(arg));
    }
    if (n * unit < (1ULL << 20)) {
      return std::string("shared memory cache must be at least 1M, got " + quote(arg));
    }
    spec.kind = CacheSpec::Kind::Shm;
    spec.shm_bytes = static_cast<size_t>(n * unit);
  } else if (istarts_with(arg, "redis://")) {
    std::string_view rest = std::string_view(arg).substr(8);
    if (rest.find('@') != std::string_view::npos) {
      // Not echoed: the user-info part may hold a password.
      return std::string("the Redis URL must not carry user credentials");
    }
    std::string_view db;
    if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
      db = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
      if (!parse_int(db, 0, 1 << 20, spec.redis_db)) {
        return std::string("the Redis database must be a non-negative number, got " + quote(arg));
      }
    }
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
      size_t close = rest.find(']');
      host = close == std::string_view::npos ? std::string_view{} : rest.substr(1, close - 1);
      port = close == std::string_view::npos ? std::string_view{} : rest.substr(close + 1);
      if (!port.empty() && port.front() != ':') {
        host = {};
      }
      port = port.empty() ? port : port.substr(1);
    } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
    }
    if (host.empty() || !printable_ascii(host)) {
      return std::string("expected redis://HOST:PORT[/DB], got " + quote(arg));
    }
    if (rest.find(':') != std::string_view::npos && !parse_int(port, 1, 65535, spec.redis_port)) {
      return std::string("the Redis port must be 1-65535, got " + quote(arg));
    }
    spec.kind = CacheSpec::Kind::Redis;
    spec.redis_host = std::string(host);
  } else {
    return std::string("expected shm:SIZE, redis://HOST:PORT[/DB] or none, got " + quote(arg));
  }
  out = std::move(spec);
  return std::nullopt;
}

}  // namespace vtj::config
