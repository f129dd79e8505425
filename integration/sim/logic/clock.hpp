#pragma once
// The register's two timestamp forms, in local time as the register writes them: tietojenPoimintaaika
// (YYYYMMDDhhmmss) and the Asiakasinfo texts (dd.mm.yyyy hh:mm). Formatted once per second per thread.

#include <ctime>
#include <string_view>

namespace vtj::sim {

struct Stamp {
  std::time_t when = 0;
  char compact[15] = {};  // YYYYMMDDhhmmss
  char info[17] = {};     // dd.mm.yyyy hh:mm

  std::string_view compact_view() const { return {compact, 14}; }
  std::string_view info_view() const { return {info, 16}; }
};

const Stamp& stamp_at(std::time_t when);

}  // namespace vtj::sim
