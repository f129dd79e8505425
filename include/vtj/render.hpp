#pragma once
// Person + mapping -> header names and values: the field table of CONTRACT.md, the security-prohibition
// filter, the header encodings, and the names the server adapters scrub from client requests.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vtj/config.hpp"
#include "vtj/person.hpp"

namespace vtj::render {

struct FieldInfo {
  std::string_view name;           // hetu, given-names, ...
  std::string_view source;         // the response path, or a description for derived fields
  std::string_view header_suffix;  // default header = prefix + suffix
  bool address;                    // withheld under a security prohibition (VTJSecurityProhibition withhold)
};

std::span<const FieldInfo> fields();
// A field by name, case-insensitively (Surname, GIVEN-NAMES); null for paths.
const FieldInfo* find_field(std::string_view name);
// True when a VTJHeader entry names this field (`field` in its canonical lower case).
bool is_field(const config::HeaderSpec& spec, std::string_view field);
// A path of element names under Henkilo: segments [A-Za-z][A-Za-z0-9_]* separated by '/'.
bool is_valid_path(std::string_view path);
// True when a path goes through an address element (…Lahiosoite, …Postiosoite, VakinainenAsuinpaikka)
// or Kotikunta, case-insensitively. …Postiosoite also takes Sahkopostiosoite (e-mail): withheld on purpose.
bool is_address_path(std::string_view path);

// DDMMYYCZZZQ -> YYYY-MM-DD; empty unless the hetu is well formed (date, century sign, check character).
std::string birth_date(std::string_view hetu);

struct FieldValue {
  std::string field;
  std::string header;
  std::string value;  // raw UTF-8
};

struct RenderInput {
  const reg::Person* person = nullptr;  // null: no data (status unavailable)
  std::string certificate_satu;
  std::string queried_satu;
  std::string status;  // ok | stale | unavailable
};

// The fields to send, in order: the default set or the configured VTJHeader list, with the prohibition
// applied; empty values yield no entry; security-prohibition and status are always present.
std::vector<FieldValue> select(const RenderInput& input, const config::Settings& settings);

// No encoding ever lets CR, LF or NUL through.
std::string encode(std::string_view utf8, config::Encoding encoding);

// (name, encoded value) for each field; a value that encodes to nothing yields no header.
std::vector<std::pair<std::string, std::string>> headers(const std::vector<FieldValue>& values,
                                                         config::Encoding encoding);

std::string env_name(std::string_view header);      // VTJ-Given-Names -> VTJ_GIVEN_NAMES
std::string variable_name(std::string_view field);  // given-names -> vtj_given_names

// Every header name the module may set for these settings.
std::vector<std::string> owned_header_names(const config::Settings& settings);
// A client-sent header the module must scrub: equal (case-insensitively, '_' as '-') to an owned name or
// starting with the header prefix. The owned names are normalised once, when the configuration is read,
// so the per-request check only normalises the client's name.
// A scrubber may also hold the names of several configurations (every context of a virtual host or
// server block): one normalisation of the client's name answers for all of them.
class HeaderScrubber {
 public:
  HeaderScrubber() = default;
  explicit HeaderScrubber(const config::Settings& settings);
  // Adds another configuration's prefix and names.
  void add(const config::Settings& settings);
  bool collides(std::string_view client_header) const;

 private:
  std::vector<std::string> prefixes_;  // normalised, non-empty, unique
  std::vector<std::string> owned_;     // normalised, unique
};

// The same for a one-off check (the CLI, tests): builds a HeaderScrubber each call.
bool collides(std::string_view client_header, const config::Settings& settings);

}  // namespace vtj::render
