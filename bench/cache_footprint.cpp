// vtj-cache-footprint: how much shared memory the cache needs per cached person. It fills the real
// shared-memory store through the real Cache front (HMAC keys, AES-256-GCM values) with distinct
// persons, each the largest record the default projection keeps of any sample response (with the
// person's own SATU), reads every one back (decrypted, parsed and compared), and finds the smallest
// segment, in whole MiB, at which none was lost. It also measures what the documented sizing (one entry
// per person), a 1 KiB budget per person and the default shm:64M retain.
//
//   vtj-cache-footprint [--persons N] [--size BYTES[K|M|G]]
//
// Output: one `name: value` line each, for scripts.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench_data.hpp"
#include "vtj/cache.hpp"
#include "vtj/identity.hpp"

namespace {

using vtj::cache::Cache;
using vtj::cache::Key;
using namespace std::chrono_literals;

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kDefaultSegment = 64 * kMiB;  // VTJCache's default
constexpr int kTtlSeconds = 600;

struct Options {
  uint32_t persons = 100000;
  std::optional<size_t> size;
};

constexpr const char* kUsage = "usage: vtj-cache-footprint [--persons N] [--size BYTES[K|M|G]]\n";

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "error: %s\n%s", why, kUsage);
  std::exit(2);
}

// Digits, with a K, M or G suffix (binary) where `suffix` allows one.
size_t parse_number(std::string_view text, bool suffix) {
  size_t scale = 1;
  if (suffix && !text.empty() && std::strchr("KMG", text.back()) != nullptr) {
    scale = text.back() == 'K' ? size_t{1} << 10 : text.back() == 'M' ? kMiB : size_t{1} << 30;
    text.remove_suffix(1);
  }
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos || text.size() > 12) {
    usage("expected a number");
  }
  return std::stoull(std::string(text)) * scale;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      usage("an option without its value");
    }
    std::string_view value = argv[++i];
    if (arg == "--persons") {
      size_t n = parse_number(value, false);
      // At least enough for a 1 KiB budget each to make one bucket; as many as there are SATUs.
      if (n < 8 || n > 79999998) {
        usage("--persons takes 8 to 79999998");
      }
      o.persons = static_cast<uint32_t>(n);
    } else if (arg == "--size") {
      o.size = parse_number(value, true);
    } else {
      usage("unknown option");
    }
  }
  return o;
}

// The persons: their SATUs, their records and the cache keys (one secret for every probe, as one server
// start has).
class Population {
 public:
  explicit Population(uint32_t persons) : secret_(vtj::cache::Secret::random()) {
    const auto loc = vtj::bench::default_location();
    const auto& projection = loc->projection();
    projection_size_ = projection.size();
    vtj::bench::SampleRecord sample = vtj::bench::largest_record(projection);
    sample_file_ = sample.file;
    satu_index_ = static_cast<uint32_t>(
        std::find(projection.begin(), projection.end(), "SahkoinenAsiointitunnus") - projection.begin());
    base_ = sample.record;
    // The person's SATU in place of the sample's (or besides its values when the sample has none).
    std::erase_if(base_.values, [&](const auto& v) { return v.first == satu_index_; });
    const Cache keys(vtj::cache::make_none_store(), secret_);
    for (uint32_t i = 0; i < persons; ++i) {
      satus_.push_back(vtj::bench::satu_for(i));
      keys_.push_back(keys.key_for(loc->scope(), vtj::bench::satu_identity(satus_.back())));
    }
  }

  uint32_t size() const { return static_cast<uint32_t>(satus_.size()); }
  const Key& key(uint32_t i) const { return keys_[i]; }
  const std::string& satu(uint32_t i) const { return satus_[i]; }
  const vtj::cache::Secret& secret() const { return secret_; }
  const std::string& sample_file() const { return sample_file_; }

  std::string record(uint32_t i) const {
    vtj::engine::Record r = base_;
    r.values.emplace_back(satu_index_, satus_[i]);
    return r.serialize();
  }
  // Whether `bytes` is person i's record.
  bool is_record_of(uint32_t i, const std::string& bytes) const {
    auto r = vtj::engine::Record::parse(bytes, projection_size_);
    return r && r->values.size() == base_.values.size() + 1 && r->values.back().second == satus_[i];
  }

 private:
  vtj::cache::Secret secret_;
  std::string sample_file_;
  uint32_t satu_index_ = 0;
  size_t projection_size_ = 0;
  vtj::engine::Record base_;
  std::vector<std::string> satus_;
  std::vector<Key> keys_;
};

struct Probe {
  size_t requested = 0;      // the segment size asked for
  size_t segment_bytes = 0;  // what the store occupies (the request rounded down to whole buckets)
  uint64_t capacity = 0;
  uint32_t retained = 0;
  uint64_t evictions = 0;
  uint64_t too_large = 0;
  double seconds = 0;
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "error: %s\n", what.c_str());
  std::exit(1);
}

// Stores every person in a new segment of `bytes`, then reads every one back.
Probe probe(const Population& people, size_t bytes) {
  const auto started = std::chrono::steady_clock::now();
  auto store = vtj::cache::make_shm_store(bytes);
  if (!store.ok()) {
    fail(store.error());
  }
  Cache cache(std::move(store).value(), people.secret());
  for (uint32_t i = 0; i < people.size(); ++i) {
    Cache::Acquired lead = cache.acquire(people.key(i), std::chrono::steady_clock::now() + 1s, 5s);
    if (lead.kind != vtj::cache::Store::Acquired::Kind::Lead) {
      fail("person " + std::to_string(i) + " was found before it was stored");
    }
    cache.complete(people.key(i), lead.flight, people.record(i), kTtlSeconds, vtj::engine::kStaleKeepSeconds);
  }
  Probe p;
  for (uint32_t i = 0; i < people.size(); ++i) {
    std::optional<std::string> got = cache.peek(people.key(i));
    if (got && people.is_record_of(i, *got)) {
      ++p.retained;
    } else if (got) {
      fail("person " + std::to_string(i) + " came back as another record");
    }
  }
  const vtj::cache::StoreStats st = cache.store().stats();
  p.requested = bytes;
  p.segment_bytes = st.bytes;
  p.capacity = st.capacity;
  p.evictions = st.evictions;
  p.too_large = st.too_large;
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("probe: segment_bytes=%zu capacity=%llu retained=%u evicted=%llu too_large=%llu seconds=%.2f\n",
              p.segment_bytes, static_cast<unsigned long long>(p.capacity), p.retained,
              static_cast<unsigned long long>(p.evictions), static_cast<unsigned long long>(p.too_large),
              p.seconds);
  if (p.too_large != 0) {
    fail("the record does not fit an entry: nothing can be measured");
  }
  return p;
}

bool all_retained(const Probe& p, const Population& people) {
  return p.retained == people.size();
}

void print_at(const char* name, const Probe& p, const Population& people) {
  std::printf("bytes_per_person_at_%s: %.1f\n", name, static_cast<double>(p.segment_bytes) / people.size());
  std::printf("retained_at_%s: %u/%u\n", name, p.retained, people.size());
}

void print_result(const Probe& p, const Population& people) {
  std::printf("segment_bytes: %zu\n", p.segment_bytes);
  std::printf("capacity_entries: %llu\n", static_cast<unsigned long long>(p.capacity));
  std::printf("bytes_per_person: %.1f\n", static_cast<double>(p.segment_bytes) / people.size());
  std::printf("retained_at_size: %u/%u\n", p.retained, people.size());
}

// The shared memory per smallest entry the store counts (its capacity): where the search for the smallest
// segment starts, below what any real entry needs.
double entry_bytes() {
  auto a = vtj::cache::make_shm_store(kMiB);
  auto b = vtj::cache::make_shm_store(2 * kMiB);
  if (!a.ok() || !b.ok()) {
    fail("cannot make a 1 MiB or 2 MiB segment");
  }
  const vtj::cache::StoreStats sa = a.value()->stats(), sb = b.value()->stats();
  return static_cast<double>(sb.bytes - sa.bytes) / static_cast<double>(sb.capacity - sa.capacity);
}

struct Smallest {
  Probe fits;   // the smallest whole-MiB segment at which every person comes back
  Probe below;  // one MiB less: some are lost
};

// From the least segment that has an entry for each person, doubling until none is lost, then halving
// the gap. Which persons share a bucket depends on the segment's size, so the search assumes (and the
// `below` probe shows) that one MiB less loses some.
Smallest smallest_segment(const Population& people, double per_entry) {
  size_t low = static_cast<size_t>(per_entry * people.size()) / kMiB;  // fewer entries than persons
  size_t high = low + 1;
  std::optional<Probe> fits, below;
  while (!fits) {
    Probe p = probe(people, high * kMiB);
    if (all_retained(p, people)) {
      fits = p;
    } else {
      low = high;
      below = p;
      high *= 2;
    }
  }
  while (high - low > 1) {
    const size_t mid = low + (high - low) / 2;
    Probe p = probe(people, mid * kMiB);
    if (all_retained(p, people)) {
      high = mid;
      fits = p;
    } else {
      low = mid;
      below = p;
    }
  }
  if (!below || below->requested != low * kMiB) {
    below = low == 0 ? Probe{} : probe(people, low * kMiB);
  }
  return Smallest{*fits, *below};
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  const Population people(options.persons);
  if (!vtj::identity::Satu::parse(people.satu(people.size() - 1)).ok()) {
    fail("made-up SATU " + people.satu(people.size() - 1) + " is not valid");
  }
  const std::string record = people.record(0);
  const double per_entry = entry_bytes();

  std::printf("persons: %u\n", people.size());
  std::printf("record_sample: %s\n", people.sample_file().c_str());
  std::printf("record_bytes: %zu\n", record.size());
  std::printf("sealed_bytes: %zu\n",
              Cache(vtj::cache::make_none_store(), people.secret()).seal(Key{}, record).size());

  if (options.size) {
    const Probe p = probe(people, *options.size);
    print_result(p, people);
    return 0;
  }
  // The 1 KiB budget and the default segment.
  print_at("1KiB_each", probe(people, size_t{1024} * people.size()), people);
  print_at("default_64M", probe(people, kDefaultSegment), people);

  const Smallest smallest = smallest_segment(people, per_entry);
  print_result(smallest.fits, people);
  std::printf("load_factor: %.3f\n",
              static_cast<double>(people.size()) / static_cast<double>(smallest.fits.capacity));
  std::printf("retained_one_mib_less: %u/%u\n", smallest.below.retained, people.size());
  return 0;
}
