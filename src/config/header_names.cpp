#include "config/header_names.hpp"

#include "config/text.hpp"

namespace vtj::config {

namespace {

struct ReservedHeader {
  std::string_view name;
  bool family;  // a name prefix: every header starting with it is reserved
};

// Framing, the client's credentials and identity, caching and proxy headers; families for the ones
// that come in many names (Content-Type, Content-Length, ...; Sec-Fetch-Mode, ...).
constexpr ReservedHeader kReservedHeaders[] = {
    {"Accept", false},
    {"Accept-", true},
    {"Authorization", false},
    {"Cache-Control", false},
    {"Connection", false},
    {"Content-", true},
    {"Cookie", false},
    {"Date", false},
    {"Expect", false},
    {"Forwarded", false},
    {"From", false},
    {"Host", false},
    {"If-", true},
    {"Keep-Alive", false},
    {"Origin", false},
    {"Pragma", false},
    {"Proxy-", true},
    {"Range", false},
    {"Referer", false},
    {"Sec-", true},
    {"TE", false},
    {"Trailer", false},
    {"Transfer-Encoding", false},
    {"Upgrade", false},
    {"User-Agent", false},
    {"Via", false},
    {"Warning", false},
    {"X-Forwarded-", true},
    {"X-Real-IP", false},
};

// How the module compares header names (render::collides): case-insensitively, '_' as '-'.
std::string normalized(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    c = c == '_' ? '-' : ascii_lower(c);
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string describe(const ReservedHeader& r) {
  return r.family ? std::string(r.name) + "*" : std::string(r.name);
}

}  // namespace

std::string reserved_header(std::string_view name) {
  std::string h = normalized(name);
  for (const ReservedHeader& r : kReservedHeaders) {
    std::string n = normalized(r.name);
    if (r.family ? starts_with(h, n) : h == n) {
      return describe(r);
    }
  }
  return {};
}

std::vector<std::string> reserved_headers() {
  std::vector<std::string> out;
  for (const ReservedHeader& r : kReservedHeaders) {
    out.push_back(describe(r));
  }
  return out;
}

std::string reserved_under_prefix(std::string_view prefix) {
  std::string p = normalized(prefix);
  for (const ReservedHeader& r : kReservedHeaders) {
    std::string n = normalized(r.name);
    if (starts_with(n, p) || (r.family && starts_with(p, n))) {
      return describe(r);
    }
  }
  return {};
}

}  // namespace vtj::config
