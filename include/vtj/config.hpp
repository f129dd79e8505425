#pragma once
// The directive table of CONTRACT.md, defined once: the Apache module, the nginx module and the CLI all
// hand (name, args) to apply(). Settings holds every directive's value with CONTRACT.md's defaults.

#include <array>
#include <bitset>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vtj/register_types.hpp"
#include "vtj/result.hpp"

namespace vtj::config {

// One entry per directive, in the order of the table in CONTRACT.md.
enum class Directive {
  Vtj,
  RegisterUrl,
  Transport,
  ClientCertificate,
  RegisterCa,
  Credentials,
  Product,
  EndUser,
  XRoadClient,
  XRoadService,
  Timeout,
  CitizenIssuer,
  CertificateCheck,
  Cache,
  CacheKey,
  CacheTtl,
  HeaderPrefix,
  Header,
  HeaderEncoding,
  SpoofPolicy,
  SecurityProhibition,
  OnRegisterError,
};
inline constexpr size_t kDirectiveCount = static_cast<size_t>(Directive::OnRegisterError) + 1;

struct DirectiveInfo {
  Directive id;
  std::string_view name;        // Apache: VTJRegisterURL
  std::string_view snake_name;  // nginx: vtj_register_url
  int min_args;
  int max_args;
  bool repeatable;
  std::string_view syntax;  // the arguments, as the documentation writes them
  std::string_view default_value;
  std::string_view contexts;  // e.g. "server, virtual host, directory"
  std::string_view help;
};

std::span<const DirectiveInfo> directives();
// Apache names case-insensitively (as Apache does), or the snake names; null when unknown.
const DirectiveInfo* find_directive(std::string_view name);
const DirectiveInfo& info(Directive id);

enum class Encoding { Percent, Utf8, Base64, Latin1 };
enum class SpoofPolicy { Strip, Reject };
enum class ProhibitionPolicy { Withhold, Pass, Deny };
enum class ErrorPolicy { Deny, Pass, Stale };

struct CacheSpec {
  enum class Kind { Shm, Redis, None } kind = Kind::Shm;
  size_t shm_bytes = size_t{64} * 1024 * 1024;
  std::string redis_host;
  int redis_port = 6379;
  int redis_db = 0;
};

struct HeaderSpec {
  std::string field;  // a field name of CONTRACT.md, or a path of element names under Henkilo
  std::string header;
};

struct Source {
  std::string file;
  int line = 0;
  // Relative paths in arguments are resolved against this directory (load_file: the config file's own
  // directory; Apache: ServerRoot). Empty: used as given.
  std::string base_dir;
};

struct Settings {
  bool enabled = false;
  std::string register_url;
  reg::Transport transport = reg::Transport::Soso;
  std::string client_cert;
  std::string client_key;  // empty: the key is in the certificate file
  std::string register_ca;
  std::string username;
  std::string password;  // read from password_file when VTJCredentials is applied
  std::string password_file;
  std::string product;
  std::string end_user;
  reg::XRoadId xroad_client;
  reg::XRoadId xroad_service{"FI", "GOV", "0245437-2", "VTJkysely", "HenkilonTunnusKysely", "v1"};
  int connect_timeout_ms = 2000;
  int total_timeout_ms = 10000;
  std::vector<std::string> citizen_issuers;
  bool certificate_check = true;
  CacheSpec cache;
  std::string cache_key_file;  // empty: a random key per start
  int cache_ttl = 600;
  int not_found_ttl = 60;
  std::string header_prefix = "VTJ-";
  std::vector<HeaderSpec> headers;  // empty: the default set
  Encoding encoding = Encoding::Percent;
  SpoofPolicy spoof_policy = SpoofPolicy::Strip;
  ProhibitionPolicy prohibition = ProhibitionPolicy::Withhold;
  ErrorPolicy on_error = ErrorPolicy::Deny;

  // Which directives were set explicitly here, and where (for merging and for error messages).
  std::bitset<kDirectiveCount> explicitly_set;
  std::array<Source, kDirectiveCount> set_at;

  // Directives were written in nginx's snake case: messages name them that way too.
  bool snake_names = false;

  bool is_set(Directive d) const { return explicitly_set.test(static_cast<size_t>(d)); }
  // A directive's name as this configuration writes it: VTJRegisterURL, or vtj_register_url.
  std::string_view name_of(Directive d) const;
  // Every directive with its effective value, one per line; the password is never printed.
  std::string describe_redacted() const;
};

// A child location over its parent: what the child set explicitly wins, the rest is inherited.
Settings merge(const Settings& parent, const Settings& child);

struct ConfigError {
  Source where;
  std::string directive;
  std::string message;
  // "FILE:LINE: DIRECTIVE: message" (parts that are unknown are left out).
  std::string to_string() const;
};

// Validates and applies one directive. Never echoes a secret.
std::optional<ConfigError> apply(Settings& settings, std::string_view directive,
                                 const std::vector<std::string>& args, const Source& where);

// The CLI's --config file: Apache-style lines, `#` comments, double- or single-quoted arguments with
// backslash escapes, a trailing backslash continues the line. Relative paths resolve against the file's
// directory.
Result<Settings, ConfigError> load_file(const std::string& path);

// What querying the register needs beyond single directives (URL, product, credentials, end user, and
// the transport's own requirements).
std::optional<ConfigError> check_complete(const Settings& settings);

std::string_view to_string(Encoding e);
std::string_view to_string(SpoofPolicy p);
std::string_view to_string(ProhibitionPolicy p);
std::string_view to_string(ErrorPolicy p);

}  // namespace vtj::config
