#include "load_stats.hpp"

#include <bit>
#include <cstdio>

namespace vtj::bench {

size_t LatencyHistogram::index(uint64_t us) {
  if (us < kLinear) {
    return static_cast<size_t>(us);
  }
  int band = std::bit_width(us) - 11;  // 1024..2047 is band 0
  if (band >= kBands) {
    return kLinear + kBands * kSub - 1;
  }
  auto sub = static_cast<size_t>((us >> (band + 4)) & (kSub - 1));  // the 6 bits after the leading one
  return kLinear + static_cast<size_t>(band) * kSub + sub;
}

uint64_t LatencyHistogram::upper_edge(size_t i) {
  if (i < kLinear) {
    return i;
  }
  size_t band = (i - kLinear) / kSub;
  size_t sub = (i - kLinear) % kSub;
  uint64_t base = uint64_t{1} << (band + 10);
  uint64_t step = base / kSub;
  return base + (sub + 1) * step - 1;
}

void LatencyHistogram::add(uint64_t us) {
  ++buckets_[index(us)];
  ++count_;
  if (us > max_) {
    max_ = us;
  }
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) {
    buckets_[i] += other.buckets_[i];
  }
  count_ += other.count_;
  if (other.max_ > max_) {
    max_ = other.max_;
  }
}

uint64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) {
    return 0;
  }
  auto rank = static_cast<uint64_t>(fraction * static_cast<double>(count_));
  if (rank >= count_) {
    rank = count_ - 1;
  }
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen > rank) {
      return std::min(upper_edge(i), max_);
    }
  }
  return max_;
}

void LoadStats::record(int status, Clock::duration took) {
  if (status >= 200 && status < 300) {
    ++ok;
  } else {
    ++non_2xx;
    ++by_status[status];
  }
  latency.add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
}

void LoadStats::error(const std::string& what) {
  ++transport_errors;
  if (first_error.empty()) {
    first_error = what;
  }
}

void LoadStats::merge(const LoadStats& o) {
  ok += o.ok;
  non_2xx += o.non_2xx;
  for (const auto& [status, n] : o.by_status) {
    by_status[status] += n;
  }
  transport_errors += o.transport_errors;
  connections += o.connections;
  handshakes += o.handshakes;
  resumed += o.resumed;
  bytes_received += o.bytes_received;
  if (first_error.empty()) {
    first_error = o.first_error;
  }
  latency.merge(o.latency);
}

namespace {

double ms(uint64_t us) {
  return static_cast<double>(us) / 1000.0;
}

double per_second(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

}  // namespace

std::string format_summary(const LoadStats& s, double seconds, const LoadOptions& o) {
  uint64_t requests = s.ok + s.non_2xx;
  char buf[1024];
  std::string out;
  std::snprintf(buf, sizeof buf, "vtj-load: %s, %d connections%s, %d threads, %.2f s\n",
                o.http2 ? "HTTP/2" : "HTTP/1.1", o.connections,
                o.http2 ? (", " + std::to_string(o.streams) + " streams each").c_str() : "", o.threads,
                seconds);
  out += buf;
  std::snprintf(buf, sizeof buf, "requests:         %llu (2xx %llu, non-2xx %llu)\n",
                static_cast<unsigned long long>(requests), static_cast<unsigned long long>(s.ok),
                static_cast<unsigned long long>(s.non_2xx));
  out += buf;
  if (!s.by_status.empty()) {
    out += "non-2xx statuses:";
    for (const auto& [status, n] : s.by_status) {
      out += " " + std::to_string(status) + "x" + std::to_string(n);
    }
    out += "\n";
  }
  std::snprintf(
      buf, sizeof buf, "transport errors: %llu%s%s\n", static_cast<unsigned long long>(s.transport_errors),
      s.first_error.empty() ? "" : " (first: ", s.first_error.empty() ? "" : (s.first_error + ")").c_str());
  out += buf;
  std::snprintf(buf, sizeof buf, "requests/s:       %.0f\n", per_second(requests, seconds));
  out += buf;
  std::snprintf(buf, sizeof buf, "latency:          p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                ms(s.latency.percentile(0.50)), ms(s.latency.percentile(0.90)),
                ms(s.latency.percentile(0.99)), ms(s.latency.max()));
  out += buf;
  std::snprintf(buf, sizeof buf, "tls handshakes:   %llu (%llu resumed)\n",
                static_cast<unsigned long long>(s.handshakes), static_cast<unsigned long long>(s.resumed));
  out += buf;
  std::snprintf(buf, sizeof buf, "received:         %.1f MiB\n",
                static_cast<double>(s.bytes_received) / (1 << 20));
  out += buf;
  if (!o.cert_list.empty()) {
    std::string n = std::to_string(o.identities.size());
    out += "identities:       " + n + " from " + o.cert_list + ", connection j presents identity j mod " + n +
           "; " + std::to_string(s.connections) + " connections opened\n";
  }
  return out;
}

std::string format_csv(const LoadStats& s, double seconds) {
  uint64_t requests = s.ok + s.non_2xx;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%llu,%llu,%llu,%llu,%.3f,%.1f,%.3f,%.3f,%.3f,%.3f,%llu,%llu\n",
                static_cast<unsigned long long>(requests), static_cast<unsigned long long>(s.ok),
                static_cast<unsigned long long>(s.non_2xx),
                static_cast<unsigned long long>(s.transport_errors), seconds, per_second(requests, seconds),
                ms(s.latency.percentile(0.50)), ms(s.latency.percentile(0.90)),
                ms(s.latency.percentile(0.99)), ms(s.latency.max()),
                static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.resumed));
  return std::string(
             "requests,ok_2xx,non_2xx,errors,seconds,rps,p50_ms,p90_ms,p99_ms,max_ms,connections_opened,"
             "resumed\n") +
         buf;
}

}  // namespace vtj::bench
