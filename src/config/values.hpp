#pragma once
// Parsers of structured directive values (internal). Each returns the problem, phrased for an operator,
// or nothing; a problem never echoes a URL's user-info part.

#include <optional>
#include <string>
#include <string_view>

#include "text/ascii.hpp"
#include "vtj/config.hpp"

namespace vtj::config {

using Problem = std::optional<std::string>;

using text::parse_int;
// http:// or https:// with a host, an optional port 1-65535, no user-info.
Problem parse_url(const std::string& arg, std::string& out);
// INSTANCE/CLASS/CODE/SUBSYSTEM, plus SERVICE[/VERSION] for a service.
Problem parse_xroad_id(const std::string& arg, bool service, reg::XRoadId& out);
// shm:SIZE[K|M|G] (at least 1M), redis://HOST[:PORT][/DB], or none.
Problem parse_cache(const std::string& arg, CacheSpec& out);

}  // namespace vtj::config
