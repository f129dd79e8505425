// The plugin C ABI over the core (vtj_plugin.h). Every entry point catches everything: an exception
// never unwinds into a web server written in C, and a failure denies (fails closed).

#include "vtj_plugin.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "vtj/config.hpp"
#include "vtj/engine.hpp"

using vtj::config::ConfigError;
using vtj::config::Settings;
using vtj::engine::Location;

struct vtj_config {
  Settings settings;
  // Prepared on first use (or at start-up through vtj_config_prepare); immutable afterwards.
  mutable std::once_flag prepared_once;
  mutable std::shared_ptr<const Location> location;
  mutable std::string prepare_error;
};

struct vtj_scrub_set {
  vtj::render::HeaderScrubber scrubber;
  std::vector<const vtj_config*> added;  // compared by address only
};

struct vtj_engine {
  std::unique_ptr<vtj::engine::Engine> engine;
};

// A result shares the engine's answer (a memoized answer serves many requests without a copy); the few
// results the plugin makes itself (skip, internal errors) own theirs.
struct vtj_result {
  int outcome = VTJ_OUTCOME_DENY;
  int http_status = 500;
  int retry_after = 0;
  int log_level = VTJ_LOG_ERROR;
  std::shared_ptr<const vtj::engine::Outcome> answer;
  std::string own_log;

  const std::string& log() const { return answer ? answer->log : own_log; }
};

namespace {
const std::vector<std::pair<std::string, std::string>> kNone;
}

namespace {

// Seconds a client is asked to wait after a 503: long enough for a register hiccup to pass, short enough
// that a citizen who retries by hand is not kept out for long.
constexpr int kRetryAfterSeconds = 30;

void put_error(char* err, size_t errlen, const std::string& message) {
  if (err != nullptr && errlen > 0) {
    size_t n = std::min(errlen - 1, message.size());
    std::memcpy(err, message.data(), n);
    err[n] = '\0';
  }
}

char* dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p != nullptr) {
    std::memcpy(p, s.c_str(), s.size() + 1);
  }
  return p;
}

// Merges are remembered by their inputs: Apache merges a location's configuration on every request, and
// the prepared Location (issuers loaded, names normalised) must be built once, not per request.
struct MergeMemo {
  std::mutex mu;
  std::map<std::pair<const vtj_config*, const vtj_config*>, std::unique_ptr<vtj_config>> merged;
};

MergeMemo& memo() {
  static MergeMemo* m = new MergeMemo;  // never destroyed: servers free configurations at exit too
  return *m;
}

// Drops every remembered merge made from `gone`, and the merges made from those, and so on.
void forget_merges_of(const vtj_config* gone) {
  MergeMemo& m = memo();
  std::vector<const vtj_config*> work{gone};
  std::vector<std::unique_ptr<vtj_config>> doomed;
  std::lock_guard<std::mutex> lock(m.mu);
  while (!work.empty()) {
    const vtj_config* g = work.back();
    work.pop_back();
    for (auto it = m.merged.begin(); it != m.merged.end();) {
      if (it->first.first == g || it->first.second == g) {
        work.push_back(it->second.get());
        doomed.push_back(std::move(it->second));
        it = m.merged.erase(it);
      } else {
        ++it;
      }
    }
  }
}

const Location* location_of(const vtj_config* c) {
  std::call_once(c->prepared_once, [c] {
    auto prepared = Location::prepare(c->settings);
    if (prepared) {
      c->location = prepared.value();
    } else {
      c->prepare_error = prepared.error().to_string();
    }
  });
  return c->location.get();
}

int context_bits(std::string_view contexts) {
  int bits = VTJ_CONTEXT_SERVER;
  if (contexts.find("directory") != std::string_view::npos) {
    bits |= VTJ_CONTEXT_DIRECTORY;
  }
  return bits;
}

std::vector<vtj_directive_info>& directive_table() {
  static std::vector<vtj_directive_info>* table = [] {
    auto* t = new std::vector<vtj_directive_info>;
    static std::vector<std::string> strings;  // NUL-terminated copies of the core's string_views
    strings.reserve(vtj::config::kDirectiveCount * 4);
    auto keep = [](std::string_view s) { return strings.emplace_back(s).c_str(); };
    for (const vtj::config::DirectiveInfo& d : vtj::config::directives()) {
      t->push_back(vtj_directive_info{keep(d.name), keep(d.snake_name), d.min_args, d.max_args,
                                      context_bits(d.contexts), keep(d.syntax), keep(d.help)});
    }
    return t;
  }();
  return *table;
}

vtj_result* internal_error(const char* what) {
  auto* r = new (std::nothrow) vtj_result;
  if (r != nullptr) {
    r->own_log = std::string("internal error: ") + what;
  }
  return r;
}

int log_level(vtj::engine::LogLevel l) {
  using L = vtj::engine::LogLevel;
  switch (l) {
    case L::None:
      return VTJ_LOG_NONE;
    case L::Error:
      return VTJ_LOG_ERROR;
    case L::Warn:
      return VTJ_LOG_WARN;
    case L::Notice:
      return VTJ_LOG_NOTICE;
    case L::Info:
      return VTJ_LOG_INFO;
    case L::Debug:
      return VTJ_LOG_DEBUG;
  }
  return VTJ_LOG_ERROR;
}

}  // namespace

extern "C" {

size_t vtj_directive_count(void) {
  return directive_table().size();
}

const vtj_directive_info* vtj_directive_at(size_t index) {
  auto& t = directive_table();
  return index < t.size() ? &t[index] : nullptr;
}

vtj_config* vtj_config_new(void) {
  return new (std::nothrow) vtj_config;
}

void vtj_config_free(vtj_config* config) {
  if (config == nullptr) {
    return;
  }
  try {
    forget_merges_of(config);
  } catch (...) {
  }
  delete config;
}

int vtj_config_apply(vtj_config* config, const char* directive, int argc, const char* const* argv, const char* file,
                     int line, const char* base_dir, char* err, size_t errlen) {
  try {
    std::vector<std::string> args;
    for (int i = 0; i < argc; ++i) {
      args.emplace_back(argv[i] != nullptr ? argv[i] : "");
    }
    vtj::config::Source where{file != nullptr ? file : "", line, base_dir != nullptr ? base_dir : ""};
    if (auto e = vtj::config::apply(config->settings, directive != nullptr ? directive : "", args, where)) {
      put_error(err, errlen, e->to_string());
      return -1;
    }
    return 0;
  } catch (const std::exception& e) {
    put_error(err, errlen, std::string(directive != nullptr ? directive : "") + ": " + e.what());
    return -1;
  }
}

const vtj_config* vtj_config_merge(const vtj_config* parent, const vtj_config* child) {
  if (parent == nullptr) {
    return child;
  }
  if (child == nullptr) {
    return parent;
  }
  try {
    MergeMemo& m = memo();
    std::lock_guard<std::mutex> lock(m.mu);
    auto& slot = m.merged[{parent, child}];
    if (!slot) {
      slot = std::make_unique<vtj_config>();
      slot->settings = vtj::config::merge(parent->settings, child->settings);
    }
    return slot.get();
  } catch (...) {
    return child;  // the child's own settings: what it set explicitly still holds
  }
}

int vtj_config_prepare(const vtj_config* config, char* err, size_t errlen) {
  if (config == nullptr) {
    put_error(err, errlen, "no configuration");
    return -1;
  }
  try {
    if (location_of(config) == nullptr) {
      put_error(err, errlen, config->prepare_error);
      return -1;
    }
    return 0;
  } catch (const std::exception& e) {
    put_error(err, errlen, e.what());
    return -1;
  }
}

int vtj_config_enabled(const vtj_config* config) {
  return config != nullptr && config->settings.enabled ? 1 : 0;
}

int vtj_config_used(const vtj_config* config) {
  return config != nullptr && config->settings.explicitly_set.any() ? 1 : 0;
}

int vtj_config_total_timeout_ms(const vtj_config* config) {
  return config != nullptr ? config->settings.total_timeout_ms : vtj::config::Settings{}.total_timeout_ms;
}

int vtj_config_spoof_reject(const vtj_config* config) {
  return config != nullptr && config->settings.spoof_policy == vtj::config::SpoofPolicy::Reject ? 1 : 0;
}

int vtj_config_header_collides(const vtj_config* config, const char* name, size_t name_len) {
  if (config == nullptr || name == nullptr) {
    return 0;
  }
  try {
    const Location* loc = location_of(config);
    if (loc == nullptr) {
      // An unusable configuration still scrubs with its names (built without the prepared state).
      return vtj::render::collides(std::string_view(name, name_len), config->settings) ? 1 : 0;
    }
    return loc->scrubber().collides(std::string_view(name, name_len)) ? 1 : 0;
  } catch (...) {
    return 1;  // fail closed: an unknown header is dropped rather than passed as the module's
  }
}

int vtj_config_same_cache(const vtj_config* a, const vtj_config* b) {
  if (a == nullptr || b == nullptr) {
    return a == b ? 1 : 0;
  }
  const auto& x = a->settings;
  const auto& y = b->settings;
  return x.cache.kind == y.cache.kind && x.cache.shm_bytes == y.cache.shm_bytes &&
                 x.cache.redis_host == y.cache.redis_host && x.cache.redis_port == y.cache.redis_port &&
                 x.cache.redis_db == y.cache.redis_db && x.cache_key_file == y.cache_key_file
             ? 1
             : 0;
}

size_t vtj_config_cache_bytes(const vtj_config* config) {
  if (config == nullptr || config->settings.cache.kind != vtj::config::CacheSpec::Kind::Shm) {
    return 0;
  }
  return config->settings.cache.shm_bytes;
}

size_t vtj_field_count(void) {
  return vtj::render::fields().size();
}

const char* vtj_field_at(size_t index) {
  // The table's names are string literals: NUL-terminated for as long as the process lives.
  auto f = vtj::render::fields();
  return index < f.size() ? f[index].name.data() : nullptr;
}

vtj_scrub_set* vtj_scrub_set_new(void) {
  return new (std::nothrow) vtj_scrub_set;
}

void vtj_scrub_set_free(vtj_scrub_set* set) {
  delete set;
}

int vtj_scrub_set_add(vtj_scrub_set* set, const vtj_config* config) {
  if (set == nullptr || config == nullptr) {
    return -1;
  }
  try {
    set->scrubber.add(config->settings);
    set->added.push_back(config);
    return 0;
  } catch (...) {
    return -1;
  }
}

int vtj_scrub_set_collides(const vtj_scrub_set* set, const vtj_config* here, const char* name, size_t name_len) {
  if (name == nullptr) {
    return 0;
  }
  try {
    std::string_view n(name, name_len);
    if (set != nullptr && set->scrubber.collides(n)) {
      return 1;
    }
    bool covered = set != nullptr && std::find(set->added.begin(), set->added.end(), here) != set->added.end();
    return here != nullptr && !covered ? vtj_config_header_collides(here, name, name_len) : 0;
  } catch (...) {
    return 1;  // fail closed
  }
}

char* vtj_config_describe(const vtj_config* config) {
  try {
    return dup(config->settings.describe_redacted());
  } catch (...) {
    return nullptr;
  }
}

static vtj_engine* engine_new(const vtj_config* server, std::unique_ptr<vtj::cache::Store> store, char* err,
                              size_t errlen) {
  try {
    Settings defaults;
    const Settings& s = server != nullptr ? server->settings : defaults;
    auto created = store ? vtj::engine::Engine::create(s, std::move(store)) : vtj::engine::Engine::create(s);
    if (!created) {
      put_error(err, errlen, created.error());
      return nullptr;
    }
    auto* e = new vtj_engine;
    e->engine = std::move(created.value());
    return e;
  } catch (const std::exception& ex) {
    put_error(err, errlen, std::string("cannot create the engine: ") + ex.what());
    return nullptr;
  }
}

vtj_engine* vtj_engine_new(const vtj_config* server, char* err, size_t errlen) {
  return engine_new(server, nullptr, err, errlen);
}

vtj_engine* vtj_engine_new_detached(const vtj_config* server, char* err, size_t errlen) {
  return engine_new(server, vtj::cache::make_none_store(), err, errlen);
}

int vtj_engine_attach(vtj_engine* engine, void* memory, size_t bytes, char* err, size_t errlen) {
  try {
    auto store = vtj::cache::attach_shm_store(memory, bytes);
    if (!store) {
      put_error(err, errlen, store.error());
      return -1;
    }
    engine->engine->cache().replace_store(std::move(store.value()));
    return 0;
  } catch (const std::exception& ex) {
    put_error(err, errlen, ex.what());
    return -1;
  }
}

void vtj_engine_free(vtj_engine* engine) {
  delete engine;
}

int vtj_engine_prepare(vtj_engine* engine, const vtj_config* config, char* err, size_t errlen) {
  try {
    const Location* loc = location_of(config);
    if (loc == nullptr) {
      put_error(err, errlen, config->prepare_error);
      return -1;
    }
    if (auto problem = engine->engine->prepare(*loc)) {
      // The transport names the file at fault: the register CA, or the client certificate or key.
      auto d = problem->find("register CA") != std::string::npos ? vtj::config::Directive::RegisterCa
                                                                   : vtj::config::Directive::ClientCertificate;
      const auto& where = config->settings.set_at[static_cast<size_t>(d)];
      put_error(err, errlen, ConfigError{where, std::string(config->settings.name_of(d)), *problem}.to_string());
      return -1;
    }
    return 0;
  } catch (const std::exception& e) {
    put_error(err, errlen, e.what());
    return -1;
  }
}

void vtj_engine_child_init(vtj_engine* engine) {
  try {
    if (engine != nullptr) {
      engine->engine->child_init();
    }
  } catch (...) {
  }
}

char* vtj_engine_stats(vtj_engine* engine) {
  try {
    const vtj::engine::Counters& c = engine->engine->counters();
    vtj::cache::StoreStats s = engine->engine->cache().store().stats();
    std::string out;
    auto line = [&out](const char* name, uint64_t v) { out += std::string(name) + " " + std::to_string(v) + "\n"; };
    line("requests", c.requests);
    line("allowed", c.allowed);
    line("denied", c.denied);
    line("certificate_rejected", c.certificate_rejected);
    line("cache_hits", c.cache_hits);
    line("register_queries", c.register_queries);
    line("register_errors", c.register_errors);
    line("stale_served", c.stale_served);
    line("cache_entries", s.entries);
    line("cache_capacity", s.capacity);
    line("cache_bytes", s.bytes);
    line("cache_evictions", s.evictions);
    line("cache_waits", s.waits);
    line("cache_lock_recoveries", s.lock_recoveries);
    return dup(out);
  } catch (...) {
    return nullptr;
  }
}

vtj_result* vtj_resolve(vtj_engine* engine, const vtj_config* config, const char* certificate, size_t length,
                        int mode) {
  try {
    auto* r = new vtj_result;
    if (config == nullptr || !config->settings.enabled) {
      r->outcome = VTJ_OUTCOME_SKIP;
      r->http_status = 0;
      r->log_level = VTJ_LOG_NONE;
      return r;
    }
    const Location* loc = location_of(config);
    if (loc == nullptr || engine == nullptr) {
      r->own_log = loc == nullptr ? "unusable configuration: " + config->prepare_error : "no engine";
      return r;  // 500
    }
    std::string_view cert = certificate != nullptr ? std::string_view(certificate, length) : std::string_view();
    r->answer = engine->engine->resolve_shared(
        *loc, cert, mode == VTJ_MODE_CACHE_ONLY ? vtj::engine::Mode::CacheOnly : vtj::engine::Mode::Full);
    const vtj::engine::Outcome& o = *r->answer;
    using K = vtj::engine::Outcome::Kind;
    switch (o.kind) {
      case K::Skip:
        r->outcome = VTJ_OUTCOME_SKIP;
        break;
      case K::Allow:
        r->outcome = VTJ_OUTCOME_ALLOW;
        break;
      case K::Deny:
        r->outcome = VTJ_OUTCOME_DENY;
        break;
      case K::Pending:
        r->outcome = VTJ_OUTCOME_PENDING;
        break;
    }
    r->http_status = o.http_status;
    r->retry_after = o.retry_after ? kRetryAfterSeconds : 0;
    r->log_level = log_level(o.log_level);
    return r;
  } catch (const std::exception& e) {
    return internal_error(e.what());
  } catch (...) {
    return internal_error("unknown exception");
  }
}

int vtj_result_outcome(const vtj_result* r) {
  return r != nullptr ? r->outcome : VTJ_OUTCOME_DENY;
}
int vtj_result_http_status(const vtj_result* r) {
  return r != nullptr ? r->http_status : 500;
}
int vtj_result_retry_after(const vtj_result* r) {
  return r != nullptr ? r->retry_after : 0;
}
static const std::vector<std::pair<std::string, std::string>>& headers_of(const vtj_result* r) {
  return r != nullptr && r->answer ? r->answer->headers : kNone;
}
static const std::vector<std::pair<std::string, std::string>>& env_of(const vtj_result* r) {
  return r != nullptr && r->answer ? r->answer->env : kNone;
}
const char* vtj_result_status(const vtj_result* r) {
  return r != nullptr && r->answer ? r->answer->status.c_str() : "";
}
size_t vtj_result_header_count(const vtj_result* r) {
  return headers_of(r).size();
}
void vtj_result_header_at(const vtj_result* r, size_t i, vtj_header* out) {
  const auto& h = headers_of(r);
  if (i >= h.size()) {
    *out = vtj_header{"", 0, "", 0, "", 0};
    return;
  }
  const vtj::engine::Outcome& o = *r->answer;
  out->name = h[i].first.c_str();
  out->name_len = h[i].first.size();
  out->key = o.header_keys[i].c_str();
  out->key_hash = o.header_key_hashes[i];
  out->value = h[i].second.c_str();
  out->value_len = h[i].second.size();
}
void vtj_result_header(const vtj_result* r, size_t i, const char** name, const char** value) {
  vtj_header h;
  vtj_result_header_at(r, i, &h);
  *name = h.name;
  *value = h.value;
}
size_t vtj_result_env_count(const vtj_result* r) {
  return env_of(r).size();
}
void vtj_result_env(const vtj_result* r, size_t i, const char** name, const char** value) {
  const auto& e = env_of(r);
  *name = i < e.size() ? e[i].first.c_str() : "";
  *value = i < e.size() ? e[i].second.c_str() : "";
}
const char* vtj_result_field(const vtj_result* r, const char* field, size_t field_len) {
  if (r == nullptr || field == nullptr || !r->answer) {
    return nullptr;
  }
  std::string_view want(field, field_len);
  for (const auto& [name, value] : r->answer->fields) {
    if (name == want) {
      return value.c_str();
    }
  }
  return nullptr;
}

int vtj_result_log_level(const vtj_result* r) {
  return r != nullptr ? r->log_level : VTJ_LOG_ERROR;
}
const char* vtj_result_log(const vtj_result* r) {
  return r != nullptr ? r->log().c_str() : "internal error: out of memory";
}
void vtj_result_free(vtj_result* r) {
  delete r;
}
void vtj_free(void* p) {
  std::free(p);
}

}  // extern "C"
