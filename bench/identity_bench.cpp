// Micro benchmarks of the identity concept: identifier parsing and the per-request certificate check
// (parse PEM, match the issuer by name and signature, validity, key usage, names, SATU).

#include <benchmark/benchmark.h>

#include "identity/test_pki.hpp"
#include "vtj/identity_cert.hpp"
#include "vtj/identity.hpp"

namespace {

using vtj::identity::Hetu;
using vtj::identity::IssuerSet;
using vtj::identity::Satu;
namespace testpki = vtj::testpki;

void BM_HetuParse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Hetu::parse("020501A999T"));
  }
}
BENCHMARK(BM_HetuParse);

void BM_SatuParse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Satu::parse("12345678N"));
  }
}
BENCHMARK(BM_SatuParse);

void BM_MaskIdentifier(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(vtj::identity::mask_identifier("020501A999T"));
  }
}
BENCHMARK(BM_MaskIdentifier);

// The citizen CA among the real citizen issuers, as a production VTJCitizenIssuer set would be.
const IssuerSet& issuers() {
  static const IssuerSet set = [] {
    IssuerSet s;
    s.add_file(std::string(VTJ_TEST_DATA_DIR) + "/../../certs/fineid/citizen-issuers.pem");
    s.add_data(testpki::to_pem(testpki::Pki::get().citizen_ca.get()), "test citizen CA");
    return s;
  }();
  return set;
}

void read_leaf(benchmark::State& state, bool ec, bool pem) {
  const auto& pki = testpki::Pki::get();
  auto leaf = pki.citizen_leaf(testpki::citizen_spec("12345678N", "Maija Liisa", "MEIKÄLÄINEN"), ec);
  std::string input = pem ? testpki::to_pem(leaf.get()) : testpki::to_der(leaf.get());
  const IssuerSet& set = issuers();
  if (!vtj::identity::read_citizen_certificate(input, set, testpki::kNow).ok()) {
    state.SkipWithError("leaf rejected");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(vtj::identity::read_citizen_certificate(input, set, testpki::kNow));
  }
}

// First sight of a certificate: a fresh IssuerSet each iteration, so nothing is remembered.
void BM_ReadCitizenCertRsaPemFirstSight(benchmark::State& state) {
  const auto& pki = testpki::Pki::get();
  auto leaf = pki.citizen_leaf(testpki::citizen_spec("12345678N", "Maija Liisa", "MEIKÄLÄINEN"));
  std::string pem = testpki::to_pem(leaf.get());
  std::string ca = testpki::to_pem(pki.citizen_ca.get());
  for (auto _ : state) {
    state.PauseTiming();
    IssuerSet set;
    set.add_data(ca, "test citizen CA");
    state.ResumeTiming();
    benchmark::DoNotOptimize(vtj::identity::read_citizen_certificate(pem, set, testpki::kNow));
  }
}
BENCHMARK(BM_ReadCitizenCertRsaPemFirstSight);

// Repeated requests with one certificate (the usual case): served from the set's remembered entries.
// The leaf key type matters little: the CA's signature is verified (RSA-2048 here, as G4R is RSA).
void BM_ReadCitizenCertRsaPem(benchmark::State& state) {
  read_leaf(state, false, true);
}
void BM_ReadCitizenCertRsaDer(benchmark::State& state) {
  read_leaf(state, false, false);
}
void BM_ReadCitizenCertEcPem(benchmark::State& state) {
  read_leaf(state, true, true);
}
BENCHMARK(BM_ReadCitizenCertRsaPem);
BENCHMARK(BM_ReadCitizenCertRsaDer);
BENCHMARK(BM_ReadCitizenCertEcPem);

// First sight of a leaf issued by an ECDSA P-384 CA (like DVV Citizen Certificates - G4E): the costlier
// signature check.
void BM_ReadCitizenCertEcCaPem(benchmark::State& state) {
  const auto& pki = testpki::Pki::get();
  testpki::CertSpec ca = testpki::ca_spec("DVV TEST Citizen Certificates - G4E", "1.2.246.517.1.10.351.1");
  testpki::KeyPtr ca_key = testpki::make_ec_key("P-384");
  auto ca_cert = testpki::issue(ca, ca_key.get(), pki.root.get(), pki.root_key.get());
  auto leaf = testpki::issue(testpki::citizen_spec("12345678N", "Maija Liisa", "MEIKÄLÄINEN"),
                             pki.leaf_ec_key.get(), ca_cert.get(), ca_key.get());
  std::string pem = testpki::to_pem(leaf.get());
  std::string ca_pem = testpki::to_pem(ca_cert.get());
  for (auto _ : state) {
    state.PauseTiming();
    IssuerSet fresh;
    fresh.add_data(ca_pem, "EC CA");
    state.ResumeTiming();
    if (!vtj::identity::read_citizen_certificate(pem, fresh, testpki::kNow).ok()) {
      state.SkipWithError("leaf rejected");
      return;
    }
  }
}
BENCHMARK(BM_ReadCitizenCertEcCaPem);

}  // namespace

BENCHMARK_MAIN();
