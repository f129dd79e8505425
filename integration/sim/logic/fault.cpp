// Fault names as the data set, --fault and /control spell them.

#include <charconv>

#include "register_sim.hpp"

namespace vtj::sim {

const char* to_string(Fault fault) {
  switch (fault) {
    case Fault::None:
      return "none";
    case Fault::Latency:
      return "latency";
    case Fault::Hang:
      return "hang";
    case Fault::Reset:
      return "reset";
    case Fault::Http500:
      return "http500";
    case Fault::SoapFault:
      return "soap-fault";
    case Fault::Malformed:
      return "malformed";
    case Fault::Truncated:
      return "truncated";
    case Fault::Oversized:
      return "oversized";
  }
  return "none";
}

std::optional<FaultSpec> parse_fault(std::string_view text) {
  constexpr std::string_view kLatency = "latency:";
  if (text.substr(0, kLatency.size()) == kLatency) {
    std::string_view ms = text.substr(kLatency.size());
    int value = 0;
    auto [end, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), value);
    // An hour is far beyond any client timeout; larger values are typos, not tests.
    if (ms.empty() || ec != std::errc() || end != ms.data() + ms.size() || value < 0 || value > 3600000) {
      return std::nullopt;
    }
    return FaultSpec{Fault::Latency, value};
  }
  for (Fault f : {Fault::None, Fault::Hang, Fault::Reset, Fault::Http500, Fault::SoapFault, Fault::Malformed,
                  Fault::Truncated, Fault::Oversized}) {
    if (text == to_string(f)) {
      return FaultSpec{f, 0};
    }
  }
  return std::nullopt;
}

}  // namespace vtj::sim
