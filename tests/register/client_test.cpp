// The query client over a scripted loopback server: what it does with each kind of answer. The full
// path against the register simulator (TLS, both transports, every person) is in integration/.

#include "vtj/register_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "register/scripted_server.hpp"
#include "vtj/identity.hpp"
#include "vtj/register_query.hpp"

namespace vtj::reg {
namespace {

using test::ok_response;
using test::read_request;
using test::ScriptedServer;
using test::send_all;

std::string data(const std::string& name) {
  std::ifstream in(std::string(VTJ_TEST_DATA_DIR) + "/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

// Answers each request on every connection with the next body of the list (the last one repeats) and
// records the requests.
struct Script {
  std::vector<std::string> bodies;
  std::vector<std::string> requests;
  std::mutex mutex;

  void serve(int fd) {
    for (;;) {
      std::string req = read_request(fd);
      if (req.empty()) {
        return;
      }
      std::string body;
      {
        std::lock_guard<std::mutex> lock(mutex);
        requests.push_back(req);
        body = bodies[std::min(requests.size(), bodies.size()) - 1];
      }
      send_all(fd, body);
    }
  }
};

config::Settings settings_for(const ScriptedServer& server, Transport transport = Transport::Soso) {
  config::Settings s;
  s.register_url = server.url();
  s.transport = transport;
  s.product = "PERUSSANOMA3";
  s.username = "customer";
  s.password = "secret";
  s.end_user = "e-service";
  s.xroad_client = {"FI-TEST", "MUN", "0101263-6", "eservice", "", ""};
  return s;
}

std::unique_ptr<RegisterClient> client_for(const config::Settings& s) {
  auto c = RegisterClient::create(s);
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

QueryParams by_hetu(const config::Settings& s, const char* hetu) {
  return query_for_hetu(s, identity::Hetu::parse(hetu).value());
}

TEST(RegisterClient, FollowsAPassivatedIdentifierOnceWithTheActiveHetu) {
  Script script;
  script.bodies = {ok_response(data("responses/passivated_0002.xml")),
                   ok_response(data("responses/prohibition_0000.xml"))};
  ScriptedServer server([&](int, int fd) { script.serve(fd); });
  auto s = settings_for(server);
  auto client = client_for(s);
  auto satu = identity::Satu::parse("10000101W", identity::SatuRange::IncludingTest).value();
  auto answer = client->query(query_for_satu(s, satu));
  client.reset();
  ASSERT_TRUE(answer.ok()) << answer.error().to_string();
  EXPECT_TRUE(answer->requeried);
  EXPECT_EQ(answer->queries, 2);
  EXPECT_EQ(answer->response.outcome, Outcome::Found);
  EXPECT_EQ(answer->response.person->hetu(), "010170-960F");
  EXPECT_EQ(answer->passivated_from.find("10000101W"), std::string::npos);  // masked
  ASSERT_EQ(script.requests.size(), 2u);
  EXPECT_NE(script.requests[0].find("<SahkoinenAsiointitunnus>10000101W<"), std::string::npos);
  EXPECT_NE(script.requests[1].find("<Henkilotunnus>010170-960F<"), std::string::npos);
  EXPECT_EQ(script.requests[1].find("10000101W"), std::string::npos);
}

TEST(RegisterClient, RefusesAPassivationChain) {
  std::string again = data("responses/passivated_0002.xml");
  // The "active" identifier the first answer names is itself passivated, pointing elsewhere.
  std::string second = again;
  for (size_t at; (at = second.find("010170-960F")) != std::string::npos;) {
    second.replace(at, 11, "010190-901R");
  }
  Script script;
  script.bodies = {ok_response(again), ok_response(second)};
  ScriptedServer server([&](int, int fd) { script.serve(fd); });
  auto s = settings_for(server);
  auto client = client_for(s);
  auto answer = client->query(by_hetu(s, "020190-9521"));
  client.reset();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind, QueryErrorKind::Mismatch);
  EXPECT_EQ(answer.error().queries, 2);
  EXPECT_EQ(answer.error().detail.find("010170-960F"), std::string::npos);  // masked
}

TEST(RegisterClient, RefusesAnAnswerAboutSomeoneElse) {
  Script script;
  script.bodies = {ok_response(data("responses/prohibition_0000.xml"))};
  ScriptedServer server([&](int, int fd) { script.serve(fd); });
  auto s = settings_for(server);
  auto client = client_for(s);
  auto answer = client->query(by_hetu(s, "020190-9521"));
  client.reset();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind, QueryErrorKind::Mismatch);
}

TEST(RegisterClient, AnErrorPageIsAnHttpStatusAndGarbageIsMalformed) {
  Script script;
  script.bodies = {
      "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<h1>down</h1>",
      ok_response("<VTJHenkiloVastaussanoma><Paluu")};
  ScriptedServer server([&](int, int fd) { script.serve(fd); });
  auto s = settings_for(server);
  auto client = client_for(s);
  auto first = client->query(by_hetu(s, "010170-960F"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, QueryErrorKind::HttpStatus);
  EXPECT_EQ(first.error().http_status, 502);
  auto second = client->query(by_hetu(s, "010170-960F"));
  client.reset();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, QueryErrorKind::Malformed);
}

TEST(RegisterClient, ASoapFaultWithStatus500IsAnAnswer) {
  std::string fault =
      "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
      "<soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>down for "
      "maintenance</faultstring>"
      "</soap:Fault></soap:Body></soap:Envelope>";
  Script script;
  script.bodies = {"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml\r\nContent-Length: " +
                   std::to_string(fault.size()) + "\r\n\r\n" + fault};
  ScriptedServer server([&](int, int fd) { script.serve(fd); });
  auto s = settings_for(server);
  auto client = client_for(s);
  auto answer = client->query(by_hetu(s, "010170-960F"));
  client.reset();
  ASSERT_TRUE(answer.ok()) << answer.error().to_string();
  EXPECT_EQ(answer->response.envelope, Envelope::SoapFault);
  EXPECT_EQ(answer->response.fault_string, "down for maintenance");
}

TEST(RegisterClient, AnXRoadAnswerMustCarryTheMessageIdSent) {
  const std::string sample = data("samples/evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml");
  auto with_id_of = [&](const std::string& request) {
    // The id the client sent, copied into the answer as a security server echoes it.
    size_t open = request.find(":id>");
    size_t close = request.find("</", open);
    std::string id = request.substr(open + 4, close - open - 4);
    std::string body = sample;
    body.replace(body.find("41fc10922728511e"), 16, id);
    return ok_response(body);
  };
  std::atomic<bool> echo{true};
  ScriptedServer server([&](int, int fd) {
    for (;;) {
      std::string req = read_request(fd);
      if (req.empty()) {
        return;
      }
      send_all(fd, echo ? with_id_of(req) : ok_response(sample));
    }
  });
  auto s = settings_for(server, Transport::XRoad);
  auto client = client_for(s);
  auto matched = client->query(by_hetu(s, "020501A999T"));
  ASSERT_TRUE(matched.ok()) << matched.error().to_string();
  EXPECT_EQ(matched->response.person->hetu(), "020501A999T");
  echo = false;
  auto other = client->query(by_hetu(s, "020501A999T"));
  client.reset();
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, QueryErrorKind::Mismatch);
}

TEST(RegisterClient, AnXRoadAnswerWithoutAMessageIdIsNotThisQuerys) {
  Script script;
  script.bodies = {ok_response(data("responses/prohibition_0000.xml"))};  // a bare document
  ScriptedServer server([&](int, int fd) { script.serve(fd); });
  auto s = settings_for(server, Transport::XRoad);
  auto client = client_for(s);
  auto answer = client->query(by_hetu(s, "010170-960F"));
  client.reset();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind, QueryErrorKind::Mismatch);
  EXPECT_NE(answer.error().detail.find("no message id"), std::string::npos);
}

TEST(RegisterClient, APassivationReQueryStaysWithinTheSameTimeout) {
  // Each answer takes 200 ms; with a 300 ms VTJTimeout the re-query must run out of time rather than get
  // a budget of its own.
  ScriptedServer server([&](int index, int fd) {
    for (int n = 0;; ++n) {
      if (read_request(fd).empty()) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      send_all(fd, ok_response(data(index + n == 0 ? "responses/passivated_0002.xml"
                                                   : "responses/prohibition_0000.xml")));
    }
  });
  auto s = settings_for(server);
  s.connect_timeout_ms = 300;
  s.total_timeout_ms = 300;
  auto client = client_for(s);
  auto start = std::chrono::steady_clock::now();
  auto answer = client->query(by_hetu(s, "020190-9521"));
  auto took = std::chrono::steady_clock::now() - start;
  client.reset();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().transport, TransportErrorKind::Timeout);
  EXPECT_EQ(answer.error().queries, 2);
  EXPECT_LT(took, std::chrono::milliseconds(380));
}

TEST(RegisterClient, ReportsTransportFailuresWithTheirKind) {
  int port = 0;
  {
    ScriptedServer closed([](int, int) {});
    port = std::stoi(closed.url().substr(17));
  }
  config::Settings s;
  s.register_url = "http://127.0.0.1:" + std::to_string(port) + "/";
  s.product = "P";
  s.username = "u";
  s.password = "p";
  s.end_user = "e";
  auto client = client_for(s);
  auto answer = client->query(by_hetu(s, "010170-960F"));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind, QueryErrorKind::Transport);
  EXPECT_EQ(answer.error().transport, TransportErrorKind::Connect);
  EXPECT_EQ(answer.error().to_string().rfind("transport (connect): ", 0), 0u);
}

}  // namespace
}  // namespace vtj::reg
