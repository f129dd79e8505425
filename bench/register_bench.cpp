// Time per register response parsed (and per request built): the register codec's share of a cache miss.
// Besides the named cases, every response file the tests read is parsed by a benchmark of its own
// (BM_ParseSample/<file>, or BM_RefuseSample/<file> for a document the parser refuses), with bytes/s.

#include <benchmark/benchmark.h>

#include <string>

#include "bench_data.hpp"
#include "vtj/register_request.hpp"
#include "vtj/register_response.hpp"

namespace {

// `accepted`: whether the body parses; a refused one (a request, a truncated body) is timed refusing.
void parse_body(benchmark::State& state, const std::string& body, bool accepted) {
  for (auto _ : state) {
    auto r = vtj::reg::parse_response(body);
    if (r.ok() != accepted) {
      state.SkipWithError(accepted ? "parse failed" : "parse accepted a refused document");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
}

void parse(benchmark::State& state, const char* name) {
  parse_body(state, vtj::bench::response_text(std::string("samples/") + name), true);
}

void BM_ParseSmallBare(benchmark::State& state) {
  parse(state, "kansalaisaloite_PERUSJHHS2_Nordea_210281-9988_Nordea_Demo.xml");
}
void BM_ParseLargestXRoad(benchmark::State& state) {
  parse(state, "evaka_HUOLTAJA-HUOLLETTAVAT_020190-9521_Anna_Alexandra_Popov.xml");
}
void BM_ParseLatin1(benchmark::State& state) {
  parse(state,
        "lupapiste_vtj_test_PERUSJHHS2_VTJDATA_081181-9984_Sylvi_Sofie_Marttila_decoded_iso8859-1.xml");
}

vtj::reg::QueryParams params() {
  vtj::reg::QueryParams p;
  p.product = "PERUSSANOMA 3";
  p.username = "kayttaja";
  p.password = "salasana";
  p.end_user = "vtj-resolver: portaali.example.fi";
  p.satu = "10000350X";
  p.issuer = "C=FI, O=Digi- ja vaestotietovirasto CA, CN=DVV Citizen Certificates - G4E";
  p.certificate_base64 = std::string(1400, 'A');  // about the size of a citizen certificate
  p.check_validity = true;
  p.check_revocation = true;
  return p;
}

void BM_BuildSosoRequest(benchmark::State& state) {
  const auto p = params();
  for (auto _ : state) {
    auto r = vtj::reg::build_soso_request(p);
    benchmark::DoNotOptimize(r);
  }
}

void BM_BuildXRoadRequest(benchmark::State& state) {
  const auto p = params();
  vtj::reg::XRoadHeaders h;
  h.client = {"FI", "MUN", "0101263-6", "portal", "", ""};
  h.service = {"FI", "GOV", "0245437-2", "VTJkysely", "HenkilonTunnusKysely", "v1"};
  h.user_id = "portal";
  for (auto _ : state) {
    auto r = vtj::reg::build_xroad_request(p, h);  // includes a fresh UUID per message
    benchmark::DoNotOptimize(r);
  }
}

}  // namespace

BENCHMARK(BM_ParseSmallBare);
BENCHMARK(BM_ParseLargestXRoad);
BENCHMARK(BM_ParseLatin1);
BENCHMARK(BM_BuildSosoRequest);
BENCHMARK(BM_BuildXRoadRequest);
BENCHMARK(BM_ParseLargestXRoad)->Threads(2);

namespace {

void register_every_sample() {
  for (const std::string& name : vtj::bench::response_files()) {
    std::string body = vtj::bench::response_text(name);
    const bool accepted = vtj::reg::parse_response(body).ok();
    const std::string title = (accepted ? "BM_ParseSample/" : "BM_RefuseSample/") + name;
    benchmark::RegisterBenchmark(title.c_str(), [body = std::move(body), accepted](benchmark::State& state) {
      parse_body(state, body, accepted);
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_every_sample();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
