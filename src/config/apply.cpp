// apply(): one directive's arguments validated and stored. Messages quote the offending argument (made
// printable and shortened) but never a secret: the password file's content is never echoed.

#include <filesystem>
#include <fstream>
#include <limits>

#include "config/header_names.hpp"
#include "config/text.hpp"
#include "config/values.hpp"
#include "vtj/config.hpp"
#include "vtj/register_request.hpp"
#include "vtj/render.hpp"

namespace vtj::config {

namespace {

using Error = std::optional<ConfigError>;

struct Ctx {
  const Source& where;
  std::string_view name;
  Error fail(std::string message) const { return ConfigError{where, std::string(name), std::move(message)}; }
};

std::string resolve(const std::string& path, const Source& where) {
  if (path.empty() || path.front() == '/' || where.base_dir.empty()) {
    return path;
  }
  return (std::filesystem::path(where.base_dir) / path).lexically_normal().string();
}

// A readable regular file; returns the problem, or empty.
std::string unreadable(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return "is not a readable file";
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "cannot be read";
  }
  return {};
}

Error file_arg(const Ctx& c, const std::string& arg, std::string_view what, std::string& out) {
  std::string path = resolve(arg, c.where);
  if (std::string problem = unreadable(path); !problem.empty()) {
    return c.fail(std::string(what) + " " + quote(path) + " " + problem);
  }
  out = std::move(path);
  return std::nullopt;
}

Error on_off(const Ctx& c, const std::string& arg, bool& out) {
  if (iequals(arg, "on")) {
    out = true;
  } else if (iequals(arg, "off")) {
    out = false;
  } else {
    return c.fail("expected On or Off, got " + quote(arg));
  }
  return std::nullopt;
}

// An integer in [min, max]; `what` names the value for the message.
Error number(const Ctx& c, const std::string& arg, long long min, long long max, std::string_view what,
             int& out) {
  if (!parse_int(arg, min, max, out)) {
    return c.fail(std::string(what) + ", got " + quote(arg));
  }
  return std::nullopt;
}

Error wrap(const Ctx& c, Problem p) {
  return p ? c.fail(std::move(*p)) : std::nullopt;
}

template <class E>
Error choice(const Ctx& c, const std::string& arg, std::initializer_list<std::pair<std::string_view, E>> opts,
             E& out) {
  std::string names;
  for (const auto& [n, v] : opts) {
    if (iequals(arg, n)) {
      out = v;
      return std::nullopt;
    }
    names += names.empty() ? std::string(n) : ", " + std::string(n);
  }
  return c.fail("expected one of " + names + ", got " + quote(arg));
}

Error read_password(const Ctx& c, const std::string& arg, Settings& s) {
  std::string path = resolve(arg, c.where);
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || !in) {
    return c.fail("password file " + quote(path) + " cannot be read");
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
    line.pop_back();
  }
  if (line.empty()) {
    return c.fail("password file " + quote(path) + " is empty");
  }
  // Checked here so the error names the file and line; it never says what or where the fault is.
  if (checked_text(line) == std::string::npos) {
    return c.fail("password file " + quote(path) +
                  " must hold UTF-8 text without control characters on its first line");
  }
  s.password = std::move(line);
  s.password_file = std::move(path);
  return std::nullopt;
}

Error key_file(const Ctx& c, const std::string& arg, std::string& out) {
  std::string path;
  if (Error e = file_arg(c, arg, "key file", path)) {
    return e;
  }
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec || size < 32) {
    return c.fail("key file " + quote(path) + " must hold at least 32 bytes");
  }
  out = std::move(path);
  return std::nullopt;
}

Error header_name(const Ctx& c, const std::string& arg) {
  if (!is_token(arg)) {
    return c.fail("the header name must be a valid header name (letters, digits, -), got " + quote(arg));
  }
  if (std::string r = reserved_header(arg); !r.empty()) {
    return c.fail("the header name must not be a standard HTTP header (" + r + "), got " + quote(arg));
  }
  return std::nullopt;
}

Error header_prefix(const Ctx& c, const std::string& arg) {
  if (!is_token(arg)) {
    return c.fail("the prefix must be a valid header name (letters, digits, -), got " + quote(arg));
  }
  if (arg.size() < 2) {
    return c.fail("the prefix must be at least 2 characters, got " + quote(arg));
  }
  if (std::string r = reserved_under_prefix(arg); !r.empty()) {
    return c.fail("the prefix must not cover a standard HTTP header (" + r + "), got " + quote(arg));
  }
  return std::nullopt;
}

// Text the register receives: strict UTF-8 without control characters (see checked_text).
Error register_text(const Ctx& c, const std::string& arg, std::string_view what, size_t max_chars) {
  std::string problem;
  size_t n = checked_text(arg, &problem);
  if (arg.empty() || n == std::string::npos) {
    return c.fail(std::string(what) + " must be non-empty UTF-8 text without control characters" +
                  (problem.empty() ? "" : " (" + problem + ")") + ", got " + quote(arg));
  }
  if (n > max_chars) {
    return c.fail(std::string(what) + " must be at most " + std::to_string(max_chars) + " characters, got " +
                  std::to_string(n));
  }
  return std::nullopt;
}

Error apply_one(Settings& s, Directive id, const std::vector<std::string>& a, const Ctx& c) {
  using T = reg::Transport;
  switch (id) {
    case Directive::Vtj:
      return on_off(c, a[0], s.enabled);
    case Directive::RegisterUrl:
      return wrap(c, parse_url(a[0], s.register_url));
    case Directive::Transport:
      return choice<T>(c, a[0], {{"soso", T::Soso}, {"xroad", T::XRoad}}, s.transport);
    case Directive::ClientCertificate: {
      std::string cert;
      std::string key;
      if (Error e = file_arg(c, a[0], "certificate file", cert)) {
        return e;
      }
      if (a.size() > 1) {
        if (Error e = file_arg(c, a[1], "key file", key)) {
          return e;
        }
      }
      s.client_cert = std::move(cert);
      s.client_key = std::move(key);
      return std::nullopt;
    }
    case Directive::RegisterCa:
      return file_arg(c, a[0], "CA file", s.register_ca);
    case Directive::Credentials:
      if (a[0].empty() || !printable_text(a[0]) || checked_text(a[0]) == std::string::npos) {
        return c.fail("the username must be non-empty printable UTF-8 text, got " + quote(a[0]));
      }
      if (Error e = read_password(c, a[1], s)) {
        return e;
      }
      s.username = a[0];
      return std::nullopt;
    case Directive::Product:
      if (a[0].empty() || !printable_text(a[0]) || checked_text(a[0]) == std::string::npos) {
        return c.fail("the product name must be non-empty printable UTF-8 text, got " + quote(a[0]));
      }
      s.product = a[0];
      return std::nullopt;
    case Directive::EndUser:
      // Loppukayttaja: at most 50 characters in the register's schema (the request builder's own limit).
      if (Error e = register_text(c, a[0], "the end user", reg::kMaxEndUserChars)) {
        return e;
      }
      s.end_user = a[0];
      return std::nullopt;
    case Directive::XRoadClient:
      return wrap(c, parse_xroad_id(a[0], false, s.xroad_client));
    case Directive::XRoadService:
      return wrap(c, parse_xroad_id(a[0], true, s.xroad_service));
    case Directive::Timeout: {
      constexpr long long kMaxMs = 3600 * 1000;
      int connect = 0;
      int total = 0;
      if (Error e = number(c, a[0], 1, kMaxMs, "connect timeout must be a positive number of milliseconds",
                           connect)) {
        return e;
      }
      if (Error e =
              number(c, a[1], 1, kMaxMs, "total timeout must be a positive number of milliseconds", total)) {
        return e;
      }
      if (connect > total) {
        return c.fail("connect timeout (" + a[0] + " ms) exceeds the total timeout (" + a[1] + " ms)");
      }
      s.connect_timeout_ms = connect;
      s.total_timeout_ms = total;
      return std::nullopt;
    }
    case Directive::CitizenIssuer: {
      std::string path;
      if (Error e = file_arg(c, a[0], "issuer certificate file", path)) {
        return e;
      }
      s.citizen_issuers.push_back(std::move(path));
      return std::nullopt;
    }
    case Directive::CertificateCheck:
      return on_off(c, a[0], s.certificate_check);
    case Directive::Cache:
      return wrap(c, parse_cache(a[0], s.cache));
    case Directive::CacheKey:
      return key_file(c, a[0], s.cache_key_file);
    case Directive::CacheTtl: {
      constexpr long long kMaxS = 366LL * 24 * 3600;
      int ttl = 0;
      int nf = s.not_found_ttl;
      if (Error e = number(c, a[0], 0, kMaxS, "cache TTL must be a number of seconds", ttl)) {
        return e;
      }
      if (a.size() > 1) {
        if (Error e = number(c, a[1], 0, kMaxS, "not-found TTL must be a number of seconds", nf)) {
          return e;
        }
      }
      s.cache_ttl = ttl;
      s.not_found_ttl = nf;
      return std::nullopt;
    }
    case Directive::HeaderPrefix:
      if (Error e = header_prefix(c, a[0])) {
        return e;
      }
      s.header_prefix = a[0];
      return std::nullopt;
    case Directive::Header: {
      const render::FieldInfo* field = render::find_field(a[0]);
      if (field == nullptr && !render::is_valid_path(a[0])) {
        return c.fail(
            "expected a field name (hetu, surname, ...) or a path of element names such as "
            "Kotikunta/KuntaR, got " +
            quote(a[0]));
      }
      if (Error e = header_name(c, a[1])) {
        return e;
      }
      // The first VTJHeader of a context replaces the default set; later ones add. Field names are
      // stored in their canonical lower case (Surname -> surname); paths as written.
      s.headers.push_back(HeaderSpec{field != nullptr ? std::string(field->name) : a[0], a[1]});
      return std::nullopt;
    }
    case Directive::HeaderEncoding:
      return choice<Encoding>(c, a[0],
                              {{"percent", Encoding::Percent},
                               {"utf8", Encoding::Utf8},
                               {"base64", Encoding::Base64},
                               {"latin1", Encoding::Latin1}},
                              s.encoding);
    case Directive::SpoofPolicy:
      return choice<SpoofPolicy>(c, a[0], {{"strip", SpoofPolicy::Strip}, {"reject", SpoofPolicy::Reject}},
                                 s.spoof_policy);
    case Directive::SecurityProhibition:
      return choice<ProhibitionPolicy>(c, a[0],
                                       {{"withhold", ProhibitionPolicy::Withhold},
                                        {"pass", ProhibitionPolicy::Pass},
                                        {"deny", ProhibitionPolicy::Deny}},
                                       s.prohibition);
    case Directive::OnRegisterError:
      return choice<ErrorPolicy>(
          c, a[0], {{"deny", ErrorPolicy::Deny}, {"pass", ErrorPolicy::Pass}, {"stale", ErrorPolicy::Stale}},
          s.on_error);
  }
  return c.fail("unhandled directive");
}

}  // namespace

std::optional<ConfigError> apply(Settings& settings, std::string_view directive,
                                 const std::vector<std::string>& args, const Source& where) {
  const DirectiveInfo* d = find_directive(directive);
  Ctx c{where, directive};
  if (d == nullptr) {
    return c.fail("unknown directive " + quote(directive));
  }
  int n = static_cast<int>(args.size());
  if (n < d->min_args || n > d->max_args) {
    std::string want = d->min_args == d->max_args
                           ? std::to_string(d->min_args)
                           : std::to_string(d->min_args) + " to " + std::to_string(d->max_args);
    return c.fail("takes " + want + (d->max_args == 1 ? " argument" : " arguments") + " (" +
                  std::string(d->syntax) + "), got " + std::to_string(n));
  }
  // Work on a copy so a failed directive leaves the settings as they were.
  Settings next = settings;
  next.snake_names = next.snake_names || directive == d->snake_name;
  bool first_here = !settings.is_set(d->id);
  if (first_here && (d->id == Directive::Header || d->id == Directive::CitizenIssuer)) {
    if (d->id == Directive::Header) {
      next.headers.clear();
    } else {
      next.citizen_issuers.clear();
    }
  }
  if (Error e = apply_one(next, d->id, args, c)) {
    return e;
  }
  size_t i = static_cast<size_t>(d->id);
  next.explicitly_set.set(i);
  next.set_at[i] = where;
  settings = std::move(next);
  return std::nullopt;
}

}  // namespace vtj::config
