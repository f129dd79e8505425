// One request's whole cached path through Engine::resolve_shared (what the plugin calls for every request):
// the certificate check, the cache key (HMAC, with the certificate's digest as VTJCertificateCheck On
// has it), the shared cache (default shm:64M), opening and parsing the record, policy and rendering the
// default headers. The register is never asked: the cache holds every citizen before the run, stored
// as the engine stores a register's answer (the largest record of the sample responses).
//  - memo_hit_*: one certificate again and again, answered from the thread's memo
//  - cache_hit_*: more certificates in turn than the memo holds (8), so every call takes the cache
//  - *_apache: a PEM certificate and Mode::Full (acquire); *_nginx: DER and Mode::CacheOnly (peek)

#include <benchmark/benchmark.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "identity/test_pki.hpp"
#include "vtj/engine.hpp"

namespace {

namespace testpki = vtj::testpki;
using vtj::engine::Engine;
using vtj::engine::Location;
using vtj::engine::Mode;
using vtj::engine::Outcome;
using namespace std::chrono_literals;

constexpr size_t kCitizens = 16;  // twice the memo's entries

// The files a location names (the test citizen CA, the register password), removed at exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vtj-engine-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    std::string file = (path / name).string();
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
};

void apply(vtj::config::Settings& s, std::string_view name, const std::vector<std::string>& args) {
  if (auto e = vtj::config::apply(s, name, args, vtj::config::Source{"bench.conf", 1, ""})) {
    throw std::runtime_error(e->to_string());
  }
}

std::string hex(const unsigned char* p, size_t n) {
  std::string out;
  char two[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(two, sizeof two, "%02x", p[i]);
    out += two;
  }
  return out;
}

struct Citizen {
  std::string pem, der;
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<Engine> engine;
  std::shared_ptr<const Location> location;
  std::vector<Citizen> citizens;

  Fixture() {
    auto made = Engine::create(vtj::config::Settings{});  // VTJCache shm:64M, a random key
    if (!made.ok()) {
      throw std::runtime_error(made.error());
    }
    engine = std::move(made).value();

    const auto& pki = testpki::Pki::get();
    vtj::config::Settings s;
    apply(s, "VTJ", {"On"});
    apply(s, "VTJRegisterURL", {"http://127.0.0.1:1/never-asked"});
    apply(s, "VTJProduct", {"PERUSSANOMA 1"});
    apply(s, "VTJCredentials", {"user", dir.write("password", "s3cret\n")});
    apply(s, "VTJEndUser", {"benchmark"});
    // The real citizen CAs and the test one, as a production issuer list plus the test PKI.
    apply(s, "VTJCitizenIssuer",
          {std::string(VTJ_TEST_DATA_DIR) + "/../../certs/fineid/citizen-issuers.pem"});
    apply(s, "VTJCitizenIssuer", {dir.write("citizen-ca.pem", testpki::to_pem(pki.citizen_ca.get()))});
    auto loc = Location::prepare(s);
    if (!loc.ok()) {
      throw std::runtime_error(loc.error().to_string());
    }
    location = loc.value();

    const std::string record = vtj::bench::largest_record(location->projection()).serialized;
    for (uint32_t n = 0; n < kCitizens; ++n) {
      const std::string satu = vtj::bench::satu_for(n);
      testpki::CertSpec spec = testpki::citizen_spec(satu, "Maija Liisa", "MEIKÄLÄINEN");
      spec.serial = 2000 + n;
      auto leaf = pki.citizen_leaf(spec);
      citizens.push_back({testpki::to_pem(leaf.get()), testpki::to_der(leaf.get())});
      store(satu, citizens.back().der, record);
    }
    // Each certificate seen once in each form, as a logged-in citizen's have been: the issuer check is
    // remembered (the first sight's signature check is identity_bench's), and the prefilled entries are
    // proven to be where resolve() looks.
    for (const Citizen& c : citizens) {
      for (const std::string* input : {&c.pem, &c.der}) {
        Outcome o = engine->resolve(*location, *input);
        if (o.kind != Outcome::Kind::Allow || engine->counters().register_queries != 0) {
          throw std::runtime_error("a prefilled citizen was not answered from the cache: " + o.log);
        }
      }
    }
  }

  // Stores `record` where resolve() looks for this certificate: with VTJCertificateCheck On (the
  // default) the identity material is the SATU and the certificate's SHA-256.
  void store(const std::string& satu, const std::string& der, const std::string& record) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), digest);
    vtj::cache::Cache& c = engine->cache();
    vtj::cache::Key key =
        c.key_for(location->scope(), vtj::bench::satu_identity(satu) + "|cert:" + hex(digest, sizeof digest));
    auto lead = c.acquire(key, std::chrono::steady_clock::now() + 1s, 5s);
    c.complete(key, lead.flight, record, location->settings().cache_ttl, vtj::engine::kStaleKeepSeconds);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

enum class Server { Apache, Nginx };

void BM_Resolve(benchmark::State& state, Server server, bool memo) {
  Fixture& f = fixture();
  const Mode mode = server == Server::Apache ? Mode::Full : Mode::CacheOnly;
  std::vector<std::string> inputs;
  for (const Citizen& c : f.citizens) {
    inputs.push_back(server == Server::Apache ? c.pem : c.der);
  }
  const size_t turn = memo ? 1 : inputs.size();
  const uint64_t queries = f.engine->counters().register_queries;
  const uint64_t lookups = f.engine->cache().store().stats().hits;
  // The turn goes on across the runs of a benchmark: a run starting again at the first certificate would
  // find the previous run's last ones in the memo.
  thread_local size_t next = 0;
  for (auto _ : state) {
    std::shared_ptr<const Outcome> o = f.engine->resolve_shared(*f.location, inputs[next++ % turn], mode);
    if (o->kind != Outcome::Kind::Allow) {
      state.SkipWithError(("not allowed from the cache: " + o->log).c_str());
      break;
    }
    benchmark::DoNotOptimize(o);
  }
  if (f.engine->counters().register_queries != queries) {
    state.SkipWithError("the register was asked: the prefilled entries were not found");
  }
  if (state.threads() == 1) {
    // How many calls reached the shared cache: about 0 with the memo, 1 without.
    const double reached = static_cast<double>(f.engine->cache().store().stats().hits - lookups);
    state.counters["shared_lookups"] = benchmark::Counter(reached, benchmark::Counter::kAvgIterations);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_Resolve, memo_hit_apache, Server::Apache, true)->ThreadRange(1, 2);
BENCHMARK_CAPTURE(BM_Resolve, cache_hit_apache, Server::Apache, false)->ThreadRange(1, 2);
BENCHMARK_CAPTURE(BM_Resolve, memo_hit_nginx, Server::Nginx, true)->ThreadRange(1, 2);
BENCHMARK_CAPTURE(BM_Resolve, cache_hit_nginx, Server::Nginx, false)->ThreadRange(1, 2);

}  // namespace

BENCHMARK_MAIN();
