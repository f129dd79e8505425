#include "counters.hpp"

namespace vtj::sim {

void Counters::query(Transport t, std::string_view code, Fault fault) {
  queries_.fetch_add(1, std::memory_order_relaxed);
  by_transport_[static_cast<size_t>(t)].fetch_add(1, std::memory_order_relaxed);
  int i = code_index(code);
  (i >= 0 ? by_code_[static_cast<size_t>(i)] : other_code_).fetch_add(1, std::memory_order_relaxed);
  if (fault != Fault::None) {
    by_fault_[static_cast<size_t>(fault)].fetch_add(1, std::memory_order_relaxed);
  }
}

std::string Counters::json() const {
  auto load = [](const std::atomic<uint64_t>& a) {
    return std::to_string(a.load(std::memory_order_relaxed));
  };
  std::string out = "\"queries\":" + load(queries_) + ",\"by_code\":{";
  bool first = true;
  auto member = [&](std::string_view name, const std::atomic<uint64_t>& a) {
    if (a.load(std::memory_order_relaxed) == 0) {
      return;  // only the codes and faults that occurred: a short, readable status
    }
    out += first ? "\"" : ",\"";
    out += name;
    out += "\":";
    out += load(a);
    first = false;
  };
  for (size_t i = 0; i < kKnownCodes.size(); ++i) {
    member(kKnownCodes[i], by_code_[i]);
  }
  member("other", other_code_);
  out += "},\"by_fault\":{";
  first = true;
  for (size_t i = 1; i < kFaultKinds; ++i) {
    member(to_string(static_cast<Fault>(i)), by_fault_[i]);
  }
  out += "},\"by_transport\":{";
  for (size_t i = 0; i < kTransports; ++i) {
    out += i == 0 ? "\"" : ",\"";
    out += to_string(static_cast<Transport>(i));
    out += "\":";
    out += load(by_transport_[i]);
  }
  out += "},\"rejected\":" + load(rejected_) + ",\"handling_us\":" + load(handling_us_);
  return out;
}

void Counters::reset() {
  queries_.store(0, std::memory_order_relaxed);
  rejected_.store(0, std::memory_order_relaxed);
  handling_us_.store(0, std::memory_order_relaxed);
  other_code_.store(0, std::memory_order_relaxed);
  for (auto& a : by_code_) {
    a.store(0, std::memory_order_relaxed);
  }
  for (auto& a : by_fault_) {
    a.store(0, std::memory_order_relaxed);
  }
  for (auto& a : by_transport_) {
    a.store(0, std::memory_order_relaxed);
  }
}

}  // namespace vtj::sim
