#pragma once
// Shared by the simulator's tests: the default data set, requests made with the CORE's request builders
// (so the tests exercise the real client's documents) and answers read with the CORE's parser.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "register_sim.hpp"
#include "vtj/register_request.hpp"
#include "vtj/register_response.hpp"

namespace vtj::sim::test {

inline constexpr std::string_view kUsername = "vtj-sim-customer";
inline constexpr std::string_view kPassword = "sim-secret-2026";
inline constexpr std::string_view kMessageId = "5f0c7b1e-2a44-4c1d-9b7e-3d2f10a0c001";

enum class Via { Soso11, Soso12, XRoad };
inline const char* to_string(Via v) {
  return v == Via::Soso11 ? "soso11" : v == Via::Soso12 ? "soso12" : "xroad";
}
inline constexpr Via kAllVias[] = {Via::Soso11, Via::Soso12, Via::XRoad};

inline Options default_options() {
  Options o;
  o.data_file = VTJ_SIM_DATA;
  return o;
}

inline std::unique_ptr<Register> load_register(const Options& options = default_options()) {
  auto r = Register::load(options);
  if (!r) {
    ADD_FAILURE() << "loading the register failed: " << r.error();
    return nullptr;
  }
  return std::move(*r);
}

inline reg::QueryParams params(std::string_view product = "PERUSSANOMA3") {
  reg::QueryParams p;
  p.product = product;
  p.username = kUsername;
  p.password = kPassword;
  p.end_user = "vtj-sim-tests";
  return p;
}
inline reg::QueryParams by_hetu(std::string_view hetu, std::string_view product = "PERUSSANOMA3") {
  reg::QueryParams p = params(product);
  p.hetu = hetu;
  return p;
}
inline reg::QueryParams by_satu(std::string_view satu, std::string_view product = "PERUSSANOMA3") {
  reg::QueryParams p = params(product);
  p.satu = satu;
  return p;
}

inline reg::XRoadHeaders xroad_headers() {
  reg::XRoadHeaders h;
  h.client = {"FI-TEST", "MUN", "0101263-6", "vtj-sim-tests", "", ""};
  h.service = {"FI-TEST", "GOV", "0245437-2", "VTJkysely", "HenkilonTunnusKysely", "v1"};
  h.message_id = kMessageId;
  h.user_id = "vtj-sim-tests";
  return h;
}

// An HTTP request as the core's transport would send it; body built by the core.
inline HttpRequest request_via(Via via, const reg::QueryParams& p) {
  HttpRequest r;
  r.method = "POST";
  Result<std::string, reg::RequestError> body = via == Via::Soso11 ? reg::build_soso_request(p)
                                                : via == Via::Soso12
                                                    ? reg::build_soso12_request(p)
                                                    : reg::build_xroad_request(p, xroad_headers());
  if (!body) {
    ADD_FAILURE() << "the core refused to build the request: " << reg::to_string(body.error());
    return r;
  }
  r.body = std::move(*body);
  if (via == Via::XRoad) {
    r.path = "/";
    r.headers = {{"content-type", reg::xroad_content_type()}, {"soapaction", reg::xroad_soap_action()}};
  } else if (via == Via::Soso11) {
    r.path = "/sosowebsite/soso.asmx";
    r.headers = {{"content-type", reg::soso_content_type()}, {"soapaction", reg::soso_soap_action()}};
  } else {
    r.path = "/sosowebsite/soso.asmx";
    r.headers = {{"content-type", reg::soso12_content_type()}};
  }
  return r;
}

// Replaces the first occurrence of `from` (which must be there) in the request body: for requests the
// core's builder rightly refuses to make.
inline void tamper(HttpRequest& r, std::string_view from, std::string_view to) {
  size_t at = r.body.find(from);
  ASSERT_NE(at, std::string::npos) << "not in the request: " << from;
  r.body.replace(at, from.size(), to);
}

// The answer read by the core's parser; a parse failure fails the test.
inline reg::Response parse(const Reply& reply, const reg::ParseLimits& limits = {}) {
  auto r = reg::parse_response(reply.body, limits);
  if (!r) {
    ADD_FAILURE() << "the core could not parse the answer: " << reg::to_string(r.error().kind) << " "
                  << r.error().detail << "\n"
                  << reply.body.substr(0, 2000);
    return {};
  }
  return std::move(*r);
}

inline reg::Response ask(Register& reg, Via via, const reg::QueryParams& p) {
  return parse(reg.answer(request_via(via, p)));
}

}  // namespace vtj::sim::test
