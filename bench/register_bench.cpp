// Time per register response parsed (and per request built): the register codec's share of a cache miss.

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>

#include "vtj/register_request.hpp"
#include "vtj/register_response.hpp"

namespace {

std::string sample(const char* name) {
  std::ifstream in(std::string(VTJ_TEST_DATA_DIR) + "/samples/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void parse(benchmark::State& state, const char* name) {
  const std::string body = sample(name);
  for (auto _ : state) {
    auto r = vtj::reg::parse_response(body);
    if (!r.ok()) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
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
BENCHMARK(BM_ParseLargestXRoad)->Name("BM_ParseLargestXRoad/threads:2")->Threads(2);

BENCHMARK_MAIN();
