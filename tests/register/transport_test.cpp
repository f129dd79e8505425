// The transport against scripted loopback servers: plain HTTP (as to an X-Road security server), so each
// failure the transport must tell apart can be staged exactly. TLS behaviour (trust, hostname, client
// certificates, HTTP/2) is tested against the register simulator in integration/.

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "identity/test_pki.hpp"
#include "register/scripted_server.hpp"
#include "vtj/register_transport.hpp"

namespace vtj::reg {
namespace {

using test::ok_response;
using test::read_request;
using test::ScriptedServer;
using test::send_all;

std::unique_ptr<HttpTransport> transport_for(const std::string& url, int total_ms = 3000,
                                             size_t max_bytes = 1024 * 1024) {
  TransportSettings s;
  s.url = url;
  s.connect_timeout_ms = 1000;
  s.total_timeout_ms = total_ms;
  s.max_response_bytes = max_bytes;
  auto t = HttpTransport::create(s);
  EXPECT_TRUE(t.ok());
  return std::move(t.value());
}

Result<HttpReply, TransportError> post(HttpTransport& t) {
  return t.post("<q/>", {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", "\"\""}});
}

TEST(Transport, RefusesAnythingButHttpAndHttpsAndHttpsWithoutTheRegisterCa) {
  TransportSettings s;
  s.url = "ftp://127.0.0.1/";
  EXPECT_EQ(HttpTransport::create(s).error().kind, TransportErrorKind::Setup);
  s.url = "https://127.0.0.1/";
  auto no_ca = HttpTransport::create(s);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.error().detail.find("VTJRegisterCA"), std::string::npos);
  s.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(HttpTransport::create(s).error().kind, TransportErrorKind::Setup);
  s.url = "https://";
  EXPECT_EQ(HttpTransport::create(s).error().kind, TransportErrorKind::Setup);
}

// The TLS files are loaded when the transport is made, so a wrong one stops start-up with a clear
// message instead of failing the first login.
TEST(Transport, ChecksTheTlsFilesWhenItIsMade) {
  namespace pki = vtj::testpki;
  const auto& p = pki::Pki::get();
  std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + name, std::ios::binary) << text;
    return dir + name;
  };
  auto key_pem = [](EVP_PKEY* key, const char* pass) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, pass ? EVP_aes_256_cbc() : nullptr, nullptr, 0, nullptr,
                             const_cast<char*>(pass));
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(b);
    return out;
  };
  TransportSettings s;
  s.url = "https://localhost:1/";
  s.ca_file = write("vtj-ca.pem", pki::to_pem(p.root.get()));
  s.client_cert = write("vtj-cert.pem", pki::to_pem(p.citizen_ca.get()));
  s.client_key = write("vtj-key.pem", key_pem(p.citizen_ca_key.get(), nullptr));
  EXPECT_TRUE(HttpTransport::create(s).ok());

  auto problem = [&](TransportSettings t) {
    auto r = HttpTransport::create(t);
    return r.ok() ? std::string("accepted") : r.error().detail;
  };
  TransportSettings bad = s;
  bad.ca_file = write("vtj-not-a-ca.pem", "not a certificate\n");
  EXPECT_NE(problem(bad).find("holds no PEM certificate"), std::string::npos) << problem(bad);
  bad = s;
  bad.client_key = write("vtj-other-key.pem", key_pem(p.leaf_rsa_key.get(), nullptr));
  EXPECT_NE(problem(bad).find("does not belong to the certificate"), std::string::npos) << problem(bad);
  bad = s;
  bad.client_key = write("vtj-encrypted-key.pem", key_pem(p.citizen_ca_key.get(), "secret"));
  EXPECT_NE(problem(bad).find("no unencrypted PEM private key"), std::string::npos) << problem(bad);
  bad = s;
  bad.client_cert = dir + "vtj-missing.pem";
  EXPECT_NE(problem(bad).find("cannot read the client certificate"), std::string::npos) << problem(bad);
}

TEST(Transport, SendsTheSoapHeadersWithoutExpectAndReusesTheConnection) {
  std::vector<std::string> requests;  // one connection only, so one writer
  ScriptedServer server([&](int, int fd) {
    for (;;) {
      std::string req = read_request(fd);
      if (req.empty()) {
        return;
      }
      requests.push_back(req);
      send_all(fd, ok_response("<answer/>"));
    }
  });
  auto t = transport_for(server.url());
  for (int i = 0; i < 5; ++i) {
    auto r = post(*t);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "<answer/>");
    EXPECT_EQ(r->content_type, "text/xml; charset=utf-8");
    EXPECT_EQ(r->new_connection, i == 0);
  }
  t.reset();  // closes the kept connection, so the server's loop ends
  EXPECT_EQ(server.accepted(), 1);
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_NE(requests[0].find("POST / HTTP/1.1"), std::string::npos);
  EXPECT_NE(requests[0].find("SOAPAction: \"\""), std::string::npos);
  EXPECT_EQ(requests[0].find("Expect:"), std::string::npos);
  EXPECT_NE(requests[0].find("\r\n\r\n<q/>"), std::string::npos);
}

TEST(Transport, AnyHttpStatusIsAReplyTheBodyDecides) {
  ScriptedServer server([](int, int fd) {
    read_request(fd);
    send_all(fd,
             "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 7\r\nConnection: close\r\n\r\n<fault>");
  });
  auto t = transport_for(server.url());
  auto r = post(*t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "<fault>");
}

TEST(Transport, RetriesOnceWhenAConnectionClosesBeforeAnyAnswer) {
  ScriptedServer server([](int index, int fd) {
    read_request(fd);
    if (index > 0) {
      send_all(fd, ok_response("<second/>"));
    }
  });
  auto t = transport_for(server.url());
  auto r = post(*t);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->body, "<second/>");
  EXPECT_EQ(server.accepted(), 2);
}

TEST(Transport, GivesUpAfterOneRetry) {
  ScriptedServer server([](int, int fd) { read_request(fd); });
  auto t = transport_for(server.url());
  auto r = post(*t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, TransportErrorKind::Connection);
  EXPECT_EQ(r.error().attempts, 2);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(Transport, NeverRetriesOnceTheAnswerHasStarted) {
  ScriptedServer server([](int, int fd) {
    read_request(fd);
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<VTJHenkiloVastaus");
  });
  auto t = transport_for(server.url());
  auto r = post(*t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, TransportErrorKind::Connection);
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(Transport, CapsTheAnswerSize) {
  ScriptedServer server([](int, int fd) {
    read_request(fd);
    send_all(fd, ok_response(std::string(64 * 1024, 'x')));
  });
  auto t = transport_for(server.url(), 3000, 16 * 1024);
  auto r = post(*t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, TransportErrorKind::TooLarge);
  EXPECT_EQ(t->counters().failed[static_cast<size_t>(TransportErrorKind::TooLarge)], 1u);
  EXPECT_EQ(t->counters().answered, 0u);
  EXPECT_NE(r.error().detail.find("16384"), std::string::npos);
}

TEST(Transport, TimesOutWhenTheAnswerDoesNotCome) {
  ScriptedServer server([](int, int fd) {
    read_request(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  });
  auto t = transport_for(server.url(), 300);
  auto r = post(*t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, TransportErrorKind::Timeout);
  EXPECT_NE(r.error().detail.find("no complete answer within 300 ms"), std::string::npos);
  EXPECT_EQ(r.error().attempts, 1);
}

TEST(Transport, ARetryStaysWithinTheSameBudget) {
  // The first connection takes the query and closes after 250 ms without an answer; the retry's
  // connection takes it and stalls. The whole post must end at the 400 ms budget, not 250 + 400.
  ScriptedServer server([](int index, int fd) {
    read_request(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(index == 0 ? 250 : 800));
  });
  auto t = transport_for(server.url(), 400);
  auto start = std::chrono::steady_clock::now();
  auto r = post(*t);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, TransportErrorKind::Timeout);
  EXPECT_EQ(r.error().attempts, 2);
  EXPECT_EQ(server.accepted(), 2);
  // Generous for a loaded machine; without the shared budget it would be at least 650 ms.
  EXPECT_LT(took, std::chrono::milliseconds(600));
}

TEST(Transport, AKeptConnectionThatDiesSendsTheQueryAtMostTwice) {
  // The first query is answered; the second goes out on the kept connection, which the server closes
  // without answering, and so does the server on every later connection. libcurl would resend once on
  // its own before the transport's retry: the register must see the second query twice, never three
  // times.
  std::atomic<int> requests{0};
  ScriptedServer server([&](int index, int fd) {
    if (read_request(fd).empty()) {
      return;
    }
    requests++;
    if (index == 0) {
      send_all(fd, ok_response("<a/>"));
      if (!read_request(fd).empty()) {
        requests++;
      }
    }
  });
  auto t = transport_for(server.url());
  ASSERT_TRUE(post(*t).ok());
  auto r = post(*t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, TransportErrorKind::Connection);
  EXPECT_EQ(r.error().attempts, 2);
  t.reset();
  EXPECT_EQ(requests.load(), 3);
}

TEST(Transport, AKeptConnectionThatDiesIsRetriedOnAFreshOne) {
  std::atomic<int> requests{0};
  ScriptedServer server([&](int index, int fd) {
    for (;;) {
      if (read_request(fd).empty()) {
        return;
      }
      requests++;
      if (index == 0 && requests > 1) {
        return;  // the kept connection dies with the second query unanswered
      }
      send_all(fd, ok_response("<a/>"));
    }
  });
  auto t = transport_for(server.url());
  ASSERT_TRUE(post(*t).ok());
  auto r = post(*t);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->attempts, 2);
  EXPECT_TRUE(r->new_connection);
  TransportCounters c = t->counters();
  EXPECT_EQ(c.posts, 2u);
  EXPECT_EQ(c.sends, 3u);
  EXPECT_EQ(c.retries, 1u);
  EXPECT_EQ(c.connections, 2u);
  EXPECT_EQ(c.answered, 2u);
  t.reset();
  EXPECT_EQ(requests.load(), 3);
}

TEST(Transport, TellsConnectionRefusedAndUnknownHostApart) {
  int port = 0;
  {
    ScriptedServer closed([](int, int) {});
    port = std::stoi(closed.url().substr(17));
  }
  auto refused = post(*transport_for("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, TransportErrorKind::Connect);

  // .invalid never resolves (RFC 6761). A machine whose resolver cannot be reached at all gives up at
  // the connect timeout instead, before anything was sent; either way the query never left.
  auto unknown = post(*transport_for("http://vtj-register.invalid/"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.error().kind == TransportErrorKind::Dns ||
              (unknown.error().kind == TransportErrorKind::Timeout && unknown.error().attempts == 0))
      << to_string(unknown.error().kind) << ": " << unknown.error().detail;
  EXPECT_EQ(unknown.error().attempts, 0);
}

TEST(Transport, IsSafeToShareBetweenThreads) {
  std::atomic<int> answered{0};
  ScriptedServer server([&](int, int fd) {
    for (;;) {
      if (read_request(fd).empty()) {
        return;
      }
      answered++;
      send_all(fd, ok_response("<a/>"));
    }
  });
  auto t = transport_for(server.url(), 10000);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        auto r = post(*t);
        ok += r.ok() && r->body == "<a/>" ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  t.reset();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(answered.load(), 20);
  EXPECT_LE(server.accepted(), 4);  // a kept connection per thread at most
}

}  // namespace
}  // namespace vtj::reg
