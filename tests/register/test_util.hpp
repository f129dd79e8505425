#pragma once
// Helpers shared by the register tests: reading sample files and timing hostile inputs.

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace vtj::reg::test {

inline std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(VTJ_TEST_DATA_DIR) + "/samples/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <class F>
double seconds_for(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace vtj::reg::test
