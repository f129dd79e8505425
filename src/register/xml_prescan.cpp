#include "register/xml_prescan.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "register/xml_text.hpp"
#include "text/ascii.hpp"

namespace vtj::reg::detail {

namespace {

ParseError make_error(ParseErrorKind kind, std::string detail) {
  return ParseError{kind, std::move(detail)};
}

// Printable ASCII only, bounded: the name comes from untrusted bytes and ends up in logs.
std::string sanitize_for_log(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    out.push_back(c >= 0x20 && c < 0x7F ? c : '?');
  }
  return out;
}

bool starts_with_bytes(std::string_view s, std::initializer_list<unsigned char> prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  size_t i = 0;
  for (unsigned char b : prefix) {
    if (static_cast<unsigned char>(s[i++]) != b) {
      return false;
    }
  }
  return true;
}

// A pseudo-attribute ("version", "encoding") of an XML declaration, or empty when there is none.
std::string declared(std::string_view bytes, std::string_view attribute) {
  if (bytes.substr(0, 5) != "<?xml" || bytes.size() < 6 || !is_xml_space(bytes[5])) {
    return {};
  }
  std::string_view decl = bytes.substr(0, std::min<size_t>(bytes.size(), 512));
  size_t end = decl.find("?>");
  if (end == std::string_view::npos) {
    return {};
  }
  decl = decl.substr(0, end);
  size_t at = decl.find(attribute);
  if (at == std::string_view::npos) {
    return {};
  }
  size_t i = at + attribute.size();
  while (i < decl.size() && is_xml_space(decl[i])) {
    ++i;
  }
  if (i >= decl.size() || decl[i] != '=') {
    return {};
  }
  ++i;
  while (i < decl.size() && is_xml_space(decl[i])) {
    ++i;
  }
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) {
    return {};
  }
  char quote = decl[i++];
  size_t close = decl.find(quote, i);
  if (close == std::string_view::npos) {
    return {};
  }
  return std::string(decl.substr(i, close - i));
}

bool is_latin1_name(const std::string& n) {
  static const char* const kNames[] = {
      "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "iso-ir-100", "latin1",   "latin-1",
      "l1",         "cp819",     "ibm819",     "csisolatin1",     "8859_1",     "iso8859_1"};
  return std::find(std::begin(kNames), std::end(kNames), n) != std::end(kNames);
}

bool is_utf8_or_ascii_name(const std::string& n) {
  static const char* const kNames[] = {"utf-8",          "utf8",      "us-ascii", "ascii",
                                       "ansi_x3.4-1968", "iso646-us", "us"};
  return std::find(std::begin(kNames), std::end(kNames), n) != std::end(kNames);
}

std::string_view strip_bom(std::string_view bytes) {
  if (starts_with_bytes(bytes, {0xEF, 0xBB, 0xBF})) {
    bytes.remove_prefix(3);
  }
  return bytes;
}

}  // namespace

std::string_view strip_utf8_bom(std::string_view bytes) {
  return strip_bom(bytes);
}

std::string xml_declaration_attribute(std::string_view bytes, std::string_view attribute) {
  return declared(bytes, attribute);
}

Result<SourceEncoding, ParseError> sniff_encoding(std::string_view bytes) {
  if (starts_with_bytes(bytes, {0xFE, 0xFF}) || starts_with_bytes(bytes, {0xFF, 0xFE}) ||
      starts_with_bytes(bytes, {0x00, 0x00}) || starts_with_bytes(bytes, {0x00, 0x3C}) ||
      starts_with_bytes(bytes, {0x3C, 0x00}) || starts_with_bytes(bytes, {0x4C, 0x6F, 0xA7, 0x94})) {
    return err(make_error(ParseErrorKind::Encoding, "UTF-16, UTF-32 or EBCDIC document"));
  }
  bool bom = starts_with_bytes(bytes, {0xEF, 0xBB, 0xBF});
  std::string_view body = strip_bom(bytes);
  std::string name = text::ascii_lower(declared(body, "encoding"));
  Utf8Kind kind = classify_utf8(body);
  if (name.empty() || bom || is_utf8_or_ascii_name(name)) {
    if (kind == Utf8Kind::Invalid) {
      return err(make_error(ParseErrorKind::Encoding, "document is not valid UTF-8"));
    }
    return SourceEncoding::Utf8;
  }
  if (is_latin1_name(name)) {
    return kind == Utf8Kind::MultiByte ? SourceEncoding::Utf8 : SourceEncoding::Latin1;
  }
  return err(make_error(ParseErrorKind::Encoding, "unsupported encoding '" + sanitize_for_log(name) + "'"));
}

bool has_doctype_bytes(std::string_view bytes) {
  for (size_t at = bytes.find("<!"); at != std::string_view::npos; at = bytes.find("<!", at + 2)) {
    std::string_view rest = bytes.substr(at + 2);
    if (rest.substr(0, 7) == "DOCTYPE" || rest.substr(0, 6) == "ENTITY") {
      return true;
    }
  }
  return false;
}

bool too_many_attributes_bytes(std::string_view bytes) {
  auto skip_past = [&](size_t from, std::string_view end) {
    size_t at = bytes.find(end, from);
    return at == std::string_view::npos ? bytes.size() : at + end.size();
  };
  size_t i = 0;
  while ((i = bytes.find('<', i)) != std::string_view::npos) {
    std::string_view rest = bytes.substr(i);
    if (rest.starts_with("<!--")) {
      i = skip_past(i + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      i = skip_past(i + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      i = skip_past(i + 2, "?>");
    } else if (rest.starts_with("</") || rest.starts_with("<!")) {
      i += 2;
    } else {
      size_t count = 0;
      char quote = 0;
      for (++i; i < bytes.size(); ++i) {
        char c = bytes[i];
        if (quote != 0) {
          quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=' && ++count > kMaxAttributes) {
          return true;
        } else if (c == '>') {
          break;
        }
      }
    }
  }
  return false;
}

}  // namespace vtj::reg::detail
