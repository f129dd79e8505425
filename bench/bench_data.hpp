#pragma once
// What the benchmarks share: the project's register responses (tests/data), the record the engine caches
// for one of them, and valid SATUs for made-up citizens. Header-only: each benchmark is one program.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vtj/engine.hpp"
#include "vtj/register_response.hpp"

namespace vtj::bench {

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every XML document the tests read as a register answer: the published samples (tests/data/samples,
// with its xroad/ folder) and the project's own cases (tests/data/responses), by name relative to
// tests/data, sorted.
inline std::vector<std::string> response_files() {
  namespace fs = std::filesystem;
  const fs::path root(VTJ_TEST_DATA_DIR);
  std::vector<std::string> names;
  for (const char* dir : {"samples", "responses"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".xml") {
        names.push_back(fs::relative(entry.path(), root).generic_string());
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string response_text(const std::string& name) {
  return slurp(std::filesystem::path(VTJ_TEST_DATA_DIR) / name);
}

// The location of the default configuration (VTJ Off needs no files): its projection is what a cache
// entry keeps when no VTJHeader adds paths.
inline std::shared_ptr<const engine::Location> default_location() {
  auto loc = engine::Location::prepare(config::Settings{});
  if (!loc.ok()) {
    throw std::runtime_error("default location: " + loc.error().to_string());
  }
  return loc.value();
}

struct SampleRecord {
  std::string file;  // relative to tests/data
  engine::Record record;
  std::string serialized;
};

// The largest record `projection` keeps of any sample person: the most a cache entry holds for a real
// answer.
inline SampleRecord largest_record(const std::vector<std::string>& projection) {
  std::optional<SampleRecord> best;
  for (const std::string& name : response_files()) {
    auto r = reg::parse_response(response_text(name));
    if (!r.ok() || !r->person) {
      continue;
    }
    engine::Record record = engine::Record::from_response(*r, projection);
    std::string bytes = record.serialize();
    if (!best || bytes.size() > best->serialized.size()) {
      best = SampleRecord{name, std::move(record), std::move(bytes)};
    }
  }
  if (!best) {
    throw std::runtime_error("no sample response with a person under " VTJ_TEST_DATA_DIR);
  }
  return *best;
}

// The n-th SATU from 10000001 on: eight digits and the check character (the number mod 31 in the hetu
// alphabet).
inline std::string satu_for(uint32_t n) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFHJKLMNPRSTUVWXY";
  const uint32_t number = 10000001 + n;
  return std::to_string(number) + kAlphabet[number % 31];
}

// The identity material the engine's cache key hashes for a SATU (VTJCertificateCheck On appends
// "|cert:" and the certificate's SHA-256 in hex).
inline std::string satu_identity(const std::string& satu) {
  return "satu:" + satu;
}

}  // namespace vtj::bench
