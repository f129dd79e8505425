#pragma once
// One request's resolution, start to end, as both server modules need it: the certificate -> the citizen's
// identity -> the shared cache (single flight) -> on a miss the register -> policy -> the headers and
// environment to set, or the status to answer, and the log line. The plugin C ABI (plugin/) wraps this;
// the adapters only carry certificates in and headers out.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vtj/cache.hpp"
#include "vtj/config.hpp"
#include "vtj/identity_cert.hpp"
#include "vtj/register_client.hpp"
#include "vtj/render.hpp"
#include "vtj/result.hpp"

namespace vtj::engine {

// One location's settings, prepared once at configuration time: the accepted issuers loaded, the
// scrubber's names normalised, the cache scope and the record's projection worked out. Immutable; shared
// by every request of the location.
class Location {
 public:
  // Loads the VTJCitizenIssuer files; when VTJ is On, also checks that the register settings are complete
  // and that at least one issuer is configured. The error names the directive and what is wrong.
  static Result<std::shared_ptr<const Location>, config::ConfigError> prepare(const config::Settings& settings);

  const config::Settings& settings() const { return settings_; }
  const identity::IssuerSet& issuers() const { return issuers_; }
  const render::HeaderScrubber& scrubber() const { return scrubber_; }
  // What a cached record depends on: register, product, account, certificate check, projected paths.
  const std::string& scope() const { return scope_; }
  // The register connection's settings (URL, client certificate, CA, timeouts): one client per distinct one.
  const std::string& register_id() const { return register_id_; }
  // Element paths under Henkilo a cached record keeps (sorted, unique): what rendering and policy read.
  const std::vector<std::string>& projection() const { return projection_; }
  // Unique for the process's lifetime: a prepared location at a reused address is another location.
  uint64_t id() const { return id_; }

 private:
  explicit Location(const config::Settings& s);
  uint64_t id_ = 0;
  config::Settings settings_;
  identity::IssuerSet issuers_;
  render::HeaderScrubber scrubber_;
  std::string scope_;
  std::string register_id_;
  std::vector<std::string> projection_;
};

// The compact record a cache entry holds: the register's outcome and the projected values of the person.
struct Record {
  reg::Outcome outcome = reg::Outcome::Found;
  std::vector<std::pair<uint32_t, std::string>> values;  // (index into the projection, value)

  static Record from_response(const reg::Response& response, const std::vector<std::string>& projection);
  std::string serialize() const;
  static std::optional<Record> parse(std::string_view bytes, size_t projection_size);
  // The person as far as the projection reaches (only present for Found).
  reg::Person person(const std::vector<std::string>& projection) const;
};

enum class LogLevel { None, Error, Warn, Notice, Info, Debug };

struct Outcome {
  enum class Kind {
    Skip,     // VTJ Off here: nothing resolved
    Allow,    // continue with `headers` and `env` (status ok, stale or unavailable)
    Deny,     // answer `http_status`
    Pending,  // Mode::CacheOnly: the answer needs a register query; call again with Mode::Full off the loop
  } kind = Kind::Skip;
  int http_status = 0;
  bool retry_after = false;
  std::string status;                                       // ok | stale | unavailable (Allow)
  std::vector<std::pair<std::string, std::string>> headers;  // name, encoded value
  std::vector<std::string> header_keys;                      // headers[i]'s name in lower case, and
  std::vector<size_t> header_key_hashes;                     // its hash h = h * 31 + c (nginx's own)
  std::vector<std::pair<std::string, std::string>> env;      // VTJ_SURNAME, raw UTF-8
  std::vector<std::pair<std::string, std::string>> fields;   // given-names (or a path), raw UTF-8
  LogLevel log_level = LogLevel::None;
  std::string log;  // identity masked, no secrets
};

enum class Mode { Full, CacheOnly };

struct Counters {
  std::atomic<uint64_t> requests{0}, allowed{0}, denied{0}, cache_hits{0}, register_queries{0},
      register_errors{0}, stale_served{0}, certificate_rejected{0};
};

class Engine {
 public:
  // In the server's parent process, before the workers fork: creates the cache store (VTJCache) and the
  // cache secret (VTJCacheKey, or a random one).
  static Result<std::unique_ptr<Engine>, std::string> create(const config::Settings& server_settings);
  // Over a store the server provides (nginx: a shared zone).
  static Result<std::unique_ptr<Engine>, std::string> create(const config::Settings& server_settings,
                                                             std::unique_ptr<cache::Store> store);

  // In the parent, for every enabled location, before the fork: makes the location's register client,
  // which reads the client certificate, key and register CA now (the workers may run as a user that
  // cannot read the key). No connection is opened.
  std::optional<std::string> prepare(const Location& location);

  // In each worker after the fork.
  void child_init();

  // `certificate`: the leaf certificate the server verified (PEM or DER); empty when none was verified.
  Outcome resolve(const Location& location, std::string_view certificate, Mode mode = Mode::Full);
  // The same, shared: a certificate this thread resolved from the cache moments ago (a citizen's next
  // request on a kept-alive connection, a page's assets) is answered from a small per-thread memo
  // without parsing, hashing, decrypting or rendering again; the memo keeps an answer for at most
  // kMemoMilliseconds and never beyond the cache's TTL or the certificate's validity.
  std::shared_ptr<const Outcome> resolve_shared(const Location& location, std::string_view certificate,
                                                Mode mode = Mode::Full);

  const Counters& counters() const { return counters_; }
  cache::Cache& cache() { return cache_; }

 private:
  explicit Engine(std::unique_ptr<cache::Store> store, const cache::Secret& secret);
  Result<std::shared_ptr<reg::RegisterClient>, reg::QueryError> client_for(const Location& location);
  Outcome from_record(const Location& location, const Record& record, const std::string& certificate_satu,
                      const std::string& who, bool fresh, const char* source);
  // resolve() without the memo; `memoizable` says whether the answer may be reused (a fresh cache hit),
  // `valid_until` the certificate's notAfter.
  Outcome resolve_uncached(const Location& location, std::string_view certificate, Mode mode, bool& memoizable,
                           int64_t& valid_until);
  Outcome register_failure(const Location& location, const std::optional<std::string>& stale,
                           const std::string& certificate_satu, const std::string& who, const std::string& what);

  cache::Cache cache_;
  std::mutex clients_mu_;
  std::map<std::string, std::shared_ptr<reg::RegisterClient>> clients_;
  Counters counters_;
};

// How long an expired entry is kept for VTJOnRegisterError stale beyond its TTL.
inline constexpr int kStaleKeepSeconds = 24 * 3600;
// How long a thread reuses an answer it took from the cache for the same certificate and location.
inline constexpr int kMemoMilliseconds = 1000;

}  // namespace vtj::engine
