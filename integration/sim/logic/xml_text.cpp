#include "xml_text.hpp"

#include "utf8.hpp"

namespace vtj::sim {

bool decode_xml_text(std::string_view raw, std::string& out, bool attribute) {
  if (raw.find_first_of(attribute ? "&\r\n\t" : "&\r") == std::string_view::npos) {
    out.append(raw);
    return true;
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\r') {
      if (i + 1 < raw.size() && raw[i + 1] == '\n') {
        ++i;
      }
      out.push_back(attribute ? ' ' : '\n');
      continue;
    }
    if (attribute && (c == '\n' || c == '\t')) {
      out.push_back(' ');
      continue;
    }
    if (c != '&') {
      out.push_back(c);
      continue;
    }
    size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      return false;
    }
    std::string_view ref = raw.substr(i + 1, semi - i - 1);
    i = semi;
    if (ref == "lt") {
      out.push_back('<');
    } else if (ref == "gt") {
      out.push_back('>');
    } else if (ref == "amp") {
      out.push_back('&');
    } else if (ref == "quot") {
      out.push_back('"');
    } else if (ref == "apos") {
      out.push_back('\'');
    } else if (ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view num = ref.substr(hex ? 2 : 1);
      if (num.empty()) {
        return false;
      }
      char32_t cp = 0;
      for (char d : num) {
        int v = (d >= '0' && d <= '9')          ? d - '0'
                : (hex && d >= 'a' && d <= 'f') ? d - 'a' + 10
                : (hex && d >= 'A' && d <= 'F') ? d - 'A' + 10
                                                : -1;
        if (v < 0 || cp > 0x10FFFF) {
          return false;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(v);
      }
      if (!is_xml_char(cp)) {
        return false;
      }
      append_utf8(out, cp);
    } else {
      return false;  // no DTD, so no other entity can be declared
    }
  }
  return true;
}

bool has_forbidden_control(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return true;
    }
  }
  return false;
}

}  // namespace vtj::sim
