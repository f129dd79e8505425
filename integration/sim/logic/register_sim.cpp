// The Register of register_sim.hpp: request in, reply out, with the data set, the certificate checker,
// the runtime controls and the counters.

#include "register_sim.hpp"

#include <chrono>
#include <ctime>

#include "cert_check.hpp"
#include "clock.hpp"
#include "counters.hpp"
#include "dataset.hpp"
#include "envelope.hpp"
#include "rules.hpp"
#include "soap_request.hpp"

namespace vtj::sim {

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

namespace {

// Oversized: past 2 MiB by a margin, so a client limit of exactly 2 MiB is crossed too.
constexpr size_t kOversizedPadding = 2 * 1024 * 1024 + 64 * 1024;

std::optional<std::string> percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return std::nullopt;
      }
      int hi = hex(s[i + 1]);
      int lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<ResponseEncoding> parse_encoding(std::string_view v) {
  if (v == "person") {
    return ResponseEncoding::PerPerson;
  }
  if (v == "utf-8") {
    return ResponseEncoding::Utf8;
  }
  if (v == "iso-8859-1") {
    return ResponseEncoding::Latin1;
  }
  return std::nullopt;
}

class RegisterImpl final : public Register {
 public:
  RegisterImpl(Dataset data, CertificateChecker certificates, const Options& options)
      : data_(std::move(data)), certificates_(std::move(certificates)) {
    set_fault(options.fault);
    encoding_.store(static_cast<int>(options.encoding), std::memory_order_relaxed);
  }

  Reply answer(const HttpRequest& request) override {
    auto start = std::chrono::steady_clock::now();
    Reply reply = respond(request);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    counters_.handling(static_cast<uint64_t>(us.count()));
    return reply;
  }

  std::string counters_json() const override { return counters_.json(); }
  void reset_counters() override { counters_.reset(); }

  std::optional<std::string> control(std::string_view query) override {
    std::optional<FaultSpec> fault;
    std::optional<ResponseEncoding> encoding;
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
      if (pair.empty()) {
        continue;
      }
      size_t eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq));
      auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
      if (!key || !value) {
        return "bad percent-encoding in '" + std::string(pair) + "'";
      }
      if (*key == "fault") {
        fault = parse_fault(*value);
        if (!fault) {
          return "unknown fault '" + *value +
                 "' (none, latency:MS, hang, reset, http500, soap-fault, malformed, truncated, oversized)";
        }
      } else if (*key == "encoding") {
        encoding = parse_encoding(*value);
        if (!encoding) {
          return "unknown encoding '" + *value + "' (person, utf-8, iso-8859-1)";
        }
      } else {
        return "unknown control '" + *key + "' (fault, encoding)";
      }
    }
    if (!fault && !encoding) {
      return std::string("nothing to change: give fault=KIND and/or encoding=person|utf-8|iso-8859-1");
    }
    if (fault) {
      set_fault(*fault);
    }
    if (encoding) {
      encoding_.store(static_cast<int>(*encoding), std::memory_order_relaxed);
    }
    return std::nullopt;
  }

 private:
  // Kind and latency in one word, so a reader never sees one control's kind with another's latency.
  void set_fault(FaultSpec f) {
    fault_.store((static_cast<uint64_t>(f.fault) << 32) | static_cast<uint32_t>(f.latency_ms),
                 std::memory_order_relaxed);
  }
  FaultSpec global_fault() const {
    uint64_t v = fault_.load(std::memory_order_relaxed);
    return FaultSpec{static_cast<Fault>(v >> 32), static_cast<int>(v & 0xFFFFFFFFu)};
  }

  Reply respond(const HttpRequest& request) {
    auto query = parse_request(request);
    if (!query) {
      counters_.rejected();
      return rejection_reply(query.error());
    }
    std::time_t now = std::time(nullptr);
    Decision d = decide(*query, data_, certificates_, now);
    // A global fault hits every query; a person's only the queries that reached that person.
    FaultSpec fault = global_fault();
    if (fault.fault == Fault::None && d.person != nullptr) {
      fault = d.person->fault;
    }
    auto encoding = static_cast<ResponseEncoding>(encoding_.load(std::memory_order_relaxed));
    bool latin1 = encoding == ResponseEncoding::Latin1 ||
                  (encoding == ResponseEncoding::PerPerson && d.person != nullptr && d.person->latin1);
    Reply reply;
    if (fault.fault == Fault::Http500) {
      reply = http500_reply();
    } else if (fault.fault == Fault::SoapFault) {
      reply = server_fault_reply(query->transport);
    } else {
      AnswerInput in{*query,        d,      request.body,
                     stamp_at(now), latin1, fault.fault == Fault::Oversized ? kOversizedPadding : 0};
      reply = answer_reply(in);
      if (fault.fault == Fault::Malformed) {
        reply.body = malformed_body(reply.body);
      }
    }
    reply.fault = fault.fault;
    reply.latency_ms = fault.fault == Fault::Latency ? fault.latency_ms : 0;
    counters_.query(query->transport, d.code, fault.fault);
    return reply;
  }

  const Dataset data_;
  const CertificateChecker certificates_;
  Counters counters_;
  std::atomic<uint64_t> fault_{0};
  std::atomic<int> encoding_{0};
};

}  // namespace

Result<std::unique_ptr<Register>, std::string> Register::load(const Options& options) {
  auto data = load_dataset(options.data_file);
  if (!data) {
    return err(data.error());
  }
  auto certificates = CertificateChecker::load(options.citizen_ca_files, options.crl_files);
  if (!certificates) {
    return err(certificates.error());
  }
  return std::unique_ptr<Register>(
      std::make_unique<RegisterImpl>(std::move(*data), std::move(*certificates), options));
}

}  // namespace vtj::sim
