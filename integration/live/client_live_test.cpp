// The register client over real mutual TLS against the simulator: HTTP/2 when offered, connections kept
// and shared by many threads, and a register restart survived. The per-scenario behaviour (persons,
// faults, TLS refusals) is in integration/cases/.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sim_process.hpp"
#include "vtj/identity.hpp"
#include "vtj/register_client.hpp"
#include "vtj/register_query.hpp"

namespace vtj::live {
namespace {

config::Settings settings_for(const SimProcess& sim, reg::Transport transport) {
  config::Settings s;
  s.transport = transport;
  s.register_url = sim.url(transport == reg::Transport::XRoad ? "/" : "/sosowebsite/soso.asmx");
  s.client_cert = pki("customer.pem");
  s.client_key = pki("customer.key");
  s.register_ca = pki("server-ca.pem");
  s.username = "vtj-sim-customer";
  s.password = "sim-secret-2026";
  s.product = "PERUSSANOMA3";
  s.end_user = "live tests";
  s.xroad_client = {"FI-TEST", "MUN", "0101263-6", "vtj-live-tests", "", ""};
  return s;
}

reg::QueryParams adult(const config::Settings& s) {
  return reg::query_for_satu(
      s, identity::Satu::parse("10000101W", identity::SatuRange::IncludingTest).value());
}

reg::TransportSettings transport_settings(const config::Settings& s, bool http2) {
  reg::TransportSettings t;
  t.url = s.register_url;
  t.client_cert = s.client_cert;
  t.client_key = s.client_key;
  t.ca_file = s.register_ca;
  t.http2 = http2;
  return t;
}

TEST(ClientLive, SpeaksHttp2WhenOfferedAndHttp11WhenAsked) {
  SimProcess sim;
  auto s = settings_for(sim, reg::Transport::Soso);
  auto body = reg::build_soso_request(adult(s));
  ASSERT_TRUE(body.ok());
  for (bool h2 : {true, false}) {
    auto t = reg::HttpTransport::create(transport_settings(s, h2));
    ASSERT_TRUE(t.ok());
    auto r = t.value()->post(*body, {{"Content-Type", reg::soso_content_type()},
                                     {"SOAPAction", reg::soso_soap_action()}});
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->http_version, h2 ? "2" : "1.1");
    EXPECT_NE(r->body.find("koodi=\"0000\""), std::string::npos);
  }
}

// Many request threads share one client, as the worker threads of a web server do: every answer is
// the right person, and the connections stay few (one per thread at most), all kept.
void many_threads(reg::Transport transport) {
  SimProcess sim;
  auto s = settings_for(sim, transport);
  auto client = reg::RegisterClient::create(s);
  ASSERT_TRUE(client.ok());
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j) {
        auto a = client.value()->query(adult(s));
        right += a.ok() && a->response.outcome == reg::Outcome::Found &&
                         a->response.person->hetu() == "010190-901R"
                     ? 1
                     : 0;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(right.load(), kThreads * kEach);
  EXPECT_EQ(sim.status("queries"), kThreads * kEach);
  long connections = sim.status("connections") - 2;  // less the two status requests
  EXPECT_GE(connections, 1);
  EXPECT_LE(connections, kThreads);
}

TEST(ClientLive, ManyThreadsShareOneClientOverSoso) { many_threads(reg::Transport::Soso); }
TEST(ClientLive, ManyThreadsShareOneClientOverXRoad) { many_threads(reg::Transport::XRoad); }

TEST(ClientLive, SurvivesARegisterRestartBetweenQueries) {
  auto sim = std::make_unique<SimProcess>();
  int port = sim->port();
  auto s = settings_for(*sim, reg::Transport::Soso);
  auto client = reg::RegisterClient::create(s);
  ASSERT_TRUE(client.ok());
  auto first = client.value()->query(adult(s));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_TRUE(first->new_connection);
  // The register goes away and comes back on the same port: the kept connection is dead.
  sim.reset();
  sim = std::make_unique<SimProcess>(port);
  auto second = client.value()->query(adult(s));
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_TRUE(second->new_connection);
  EXPECT_EQ(second->response.person->hetu(), "010190-901R");
  EXPECT_EQ(sim->status("queries"), 1);
}

}  // namespace
}  // namespace vtj::live
