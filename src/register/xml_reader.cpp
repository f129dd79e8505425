#include "register/xml_reader.hpp"

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLPScanToken.hpp>
#include <xercesc/internal/XMLScanner.hpp>
#include <xercesc/parsers/SAXParser.hpp>
#include <xercesc/sax/AttributeList.hpp>
#include <xercesc/sax/HandlerBase.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLException.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "register/xml_text.hpp"
#include "vtj/identity.hpp"

namespace vtj::reg::detail {

namespace xc = XERCES_CPP_NAMESPACE;
static_assert(std::is_same_v<XMLCh, char16_t>, "Xerces must be built with char16_t XMLCh");

namespace {

ParseError make_error(ParseErrorKind kind, std::string detail) {
  return ParseError{kind, std::move(detail)};
}

bool xerces_ready() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    try {
      xc::XMLPlatformUtils::Initialize();
      ok = true;
    } catch (...) {
      ok = false;
    }
  });
  return ok;
}

std::string to_utf8(const XMLCh* s) {
  std::string out;
  if (s != nullptr) {
    append_utf16_as_utf8(out, s, std::char_traits<char16_t>::length(s));
  }
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
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

// The encoding pseudo-attribute of an XML declaration, or empty when there is none.
std::string declared_encoding(std::string_view bytes) {
  if (bytes.substr(0, 5) != "<?xml" || bytes.size() < 6 || !is_xml_space(bytes[5])) {
    return {};
  }
  std::string_view decl = bytes.substr(0, std::min<size_t>(bytes.size(), 512));
  size_t end = decl.find("?>");
  if (end == std::string_view::npos) {
    return {};
  }
  decl = decl.substr(0, end);
  size_t at = decl.find("encoding");
  if (at == std::string_view::npos) {
    return {};
  }
  size_t i = at + 8;
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

std::string_view strip_utf8_bom(std::string_view bytes) {
  if (starts_with_bytes(bytes, {0xEF, 0xBB, 0xBF})) {
    bytes.remove_prefix(3);
  }
  return bytes;
}

// SAXParser shows its scanner read-only, and Xerces 3.2.4 has no public switch that bans a DOCTYPE on
// a SAX parser. The scanner is a heap object the parser owns (not a const object), so switching the
// ban on through the const reference is well-defined; it is what XercesDOMParser subclasses do.
class HardenedParser : public xc::SAXParser {
 public:
  HardenedParser() {
    const_cast<xc::XMLScanner&>(getScanner()).setDisallowDTD(true);
    // Namespaces off: elements are matched by local name anyway (senders use ns2:, vtj:, a default
    // namespace or none), and one published response uses an undeclared xsi: prefix that a
    // namespace-aware parser would reject.
    setDoNamespaces(false);
    setDoSchema(false);
    setValidationScheme(Val_Never);
    setLoadExternalDTD(false);
    setDisableDefaultEntityResolution(true);
    setExitOnFirstFatalError(true);
    security_.setEntityExpansionLimit(16);
    setSecurityManager(&security_);
  }

 private:
  xc::SecurityManager security_;
};

// Builds the Element tree while Xerces scans, and stops the scan at the first limit crossed.
class TreeBuilder : public xc::HandlerBase {
 public:
  explicit TreeBuilder(const ParseLimits& limits) : limits_(limits) {}

  void startElement(const XMLCh* const name, xc::AttributeList& attributes) override {
    if (stop_) {
      return;
    }
    if (stack_.size() >= limits_.max_depth) {
      fail(ParseErrorKind::TooDeep, "nesting deeper than " + std::to_string(limits_.max_depth) + " elements");
      return;
    }
    if (++elements_ > limits_.max_elements) {
      fail(ParseErrorKind::TooManyElements,
           "more than " + std::to_string(limits_.max_elements) + " elements");
      return;
    }
    Element e;
    e.name = local_name(to_utf8(name));
    const XMLSize_t n = attributes.getLength();
    for (XMLSize_t i = 0; i < n; ++i) {
      std::string qname = to_utf8(attributes.getName(i));
      // Namespace declarations are syntax, not data.
      if (qname == "xmlns" || qname.rfind("xmlns:", 0) == 0) {
        continue;
      }
      e.attributes.emplace_back(local_name(std::move(qname)), to_utf8(attributes.getValue(i)));
    }
    stack_.push_back(std::move(e));
  }

  void endElement(const XMLCh* const) override {
    if (stop_ || stack_.empty()) {
      return;
    }
    Element e = std::move(stack_.back());
    stack_.pop_back();
    if (e.children.empty()) {
      std::string_view t = trim_xml_space(e.text);
      e.text = std::string(t);
    } else {
      e.text.clear();  // white space between children; mixed content carries no register data
    }
    if (stack_.empty()) {
      root_ = std::move(e);
      done_ = true;
    } else {
      Element& parent = stack_.back();
      if (parent.children.empty()) {
        parent.text.clear();  // the parent is not a leaf: its text so far was white space or mixed content
      }
      parent.children.push_back(std::move(e));
    }
  }

  void characters(const XMLCh* const chars, const XMLSize_t length) override {
    // Text beside child elements (indentation) is dropped at the end anyway: do not collect it.
    if (!stop_ && !stack_.empty() && stack_.back().children.empty()) {
      append_utf16_as_utf8(stack_.back().text, chars, length);
    }
  }

  void fatalError(const xc::SAXParseException& e) override { record(e); }
  void error(const xc::SAXParseException& e) override { record(e); }
  void warning(const xc::SAXParseException&) override {}

  bool stopped() const { return stop_; }
  bool done() const { return done_; }
  const ParseError& failure() const { return failure_; }
  Element take_root() { return std::move(root_); }

  void fail(ParseErrorKind kind, std::string detail) {
    if (!stop_) {
      stop_ = true;
      failure_ = make_error(kind, std::move(detail));
    }
  }

 private:
  static std::string local_name(std::string qname) {
    size_t colon = qname.rfind(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }

  void record(const xc::SAXParseException& e) {
    std::string msg = to_utf8(e.getMessage());
    fail(ParseErrorKind::Malformed, identity::sanitize_for_log("line " + std::to_string(e.getLineNumber()) + ", column " +
                                               std::to_string(e.getColumnNumber()) + ": " + msg));
  }

  const ParseLimits& limits_;
  std::vector<Element> stack_;
  Element root_;
  size_t elements_ = 0;
  bool stop_ = false;
  bool done_ = false;
  ParseError failure_;
};

}  // namespace

Result<SourceEncoding, ParseError> sniff_encoding(std::string_view bytes) {
  if (starts_with_bytes(bytes, {0xFE, 0xFF}) || starts_with_bytes(bytes, {0xFF, 0xFE}) ||
      starts_with_bytes(bytes, {0x00, 0x00}) || starts_with_bytes(bytes, {0x00, 0x3C}) ||
      starts_with_bytes(bytes, {0x3C, 0x00}) || starts_with_bytes(bytes, {0x4C, 0x6F, 0xA7, 0x94})) {
    return err(make_error(ParseErrorKind::Encoding, "UTF-16, UTF-32 or EBCDIC document"));
  }
  bool bom = starts_with_bytes(bytes, {0xEF, 0xBB, 0xBF});
  std::string_view body = strip_utf8_bom(bytes);
  std::string name = lower_ascii(declared_encoding(body));
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

Result<Element, ParseError> read_xml(std::string_view bytes, const ParseLimits& limits, bool byte_prescan) {
  if (bytes.size() > limits.max_bytes) {
    return err(make_error(ParseErrorKind::TooLarge, std::to_string(bytes.size()) + " bytes, limit " +
                                                        std::to_string(limits.max_bytes)));
  }
  if (trim_xml_space(strip_utf8_bom(bytes)).empty()) {
    return err(make_error(ParseErrorKind::Empty, "empty document"));
  }
  auto encoding = sniff_encoding(bytes);
  if (!encoding) {
    return err(encoding.error());
  }
  if (byte_prescan && has_doctype_bytes(bytes)) {
    return err(make_error(ParseErrorKind::Doctype, "DOCTYPE or ENTITY declaration"));
  }
  if (!xerces_ready()) {
    return err(make_error(ParseErrorKind::Malformed, "XML parser could not be initialised"));
  }
  std::string_view body = strip_utf8_bom(bytes);
  try {
    HardenedParser parser;
    TreeBuilder builder(limits);
    parser.setDocumentHandler(&builder);
    parser.setErrorHandler(&builder);
    parser.setEntityResolver(&builder);
    xc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(body.data()), body.size(), "response",
                                 false);
    source.setCopyBufToStream(false);
    // Forcing the encoding overrides the declaration, which is how a mislabelled UTF-8 document is read
    // correctly.
    source.setEncoding(*encoding == SourceEncoding::Utf8 ? u"UTF-8" : u"ISO-8859-1");
    // Progressive scanning hands control back after every token, so a limit stops the scan at once.
    xc::XMLPScanToken token;
    bool more = parser.parseFirst(source, token);
    while (more && !builder.stopped()) {
      more = parser.parseNext(token);
    }
    if (builder.stopped()) {
      if (more) {
        parser.parseReset(token);  // we stopped a scan still in progress; a failed one is already over
      }
      ParseError failure = builder.failure();
      // The scanner's own DOCTYPE ban (the line behind the byte scan) reports "invalid document
      // structure"; name the cause.
      if (failure.kind == ParseErrorKind::Malformed && has_doctype_bytes(body)) {
        failure.kind = ParseErrorKind::Doctype;
      }
      return err(std::move(failure));
    }
    if (!builder.done()) {
      return err(make_error(ParseErrorKind::Malformed, "document ended before its root element closed"));
    }
    return builder.take_root();
  } catch (const xc::OutOfMemoryException&) {
    return err(make_error(ParseErrorKind::TooLarge, "XML parser ran out of memory"));
  } catch (const xc::XMLException& e) {
    return err(make_error(ParseErrorKind::Malformed, identity::sanitize_for_log(to_utf8(e.getMessage()))));
  } catch (const xc::SAXException& e) {
    return err(make_error(ParseErrorKind::Malformed, identity::sanitize_for_log(to_utf8(e.getMessage()))));
  } catch (const std::bad_alloc&) {
    return err(make_error(ParseErrorKind::TooLarge, "out of memory"));
  } catch (...) {
    return err(make_error(ParseErrorKind::Malformed, "XML parser failed"));
  }
}

}  // namespace vtj::reg::detail
