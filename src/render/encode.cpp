// Header encodings and header/variable naming, including the collision test used to scrub spoofed
// client headers.

#include "config/text.hpp"
#include "text/utf8.hpp"
#include "vtj/render.hpp"

#include <algorithm>

namespace vtj::render {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

std::string percent(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (config::is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    text::Utf8Char st = text::decode_utf8(s, i);
    if (!st.valid) {
      // One U+FFFD per maximal ill-formed subpart.
      text::append_utf8(out, text::kReplacementChar);
    } else if (!is_control(st.cp)) {
      out.append(s.substr(i, st.len));
    }
    i += st.len;
  }
  return out;
}

std::string latin1(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    text::Utf8Char st = text::decode_utf8(s, i);
    if (!st.valid || st.cp > 0xFF) {
      out += '?';
    } else if (!is_control(st.cp)) {
      out += static_cast<char>(st.cp);
    }
    i += st.len;
  }
  return out;
}

std::string base64(std::string_view s) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((s.size() + 2) / 3 * 4);
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(s[k])); };
  for (; i + 3 <= s.size(); i += 3) {
    unsigned n = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (size_t rest = s.size() - i; rest > 0) {
    unsigned n = (b(i) << 16) | (rest == 2 ? b(i + 1) << 8 : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Case-folded, '_' as '-': how header names are compared for collisions (CGI and proxies blur both).
char normalized(char c) {
  return c == '_' ? '-' : config::ascii_lower(c);
}

std::string normalize(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    c = normalized(c);
  }
  return out;
}

// Whether `name` begins with `prefix`, which is normalised already (no copy: this runs for every header of
// every request).
bool starts_normalized(std::string_view name, std::string_view prefix) {
  if (name.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (normalized(name[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::string underscored(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!config::is_ascii_alnum(c)) {
      out += '_';
    } else {
      out += upper ? config::ascii_upper(c) : config::ascii_lower(c);
    }
  }
  return out;
}

}  // namespace

std::string encode(std::string_view value, config::Encoding encoding) {
  switch (encoding) {
    case config::Encoding::Percent:
      return percent(value);
    case config::Encoding::Utf8:
      return utf8(value);
    case config::Encoding::Base64:
      return base64(value);
    case config::Encoding::Latin1:
      return latin1(value);
  }
  return percent(value);
}

std::vector<std::pair<std::string, std::string>> headers(const std::vector<FieldValue>& values,
                                                         config::Encoding encoding) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(values.size());
  for (const FieldValue& v : values) {
    std::string encoded = encode(v.value, encoding);
    if (!encoded.empty()) {
      out.emplace_back(v.header, std::move(encoded));
    }
  }
  return out;
}

std::string env_name(std::string_view header) {
  return underscored(header, true);
}

std::string variable_name(std::string_view field) {
  return "vtj_" + underscored(field, false);
}

std::vector<std::string> owned_header_names(const config::Settings& s) {
  std::vector<std::string> out;
  if (s.headers.empty()) {
    for (const FieldInfo& f : fields()) {
      out.push_back(s.header_prefix + std::string(f.header_suffix));
    }
    return out;
  }
  bool status = false;
  bool prohibition = false;
  for (const config::HeaderSpec& h : s.headers) {
    out.push_back(h.header);
    status = status || is_field(h, "status");
    prohibition = prohibition || is_field(h, "security-prohibition");
  }
  if (!prohibition) {
    out.push_back(s.header_prefix + "Security-Prohibition");
  }
  if (!status) {
    out.push_back(s.header_prefix + "Status");
  }
  return out;
}

HeaderScrubber::HeaderScrubber(const config::Settings& s) {
  add(s);
}

void HeaderScrubber::add(const config::Settings& s) {
  auto keep = [](std::vector<std::string>& into, std::string name) {
    if (!name.empty() && std::find(into.begin(), into.end(), name) == into.end()) {
      into.push_back(std::move(name));
    }
  };
  keep(prefixes_, normalize(s.header_prefix));
  for (const std::string& owned : owned_header_names(s)) {
    keep(owned_, normalize(owned));
  }
}

bool HeaderScrubber::collides(std::string_view client_header) const {
  for (const std::string& prefix : prefixes_) {
    if (starts_normalized(client_header, prefix)) {
      return true;
    }
  }
  for (const std::string& owned : owned_) {
    if (owned.size() == client_header.size() && starts_normalized(client_header, owned)) {
      return true;
    }
  }
  return false;
}

bool collides(std::string_view client_header, const config::Settings& s) {
  return HeaderScrubber(s).collides(client_header);
}

}  // namespace vtj::render
