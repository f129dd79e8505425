// The server calls Register::answer from many threads at once: answers stay right and every query is
// counted once, the certificate cache included (run under the sanitizers to see races' damage).

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "sim_test_pki.hpp"
#include "sim_test_util.hpp"

namespace vtj::sim {
namespace {

using test::Via;
namespace pki = testpki;

TEST(Concurrency, ManyThreadsOneRegister) {
  pki::Ca ca = pki::make_ca("DVV TEST Citizen Certificates - G4E", pki::KeyPtr(EVP_EC_gen("P-256")));
  pki::KeyPtr key(EVP_EC_gen("P-256"));
  pki::TempDir dir;
  Options o = test::default_options();
  o.citizen_ca_files = {pki::write_pem(dir.file("ca.pem"), {ca.cert.get()})};
  o.crl_files = {pki::write_crl(dir.file("crl.pem"), pki::make_crl(ca, {7}).get())};
  auto reg = test::load_register(o);
  ASSERT_NE(reg, nullptr);

  // Distinct certificates, so threads fill the checker's cache while others read it.
  std::vector<HttpRequest> requests;
  for (long serial = 1; serial <= 8; ++serial) {
    reg::QueryParams p = test::by_satu("10000101W", serial % 2 == 0 ? "PERUSJHHS2" : "PERUSSANOMA3");
    p.certificate_base64 = pki::base64_der(pki::make_citizen(ca, key.get(), "10000101W", serial).get());
    p.check_validity = true;
    p.check_revocation = true;
    requests.push_back(test::request_via(test::kAllVias[serial % 3], p));
  }
  constexpr int kThreads = 4;
  constexpr int kRounds = 50;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        for (size_t r = 0; r < requests.size(); ++r) {
          Reply reply = reg->answer(requests[(r + static_cast<size_t>(t)) % requests.size()]);
          // Serial 7 is revoked; every other certificate passes.
          bool revoked = (r + static_cast<size_t>(t)) % requests.size() == 6;
          std::string_view expected = revoked ? "koodi=\"0013\"" : "koodi=\"0000\"";
          if (reply.body.find(expected) == std::string::npos) {
            wrong.fetch_add(1);
          }
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  int total = kThreads * kRounds * static_cast<int>(requests.size());
  std::string json = reg->counters_json();
  EXPECT_TRUE(json.starts_with("\"queries\":" + std::to_string(total) + ",")) << json;
  EXPECT_NE(json.find("\"0013\":" + std::to_string(kThreads * kRounds)), std::string::npos) << json;
}

}  // namespace
}  // namespace vtj::sim
