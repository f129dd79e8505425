#include "register/xml_reader.hpp"

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLPScanToken.hpp>
#include <xercesc/internal/XMLScanner.hpp>
#include <xercesc/parsers/SAXParser.hpp>
#include <xercesc/sax/AttributeList.hpp>
#include <xercesc/sax/HandlerBase.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PanicHandler.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLException.hpp>

#include <memory>
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

// Xerces' default panic handler calls exit(): inside a web server worker that would end the process on
// a parser fault. This one throws, and read_xml turns the exception into a ParseError.
class ThrowingPanicHandler : public xc::PanicHandler {
 public:
  void panic(const xc::PanicHandler::PanicReasons) override { throw XercesPanic(); }
};

std::string to_utf8(const XMLCh* s) {
  std::string out;
  if (s != nullptr) {
    append_utf16_as_utf8(out, s, std::char_traits<char16_t>::length(s));
  }
  return out;
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

bool has_non_space(std::string_view s) {
  return !trim_xml_space(s).empty();
}

bool has_non_space(const XMLCh* chars, XMLSize_t length) {
  for (XMLSize_t i = 0; i < length; ++i) {
    if (chars[i] != u' ' && chars[i] != u'\t' && chars[i] != u'\n' && chars[i] != u'\r') {
      return true;
    }
  }
  return false;
}

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
    const XMLSize_t n = attributes.getLength();
    if (n > kMaxAttributes) {
      fail(ParseErrorKind::Malformed,
           "more than " + std::to_string(kMaxAttributes) + " attributes on one element");
      return;
    }
    if (!stack_.empty()) {
      Element& parent = stack_.back();
      if (parent.children.empty()) {
        // Mixed content: text beside child elements. The register never sends it, and whichever part
        // we kept, the other could hold what the sender meant (<TurvakieltoTieto>1<b/></TurvakieltoTieto>).
        if (has_non_space(parent.text)) {
          fail(ParseErrorKind::Malformed, "text beside child elements in <" + log_name(parent.name) + ">");
          return;
        }
        parent.text.clear();  // indentation before the first child
      }
    }
    std::string qname = to_utf8(name);
    Element e;
    e.name = local_name(qname);
    std::string namespace_attribute;  // the xmlns attribute that would bind this element's prefix
    if (stack_.empty()) {
      root_prefix_ = qname.size() > e.name.size() ? qname.substr(0, qname.size() - e.name.size() - 1) : "";
      namespace_attribute = root_prefix_.empty() ? "xmlns" : "xmlns:" + root_prefix_;
    }
    for (XMLSize_t i = 0; i < n; ++i) {
      std::string attribute = to_utf8(attributes.getName(i));
      // Namespace declarations are syntax, not data.
      if (attribute == "xmlns" || attribute.rfind("xmlns:", 0) == 0) {
        if (attribute == namespace_attribute) {
          root_namespace_ = to_utf8(attributes.getValue(i));
        }
        continue;
      }
      std::string local = local_name(attribute);
      for (const auto& [k, v] : e.attributes) {
        if (k == local) {
          // koodi="0001" x:koodi="0000": namespaces are off, both read as koodi, and either could win.
          fail(ParseErrorKind::Malformed,
               "two attributes named " + log_name(local) + " on <" + log_name(e.name) + ">");
          return;
        }
      }
      e.attributes.emplace_back(std::move(local), to_utf8(attributes.getValue(i)));
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
    }
    if (stack_.empty()) {
      root_ = std::move(e);
      done_ = true;
    } else {
      stack_.back().children.push_back(std::move(e));
    }
  }

  void characters(const XMLCh* const chars, const XMLSize_t length) override {
    if (stop_ || stack_.empty()) {
      return;
    }
    Element& top = stack_.back();
    if (top.children.empty()) {
      append_utf16_as_utf8(top.text, chars, length);
    } else if (has_non_space(chars, length)) {
      // Text after a child element; white space there is indentation and is not kept.
      fail(ParseErrorKind::Malformed, "text beside child elements in <" + log_name(top.name) + ">");
    }
  }

  void fatalError(const xc::SAXParseException& e) override { record(e); }
  void error(const xc::SAXParseException& e) override { record(e); }
  void warning(const xc::SAXParseException&) override {}

  bool stopped() const { return stop_; }
  bool done() const { return done_; }
  const ParseError& failure() const { return failure_; }
  Document take_document() {
    return Document{std::move(root_), std::move(root_prefix_), std::move(root_namespace_)};
  }

  void fail(ParseErrorKind kind, std::string detail) {
    if (!stop_) {
      stop_ = true;
      failure_ = make_error(kind, std::move(detail));
    }
  }

 private:
  static std::string local_name(const std::string& qname) {
    size_t colon = qname.rfind(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }

  static std::string log_name(std::string_view name) { return identity::sanitize_for_log(name, 40); }

  void record(const xc::SAXParseException& e) {
    std::string msg = to_utf8(e.getMessage());
    fail(ParseErrorKind::Malformed,
         identity::sanitize_for_log("line " + std::to_string(e.getLineNumber()) + ", column " +
                                    std::to_string(e.getColumnNumber()) + ": " + msg));
  }

  const ParseLimits& limits_;
  std::vector<Element> stack_;
  Element root_;
  std::string root_prefix_;
  std::string root_namespace_;
  size_t elements_ = 0;
  bool stop_ = false;
  bool done_ = false;
  ParseError failure_;
};

}  // namespace

bool xerces_ready() {
  static ThrowingPanicHandler panic_handler;  // Xerces keeps the pointer: it must outlive the process
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    try {
      xc::XMLPlatformUtils::Initialize(xc::XMLUni::fgXercescDefaultLocale, nullptr, &panic_handler);
      // Another library in the same process (a server module) may have initialised Xerces first, and
      // then our handler was not taken: install it unless that library brought its own.
      if (xc::XMLPlatformUtils::fgUserPanicHandler == nullptr) {
        xc::XMLPlatformUtils::fgUserPanicHandler = &panic_handler;
      }
      ok = true;
    } catch (...) {
      ok = false;
    }
  });
  return ok;
}

Result<Document, ParseError> read_xml(std::string_view bytes, const ParseLimits& limits, bool byte_prescan,
                                      Input input) {
  if (bytes.size() > limits.max_bytes) {
    return err(make_error(ParseErrorKind::TooLarge, std::to_string(bytes.size()) + " bytes, limit " +
                                                        std::to_string(limits.max_bytes)));
  }
  if (trim_xml_space(strip_utf8_bom(bytes)).empty()) {
    return err(make_error(ParseErrorKind::Empty, "empty document"));
  }
  SourceEncoding encoding = SourceEncoding::Utf8;
  if (input == Input::Bytes) {
    auto sniffed = sniff_encoding(bytes);
    if (!sniffed) {
      return err(sniffed.error());
    }
    encoding = *sniffed;
  } else if (classify_utf8(bytes) == Utf8Kind::Invalid) {
    return err(make_error(ParseErrorKind::Encoding, "text is not valid UTF-8"));
  }
  std::string_view body = strip_utf8_bom(bytes);
  // XML 1.1 admits C0 control characters through character references (&#1;); the register only
  // writes XML 1.0, so a 1.1 document is not one of its answers.
  std::string version = xml_declaration_attribute(body, "version");
  if (!version.empty() && version != "1.0") {
    return err(make_error(ParseErrorKind::Malformed,
                          "XML version '" + identity::sanitize_for_log(version, 16) + "'"));
  }
  if (byte_prescan && has_doctype_bytes(bytes)) {
    return err(make_error(ParseErrorKind::Doctype, "DOCTYPE or ENTITY declaration"));
  }
  if (too_many_attributes_bytes(body)) {
    return err(make_error(ParseErrorKind::Malformed,
                          "more than " + std::to_string(kMaxAttributes) + " attributes on one element"));
  }
  if (!xerces_ready()) {
    return err(make_error(ParseErrorKind::Malformed, "XML parser could not be initialised"));
  }
  // One parser per thread, reused: making one (its scanner, grammar and pools) cost as much as scanning a
  // small answer. A parse that ends in an exception drops it, so the next one starts from a new parser.
  thread_local std::unique_ptr<HardenedParser> reused;
  try {
    if (!reused) {
      reused = std::make_unique<HardenedParser>();
    }
    HardenedParser& parser = *reused;
    TreeBuilder builder(limits);
    parser.setDocumentHandler(&builder);
    parser.setErrorHandler(&builder);
    parser.setEntityResolver(&builder);
    xc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(body.data()), body.size(), "response",
                                 false);
    source.setCopyBufToStream(false);
    // Forcing the encoding overrides the declaration, which is how a mislabelled UTF-8 document (or
    // decoded text declaring utf-16) is read correctly.
    source.setEncoding(encoding == SourceEncoding::Utf8 ? u"UTF-8" : u"ISO-8859-1");
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
    return builder.take_document();
  } catch (const XercesPanic&) {
    reused.reset();
    return err(make_error(ParseErrorKind::Malformed, "XML parser panic"));
  } catch (const xc::OutOfMemoryException&) {
    reused.reset();
    return err(make_error(ParseErrorKind::TooLarge, "XML parser ran out of memory"));
  } catch (const xc::XMLException& e) {
    reused.reset();
    return err(make_error(ParseErrorKind::Malformed, identity::sanitize_for_log(to_utf8(e.getMessage()))));
  } catch (const xc::SAXException& e) {
    reused.reset();
    return err(make_error(ParseErrorKind::Malformed, identity::sanitize_for_log(to_utf8(e.getMessage()))));
  } catch (const std::bad_alloc&) {
    reused.reset();
    return err(make_error(ParseErrorKind::TooLarge, "out of memory"));
  } catch (...) {
    reused.reset();
    return err(make_error(ParseErrorKind::Malformed, "XML parser failed"));
  }
}

}  // namespace vtj::reg::detail
