// Fault injection (per person and global), runtime control and the counters.

#include <gtest/gtest.h>

#include <string_view>

#include "sim_test_util.hpp"

namespace vtj::sim {
namespace {

using test::Via;

// Lower-case RFC 4122 version 4: 8-4-4-4-12 hex digits, version nibble 4, variant 8-b.
bool is_uuid4(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    if (dash ? s[i] != '-' : !hex) {
      return false;
    }
  }
  return s[14] == '4' && std::string_view("89ab").find(s[19]) != std::string_view::npos;
}

TEST(ParseFault, EveryKindAndLatency) {
  for (Fault f : {Fault::None, Fault::Hang, Fault::Reset, Fault::Http500, Fault::SoapFault, Fault::Malformed,
                  Fault::Truncated, Fault::Oversized}) {
    auto spec = parse_fault(to_string(f));
    ASSERT_TRUE(spec) << to_string(f);
    EXPECT_EQ(spec->fault, f);
  }
  auto l = parse_fault("latency:250");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->fault, Fault::Latency);
  EXPECT_EQ(l->latency_ms, 250);
  for (const char* bad :
       {"latency", "latency:", "latency:-1", "latency:1x", "latency:99999999", "Hang", "crash", ""}) {
    EXPECT_FALSE(parse_fault(bad)) << bad;
  }
}

TEST(Faults, SoapFaultOnEachTransport) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    Reply reply = reg->answer(test::request_via(via, test::by_hetu("150395-9187")));
    EXPECT_EQ(reply.fault, Fault::SoapFault);
    reg::Response r = test::parse(reply);
    EXPECT_EQ(r.outcome, reg::Outcome::Fault);
    if (via == Via::XRoad) {
      EXPECT_EQ(reply.status, 200);
      EXPECT_EQ(r.fault_code, "Server.ServerProxy.ServiceFailed");
      EXPECT_TRUE(is_uuid4(r.fault_detail)) << r.fault_detail;
    } else {
      EXPECT_EQ(reply.status, 500);
      EXPECT_EQ(r.fault_code, via == Via::Soso12 ? "soap:Receiver" : "soap:Server");
    }
  }
}

TEST(Faults, BrokenAndOversizedBodies) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    Reply normal = reg->answer(test::request_via(via, test::by_hetu("010190-901R")));
    Reply malformed = reg->answer(test::request_via(via, test::by_hetu("160496-919Y")));
    EXPECT_EQ(malformed.status, 200);
    EXPECT_EQ(malformed.fault, Fault::Malformed);
    // It starts like a real answer...
    EXPECT_EQ(malformed.body.substr(0, 100), normal.body.substr(0, 100));
    // ...and no parser can read it.
    auto m = reg::parse_response(malformed.body);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().kind, reg::ParseErrorKind::Malformed);

    Reply big = reg->answer(test::request_via(via, test::by_hetu("180698-921E")));
    EXPECT_EQ(big.status, 200);
    EXPECT_EQ(big.fault, Fault::Oversized);
    EXPECT_GT(big.body.size(), 2u * 1024 * 1024);
    // Well-formed: a parser allowed that much reads the person.
    reg::ParseLimits roomy;
    roomy.max_bytes = 8 * 1024 * 1024;
    reg::Response r = test::parse(big, roomy);
    EXPECT_EQ(r.outcome, reg::Outcome::Found);
    ASSERT_TRUE(r.person);
    EXPECT_EQ(r.person->surname(), "Ylisuuri");

    Reply err = reg->answer(test::request_via(via, test::by_hetu("140294-917F")));
    EXPECT_EQ(err.status, 500);
    EXPECT_EQ(err.fault, Fault::Http500);
    EXPECT_NE(err.content_type.find("text/html"), std::string::npos);
  }
}

TEST(Faults, WireFaultsCarryTheNormalAnswer) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  struct Case {
    const char* hetu;
    Fault fault;
    int latency;
  };
  for (Case c : {Case{"111181-914B", Fault::Latency, 300}, Case{"121292-915N", Fault::Hang, 0},
                 Case{"130193-916R", Fault::Reset, 0}, Case{"170597-920P", Fault::Truncated, 0}}) {
    SCOPED_TRACE(c.hetu);
    Reply reply = reg->answer(test::request_via(Via::Soso11, test::by_hetu(c.hetu)));
    EXPECT_EQ(reply.fault, c.fault);
    EXPECT_EQ(reply.latency_ms, c.latency);
    EXPECT_EQ(test::parse(reply).code, "0000");
  }
}

TEST(Faults, APersonsFaultNeedsTheQueryToReachThePerson) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  reg::QueryParams p = test::by_hetu("140294-917F");
  p.password = "wrong";
  Reply reply = reg->answer(test::request_via(Via::Soso11, p));
  EXPECT_EQ(reply.fault, Fault::None);
  EXPECT_EQ(test::parse(reply).code, "-1500");
}

TEST(Faults, AGlobalFaultHitsEveryQuery) {
  Options o = test::default_options();
  o.fault = {Fault::SoapFault, 0};
  auto reg = test::load_register(o);
  ASSERT_NE(reg, nullptr);
  reg::QueryParams wrong = test::by_hetu("010190-901R");
  wrong.password = "wrong";
  for (const reg::QueryParams& p : {test::by_hetu("010190-901R"), wrong, test::by_hetu("111181-914B")}) {
    Reply reply = reg->answer(test::request_via(Via::XRoad, p));
    EXPECT_EQ(reply.fault, Fault::SoapFault);
    EXPECT_EQ(test::parse(reply).outcome, reg::Outcome::Fault);
  }
  // Switched off at run time, each person's own fault is back.
  EXPECT_EQ(reg->control("fault=none"), std::nullopt);
  EXPECT_EQ(reg->answer(test::request_via(Via::XRoad, test::by_hetu("010190-901R"))).fault, Fault::None);
  EXPECT_EQ(reg->answer(test::request_via(Via::XRoad, test::by_hetu("111181-914B"))).fault, Fault::Latency);
}

TEST(Control, FaultAndEncodingWithPercentDecoding) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->control("fault=latency%3A250&encoding=iso-8859-1"), std::nullopt);
  Reply reply = reg->answer(test::request_via(Via::Soso11, test::by_hetu("010190-901R")));
  EXPECT_EQ(reply.fault, Fault::Latency);
  EXPECT_EQ(reply.latency_ms, 250);
  EXPECT_EQ(reply.content_type, "text/xml; charset=ISO-8859-1");
  EXPECT_EQ(reg->control("encoding=utf-8&fault=none"), std::nullopt);
  reply = reg->answer(test::request_via(Via::Soso11, test::by_hetu("060666-9092")));  // a Latin-1 person
  EXPECT_EQ(reply.fault, Fault::None);
  EXPECT_EQ(reply.content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(reg->control("encoding=person"), std::nullopt);
  reply = reg->answer(test::request_via(Via::Soso11, test::by_hetu("060666-9092")));
  EXPECT_EQ(reply.content_type, "text/xml; charset=ISO-8859-1");

  EXPECT_EQ(
      reg->control("fault=explode"),
      "unknown fault 'explode' (none, latency:MS, hang, reset, http500, soap-fault, malformed, truncated, "
      "oversized)");
  EXPECT_EQ(reg->control("encoding=latin9"), "unknown encoding 'latin9' (person, utf-8, iso-8859-1)");
  EXPECT_EQ(reg->control("speed=11"), "unknown control 'speed' (fault, encoding)");
  EXPECT_EQ(reg->control("fault=%G1"), "bad percent-encoding in 'fault=%G1'");
  EXPECT_EQ(reg->control(""), "nothing to change: give fault=KIND and/or encoding=person|utf-8|iso-8859-1");
  // A bad argument changes nothing, not even the good half.
  EXPECT_NE(reg->control("fault=hang&encoding=latin9"), std::nullopt);
  EXPECT_EQ(reg->answer(test::request_via(Via::Soso11, test::by_hetu("010190-901R"))).fault, Fault::None);
}

TEST(Counters, CountQueriesByCodeFaultAndTransport) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(
      reg->counters_json(),
      "\"queries\":0,\"by_code\":{},\"by_fault\":{},\"by_transport\":{\"soso11\":0,\"soso12\":0,\"xroad\":0},"
      "\"rejected\":0,\"handling_us\":0");
  reg->answer(test::request_via(Via::Soso11, test::by_hetu("010190-901R")));
  reg->answer(test::request_via(Via::Soso12, test::by_hetu("010190-901R")));
  reg->answer(test::request_via(Via::XRoad, test::by_hetu("050575-908W")));
  reg->answer(test::request_via(Via::XRoad, test::by_hetu("111181-914B")));
  reg::QueryParams wrong = test::by_hetu("010190-901R");
  wrong.password = "wrong";
  reg->answer(test::request_via(Via::XRoad, wrong));
  HttpRequest get = test::request_via(Via::Soso11, wrong);
  get.method = "GET";
  reg->answer(get);
  std::string json = reg->counters_json();
  EXPECT_NE(json.find("\"queries\":5,\"by_code\":{\"0000\":3,\"0001\":1,\"-1500\":1},"
                      "\"by_fault\":{\"latency\":1},\"by_transport\":{\"soso11\":1,\"soso12\":1,\"xroad\":3},"
                      "\"rejected\":1,\"handling_us\":"),
            std::string::npos)
      << json;
  reg->reset_counters();
  EXPECT_TRUE(reg->counters_json().starts_with("\"queries\":0,\"by_code\":{},\"by_fault\":{},"))
      << reg->counters_json();
}

}  // namespace
}  // namespace vtj::sim
