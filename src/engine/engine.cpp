// The request pipeline shared by both server modules: certificate -> identity -> cache (single flight) ->
// register -> policy -> render. Every way out of resolve() is an Outcome with a log line that names the
// masked identity and the reason.

#include "vtj/engine.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>

#include "text/ascii.hpp"
#include "vtj/identity.hpp"
#include "vtj/policy.hpp"
#include "vtj/register_query.hpp"

namespace vtj::engine {

namespace {

using Kind = cache::Store::Acquired::Kind;

// Every element path the named fields and the policy read (Person's accessors): a cached record keeps
// these and the location's own VTJHeader paths, nothing else.
constexpr std::string_view kNamedPaths[] = {
    "Henkilotunnus",
    "SahkoinenAsiointitunnus",
    "NykyinenSukunimi/Sukunimi",
    "NykyisetEtunimet/Etunimet",
    "NykyinenKutsumanimi/Kutsumanimi",
    "VakinainenKotimainenLahiosoite/LahiosoiteS",
    "VakinainenKotimainenLahiosoite/Postinumero",
    "VakinainenKotimainenLahiosoite/PostitoimipaikkaS",
    "Kotikunta/Kuntanumero",
    "Kotikunta/KuntaS",
    "Aidinkieli/Kielikoodi",
    "Kansalaisuus/Kansalaisuuskoodi3",
    "Kuolintiedot/Kuollut",
    "Kuolintiedot/Kuolinpvm",
    "Kuolleeksijulistamistiedot/Kuolleeksijulistamispvm",
    "Turvakielto/TurvakieltoTieto",
};

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

bool get_varint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (in.empty()) {
      return false;
    }
    auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) {
      return true;
    }
  }
  return false;
}

Outcome deny(const policy::Decision& d, const std::string& who, const std::string& detail, LogLevel level) {
  Outcome o;
  o.kind = Outcome::Kind::Deny;
  o.http_status = d.http_status;
  o.retry_after = d.retry_after;
  o.log_level = level;
  o.log = who + ": denied (" + std::to_string(d.http_status) + "): " + d.reason + (detail.empty() ? "" : ": " + detail);
  return o;
}

// Headers and environment for an allowed request.
Outcome allow(const Location& location, const policy::Decision& d, const reg::Person* person,
              const std::string& certificate_satu) {
  const config::Settings& s = location.settings();
  render::RenderInput in;
  in.person = person;
  in.certificate_satu = certificate_satu;
  in.status = d.status;
  std::vector<render::FieldValue> values = render::select(in, s);
  Outcome o;
  o.kind = Outcome::Kind::Allow;
  o.http_status = 200;
  o.status = d.status;
  o.headers = render::headers(values, s.encoding);
  o.header_keys.reserve(o.headers.size());
  o.header_key_hashes.reserve(o.headers.size());
  for (const auto& h : o.headers) {
    std::string key = text::ascii_lower(h.first);
    size_t hash = 0;
    for (char c : key) {
      hash = hash * 31 + static_cast<unsigned char>(c);
    }
    o.header_keys.push_back(std::move(key));
    o.header_key_hashes.push_back(hash);
  }
  for (const render::FieldValue& v : values) {
    // Raw UTF-8 for CGI, PHP and SSI; control characters never reach an environment either.
    std::string raw = render::encode(v.value, config::Encoding::Utf8);
    if (!raw.empty()) {
      o.env.emplace_back(render::env_name(v.header), raw);
      o.fields.emplace_back(v.field, std::move(raw));
    }
  }
  return o;
}

std::string xroad_text(const reg::XRoadId& id) {
  return id.instance + "/" + id.member_class + "/" + id.member_code + "/" + id.subsystem + "/" + id.service_code +
         "/" + id.service_version;
}

std::string masked_who(const identity::CitizenCertificate& cert) {
  return "SATU " + cert.satu.masked();
}

}  // namespace

// ---- Location ----

Location::Location(const config::Settings& s) : settings_(s), scrubber_(s) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

Result<std::shared_ptr<const Location>, config::ConfigError> Location::prepare(const config::Settings& settings) {
  std::shared_ptr<Location> loc(new Location(settings));
  const config::Settings& s = loc->settings_;
  auto where = [&](config::Directive d) { return s.set_at[static_cast<size_t>(d)]; };
  auto name = [&](config::Directive d) { return std::string(s.name_of(d)); };
  for (const std::string& file : s.citizen_issuers) {
    auto added = loc->issuers_.add_file(file);
    if (!added) {
      return err(config::ConfigError{where(config::Directive::CitizenIssuer), name(config::Directive::CitizenIssuer),
                                     added.error()});
    }
  }
  if (s.enabled) {
    if (loc->issuers_.empty()) {
      return err(config::ConfigError{where(config::Directive::Vtj), name(config::Directive::Vtj),
                                     "turning the module on needs at least one " +
                                         name(config::Directive::CitizenIssuer) +
                                         ": no citizen certificate could be accepted"});
    }
    if (auto incomplete = config::check_complete(s)) {
      // A missing directive has no line of its own: name the `VTJ On` that needs it.
      if (incomplete->where.line == 0) {
        incomplete->where = where(config::Directive::Vtj);
        incomplete->message += " (needed by " + name(config::Directive::Vtj) + " on here)";
      }
      return err(*incomplete);
    }
  }

  // The projection: named paths and the location's own paths, sorted so equal configurations agree.
  std::vector<std::string> paths(std::begin(kNamedPaths), std::end(kNamedPaths));
  for (const config::HeaderSpec& h : s.headers) {
    if (render::find_field(h.field) == nullptr) {
      paths.push_back(h.field);
    }
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  loc->projection_ = paths;

  std::string scope = "v1|" + s.register_url + "|" + (s.transport == reg::Transport::XRoad ? "xroad" : "soso") + "|" +
                      s.product + "|" + s.username + "|" + xroad_text(s.xroad_client) + "|" +
                      xroad_text(s.xroad_service) + "|" + (s.certificate_check ? "check" : "nocheck");
  for (const std::string& p : paths) {
    scope += "|" + p;
  }
  loc->scope_ = scope;
  loc->register_id_ = s.register_url + "|" + s.client_cert + "|" + s.client_key + "|" + s.register_ca + "|" +
                      std::to_string(s.connect_timeout_ms) + "|" + std::to_string(s.total_timeout_ms);
  return std::shared_ptr<const Location>(std::move(loc));
}

// ---- Record ----

Record Record::from_response(const reg::Response& response, const std::vector<std::string>& projection) {
  Record r;
  r.outcome = response.outcome;
  if (response.person) {
    const reg::Element& tree = response.person->tree();
    for (uint32_t i = 0; i < projection.size(); ++i) {
      for (std::string& v : tree.values(projection[i])) {
        r.values.emplace_back(i, std::move(v));
      }
    }
  }
  return r;
}

std::string Record::serialize() const {
  std::string out;
  out += '\x01';  // format version
  put_varint(out, static_cast<uint64_t>(outcome));
  put_varint(out, values.size());
  for (const auto& [index, value] : values) {
    put_varint(out, index);
    put_varint(out, value.size());
    out += value;
  }
  return out;
}

std::optional<Record> Record::parse(std::string_view in, size_t projection_size) {
  if (in.empty() || in.front() != '\x01') {
    return std::nullopt;
  }
  in.remove_prefix(1);
  Record r;
  uint64_t outcome = 0;
  uint64_t count = 0;
  if (!get_varint(in, outcome) || outcome > static_cast<uint64_t>(reg::Outcome::Unknown) || !get_varint(in, count) ||
      count > in.size()) {
    return std::nullopt;
  }
  r.outcome = static_cast<reg::Outcome>(outcome);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t index = 0;
    uint64_t len = 0;
    if (!get_varint(in, index) || index >= projection_size || !get_varint(in, len) || len > in.size()) {
      return std::nullopt;
    }
    r.values.emplace_back(static_cast<uint32_t>(index), std::string(in.substr(0, len)));
    in.remove_prefix(len);
  }
  if (!in.empty()) {
    return std::nullopt;
  }
  return r;
}

reg::Person Record::person(const std::vector<std::string>& projection) const {
  reg::Element root;
  root.name = "Henkilo";
  for (const auto& [index, value] : values) {
    std::string_view path = projection[index];
    reg::Element* at = &root;
    while (true) {
      size_t slash = path.find('/');
      std::string_view segment = path.substr(0, slash);
      if (slash == std::string_view::npos) {
        reg::Element leaf;
        leaf.name = std::string(segment);
        leaf.text = value;
        at->children.push_back(std::move(leaf));
        break;
      }
      // Intermediate elements are shared: every Kansalaisuuskoodi3 under one Kansalaisuus still matches.
      auto it = std::find_if(at->children.rbegin(), at->children.rend(),
                             [&](const reg::Element& e) { return e.name == segment; });
      if (it == at->children.rend()) {
        reg::Element e;
        e.name = std::string(segment);
        at->children.push_back(std::move(e));
        at = &at->children.back();
      } else {
        at = &*it;
      }
      path.remove_prefix(slash + 1);
    }
  }
  return reg::Person(std::move(root));
}

// ---- Engine ----

Engine::Engine(std::unique_ptr<cache::Store> store, const cache::Secret& secret) : cache_(std::move(store), secret) {}

Result<std::unique_ptr<Engine>, std::string> Engine::create(const config::Settings& s) {
  auto store = cache::make_store(s.cache);
  if (!store) {
    return err(store.error());
  }
  return create(s, std::move(store.value()));
}

Result<std::unique_ptr<Engine>, std::string> Engine::create(const config::Settings& s,
                                                            std::unique_ptr<cache::Store> store) {
  cache::Secret secret;
  if (!s.cache_key_file.empty()) {
    auto loaded = cache::Secret::from_file(s.cache_key_file);
    if (!loaded) {
      return err("VTJCacheKey: " + loaded.error());
    }
    secret = loaded.value();
  } else {
    // One random key per process: an nginx reload (a new engine in the same master, over the same shared
    // memory) still opens the entries the previous configuration stored.
    static const cache::Secret process_secret = cache::Secret::random();
    secret = process_secret;
  }
  return std::unique_ptr<Engine>(new Engine(std::move(store), secret));
}

std::optional<std::string> Engine::prepare(const Location& location) {
  if (!location.settings().enabled) {
    return std::nullopt;
  }
  auto client = client_for(location);
  if (!client) {
    return "cannot set up the register connection: " + client.error().detail;
  }
  return std::nullopt;
}

void Engine::child_init() {
  // The clients made in the parent hold no connection and no libcurl handle yet (handles are made on a
  // worker's first query), so nothing made before the fork is shared by two processes. A client made in a
  // worker later (a nested section's combination of settings) uses the TLS files the parent read.
  reg::HttpTransport::set_refresh_files(false);
  cache_.store().child_init();
}

Result<std::shared_ptr<reg::RegisterClient>, reg::QueryError> Engine::client_for(const Location& location) {
  std::lock_guard<std::mutex> lock(clients_mu_);
  auto it = clients_.find(location.register_id());
  if (it != clients_.end()) {
    return it->second;
  }
  auto created = reg::RegisterClient::create(location.settings());
  if (!created) {
    return err(created.error());
  }
  std::shared_ptr<reg::RegisterClient> client(std::move(created.value()));
  clients_.emplace(location.register_id(), client);
  return client;
}

Outcome Engine::from_record(const Location& location, const Record& record, const std::string& certificate_satu,
                            const std::string& who, bool fresh, const char* source) {
  const config::Settings& s = location.settings();
  policy::Situation situation = policy::situation_for(record.outcome);
  reg::Person person = record.person(location.projection());
  bool prohibition = record.outcome == reg::Outcome::Found && person.security_prohibition();
  policy::Decision d = fresh ? policy::decide(situation, s, false, prohibition)
                             : policy::decide(policy::Situation::RegisterError, s, true, prohibition);
  if (d.action == policy::Decision::Action::Deny) {
    counters_.denied++;
    std::string answer = std::string(source) + " answer: " + reg::to_string(record.outcome);
    return deny(d, who, answer, LogLevel::Notice);
  }
  counters_.allowed++;
  Outcome o = allow(location, d, d.action == policy::Decision::Action::Allow ? &person : nullptr, certificate_satu);
  o.log_level = LogLevel::Info;
  o.log = who + ": " + d.reason + " (" + source + (prohibition ? ", security prohibition" : "") + ")";
  return o;
}

Outcome Engine::register_failure(const Location& location, const std::optional<std::string>& stale,
                                 const std::string& certificate_satu,
                                 const std::string& who, const std::string& what) {
  counters_.register_errors++;
  const config::Settings& s = location.settings();
  std::optional<Record> record;
  if (stale) {
    record = Record::parse(*stale, location.projection().size());
  }
  // Only an answer about the person (not a cached not-found) can be served stale.
  bool usable = record && record->outcome == reg::Outcome::Found;
  if (usable && s.on_error == config::ErrorPolicy::Stale) {
    counters_.stale_served++;
    Outcome o = from_record(location, *record, certificate_satu, who, false, "stale cache entry");
    o.log_level = LogLevel::Warn;
    o.log += ": " + what;
    return o;
  }
  policy::Decision d = policy::decide(policy::Situation::RegisterError, s, false, false);
  if (d.action == policy::Decision::Action::Deny) {
    counters_.denied++;
    return deny(d, who, what, LogLevel::Error);
  }
  counters_.allowed++;
  Outcome o = allow(location, d, nullptr, certificate_satu);
  o.log_level = LogLevel::Warn;
  o.log = who + ": " + d.reason + ": " + what;
  return o;
}

namespace {

// A thread's recent cache hits: the certificate's bytes (compared whole, never by a hash alone), the
// location, and the answer. A handful of entries: a thread serves one request at a time, and the point
// is a citizen's next requests, which follow within moments.
struct MemoEntry {
  uint64_t location = 0;
  std::string certificate;
  std::chrono::steady_clock::time_point until;
  std::shared_ptr<const Outcome> outcome;
};
constexpr size_t kMemoEntries = 8;

struct Memo {
  std::array<MemoEntry, kMemoEntries> entries;
  size_t next = 0;  // the slot the next answer replaces (round robin: the oldest)

  std::shared_ptr<const Outcome> find(uint64_t location, std::string_view certificate,
                                      std::chrono::steady_clock::time_point now) {
    for (MemoEntry& e : entries) {
      if (e.outcome && e.location == location && now < e.until && e.certificate == certificate) {
        return e.outcome;
      }
    }
    return nullptr;
  }
  void put(uint64_t location, std::string_view certificate, std::chrono::steady_clock::time_point until,
           std::shared_ptr<const Outcome> outcome) {
    MemoEntry& e = entries[next];
    next = (next + 1) % kMemoEntries;
    e.location = location;
    e.certificate.assign(certificate);
    e.until = until;
    e.outcome = std::move(outcome);
  }
};

// The memo is reached through a plain pointer in the initial-exec TLS model: the server modules are
// shared objects, where a thread_local object would cost a __tls_get_addr call and an initialisation check
// on every request. Only the owner (made once per thread) has a destructor, which frees the memo when the
// thread ends.
[[gnu::tls_model("initial-exec")]] thread_local Memo* t_memo = nullptr;
struct MemoOwner {
  Memo* memo = nullptr;
  ~MemoOwner() {
    delete memo;
    t_memo = nullptr;
  }
};

Memo& thread_memo() {
  if (t_memo == nullptr) {
    thread_local MemoOwner owner;
    owner.memo = new Memo;
    t_memo = owner.memo;
  }
  return *t_memo;
}

}  // namespace

Outcome Engine::resolve(const Location& location, std::string_view certificate, Mode mode) {
  return *resolve_shared(location, certificate, mode);
}

std::shared_ptr<const Outcome> Engine::resolve_shared(const Location& location, std::string_view certificate,
                                                      Mode mode) {
  const auto now = std::chrono::steady_clock::now();
  if (location.settings().enabled && !certificate.empty()) {
    if (auto hit = thread_memo().find(location.id(), certificate, now)) {
      counters_.requests++;
      counters_.allowed += hit->kind == Outcome::Kind::Allow ? 1 : 0;
      counters_.denied += hit->kind == Outcome::Kind::Deny ? 1 : 0;
      counters_.cache_hits++;
      return hit;
    }
  }
  bool memoizable = false;
  int64_t valid_until = 0;
  auto outcome =
      std::make_shared<const Outcome>(resolve_uncached(location, certificate, mode, memoizable, valid_until));
  if (memoizable) {
    // Never beyond the cache's TTL (a change in the register shows after it, as without the memo) nor the
    // certificate's notAfter.
    int64_t ms = std::min<int64_t>(kMemoMilliseconds, int64_t{location.settings().cache_ttl} * 1000);
    ms = std::min<int64_t>(ms, (valid_until - static_cast<int64_t>(std::time(nullptr))) * 1000);
    if (ms > 0) {
      thread_memo().put(location.id(), certificate, now + std::chrono::milliseconds(ms), outcome);
    }
  }
  return outcome;
}

Outcome Engine::resolve_uncached(const Location& location, std::string_view certificate, Mode mode,
                                 bool& memoizable, int64_t& valid_until) {
  const config::Settings& s = location.settings();
  if (!s.enabled) {
    return Outcome{};
  }
  counters_.requests++;
  if (certificate.empty()) {
    counters_.denied++;
    return deny(policy::decide(policy::Situation::NoCertificate, s, false, false), "no identity", "",
                LogLevel::Notice);
  }
  auto cert = identity::read_citizen_certificate(certificate, location.issuers(), std::time(nullptr));
  if (!cert) {
    counters_.denied++;
    counters_.certificate_rejected++;
    const identity::CertRejection& r = cert.error();
    std::string detail = std::string(identity::to_string(r.reason)) + (r.detail.empty() ? "" : " (" + r.detail + ")");
    return deny(policy::decide(policy::Situation::CertificateRejected, s, false, false), "certificate", detail,
                LogLevel::Notice);
  }
  const std::string who = masked_who(*cert);
  const std::string satu = cert->satu.str();
  valid_until = cert->not_after;

  std::string identity = "satu:" + satu;
  if (s.certificate_check) {
    // The register's answer then also depends on the certificate (validity, revocation).
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(cert->der.data()), cert->der.size(), digest);
    identity += "|cert:" + hex(digest, sizeof digest);
  }
  cache::Key key = cache_.key_for(location.scope(), identity);

  // A fresh record from the cache answers at once (and may be memoized).
  auto hit = [&](const std::optional<std::string>& bytes) -> std::optional<Outcome> {
    std::optional<Record> record;
    if (bytes) {
      record = Record::parse(*bytes, location.projection().size());
    }
    if (!record) {
      return std::nullopt;
    }
    counters_.cache_hits++;
    memoizable = true;
    return from_record(location, *record, satu, who, true, "cache");
  };

  if (mode == Mode::CacheOnly) {
    // The event loop's fast path: a fresh entry or nothing, never a flight of its own (a flight begun
    // and abandoned here would fail the requests already waiting for this citizen).
    if (auto answered = hit(cache_.peek(key))) {
      return *answered;
    }
    Outcome pending;
    pending.kind = Outcome::Kind::Pending;
    return pending;
  }

  auto budget = std::chrono::milliseconds(s.total_timeout_ms);
  cache::Cache::Acquired got =
      cache_.acquire(key, std::chrono::steady_clock::now() + budget, budget + std::chrono::seconds(1));
  if (got.kind == Kind::Fresh) {
    if (auto answered = hit(got.record)) {
      return *answered;
    }
  }
  if (got.kind == Kind::Failed) {
    return register_failure(location, got.record, satu, who,
                            "the register query this request waited for failed");
  }
  if (got.kind == Kind::TimedOut) {
    return register_failure(location, got.record, satu, who,
                            "no answer within VTJTimeout (waited for another request's query)");
  }

  // The leader (or the cache is off): ask the register.
  auto client = client_for(location);
  if (!client) {
    cache_.abandon(key, got.flight);
    return register_failure(location, got.record, satu, who,
                            "cannot set up the register connection: " + client.error().to_string());
  }
  counters_.register_queries++;
  auto answer = client.value()->query(reg::query_for_certificate(s, *cert));
  if (!answer) {
    cache_.abandon(key, got.flight);
    return register_failure(location, got.record, satu, who, "register query failed: " + answer.error().to_string());
  }
  const reg::Response& response = answer->response;
  if (policy::situation_for(response.outcome) == policy::Situation::RegisterError) {
    cache_.abandon(key, got.flight);
    std::string what = response.envelope == reg::Envelope::SoapFault
                           ? "SOAP fault " + identity::sanitize_for_log(response.fault_code, 60)
                           : "register answered " + identity::sanitize_for_log(response.code, 20) + " (" +
                                 reg::to_string(response.outcome) + ")";
    return register_failure(location, got.record, satu, who, what);
  }
  Record record = Record::from_response(response, location.projection());
  bool found = response.outcome == reg::Outcome::Found;
  int ttl = found ? s.cache_ttl : s.not_found_ttl;
  if (ttl > 0) {
    cache_.complete(key, got.flight, record.serialize(), ttl, found ? kStaleKeepSeconds : 0);
  } else {
    cache_.abandon(key, got.flight);
  }
  const char* source = answer->requeried ? "register, passivated identifier followed" : "register";
  return from_record(location, record, satu, who, true, source);
}

}  // namespace vtj::engine
