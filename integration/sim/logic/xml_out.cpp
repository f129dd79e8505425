#include "xml_out.hpp"

#include "utf8.hpp"

namespace vtj::sim {

void XmlOut::leaf(std::string_view name, std::string_view value) {
  if (value.empty() && !empty_pairs_) {
    out_ += '<';
    out_ += prefix_;
    out_ += name;
    out_ += "/>";
    return;
  }
  open(name);
  text(value);
  close(name);
}

namespace {

// An ASCII byte that needs no escaping.
bool plain(unsigned char u) {
  return u < 0x80 && u != '&' && u != '<' && u != '>' && u != '"' && u != '\r';
}

}  // namespace

void XmlOut::escape(std::string_view s, bool attribute) {
  size_t pos = 0;
  while (pos < s.size()) {
    // Copy the run that needs nothing done (most of every value) in one append.
    size_t run = pos;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) {
      ++run;
    }
    if (run > pos) {
      out_.append(s.data() + pos, run - pos);
      pos = run;
      continue;
    }
    char c = s[pos];
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      ++pos;
      switch (c) {
        case '&':
          out_ += "&amp;";
          break;
        case '<':
          out_ += "&lt;";
          break;
        case '>':
          out_ += "&gt;";
          break;
        case '"':
          if (attribute) {
            out_ += "&quot;";
          } else {
            out_ += c;
          }
          break;
        case '\r':
          out_ += "&#13;";  // a literal CR would be normalised away by the reader
          break;
        default:
          out_ += c;
      }
      continue;
    }
    size_t start = pos;
    char32_t cp = next_utf8(s, pos);
    if (cp == kBadChar) {
      // Values are validated on the way in; whatever slipped through, never emit ill-formed bytes.
      out_ += latin1_ ? "&#65533;" : "\xEF\xBF\xBD";
      continue;
    }
    if (!latin1_) {
      out_.append(s.substr(start, pos - start));
    } else if (cp <= 0xFF) {
      out_ += static_cast<char>(cp);
    } else {
      out_ += "&#";
      out_ += std::to_string(static_cast<unsigned long>(cp));
      out_ += ';';
    }
  }
}

}  // namespace vtj::sim
