// libFuzzer target: parse_response must never crash, hang or leak on any body the network can send.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vtj/register_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = vtj::reg::parse_response(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.ok() && r->person) {
    // Walk the typed accessors too: they read the tree the parser built.
    (void)r->person->hetu();
    (void)r->person->nationalities();
    (void)r->person->security_prohibition();
    (void)r->person->deceased();
  }
  return 0;
}
