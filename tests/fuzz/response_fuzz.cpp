// libFuzzer target: parse_response must never crash, hang or leak on any body the network can send.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vtj/register_query.hpp"
#include "vtj/register_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = vtj::reg::parse_response(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.ok()) {
    if (r->person) {
      // Walk the typed accessors too: they read the tree the parser built.
      (void)r->person->hetu();
      (void)r->person->nationalities();
      (void)r->person->security_prohibition();
      (void)r->person->deceased();
    }
    // And the answer check the caller runs next, for a query by hetu and one by SATU.
    vtj::reg::QueryParams by_hetu;
    by_hetu.hetu = "010170-960F";
    (void)vtj::reg::answer_mismatch(by_hetu, *r);
    vtj::reg::QueryParams by_satu;
    by_satu.satu = "12345678N";
    (void)vtj::reg::answer_mismatch(by_satu, *r);
  }
  return 0;
}
