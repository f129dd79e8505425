#pragma once
// The standard HTTP request headers the module must never own: a VTJHeader name among them, or a
// VTJHeaderPrefix that covers one, would make the module scrub that header from every request (or
// refuse every request under VTJSpoofPolicy reject). Internal, not public API.

#include <string>
#include <string_view>
#include <vector>

namespace vtj::config {

// The standard header `name` is, compared as render::collides compares (case-insensitively, '_' as
// '-'): "Cookie", or "Content-*" for a name in a family; empty when it is none.
std::string reserved_header(std::string_view name);
// A standard header whose name starts with `prefix`, or the family `prefix` lies inside ("Sec-VTJ-" is
// inside "Sec-*"); empty when there is none.
std::string reserved_under_prefix(std::string_view prefix);
// Every entry as the messages name it ("Cookie", "Content-*"): for the documentation check.
std::vector<std::string> reserved_headers();

}  // namespace vtj::config
