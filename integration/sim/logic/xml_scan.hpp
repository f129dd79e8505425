#pragma once
// A small, strict XML reader for the requests the simulator answers: one pass over UTF-8 text into a
// flat element tree with resolved namespaces. No DTD, no external anything: a request with a DOCTYPE is
// refused, as the register's SOAP stack refuses it. Hand-written because the simulator must answer far
// faster than a general parser would let it (see docs/register-simulator.md), and independent of the
// core's reader so that the two cannot share a bug.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vtj/result.hpp"

namespace vtj::sim {

struct XmlAttr {
  std::string_view prefix;  // empty when none
  std::string_view local;
  std::string value;  // entities and character references decoded
};

struct XmlNode {
  std::string_view prefix;
  std::string_view local;
  int ns = -1;       // index of the declaring xmlns attribute in XmlDoc::attrs; -1 for no namespace
  std::string text;  // character content directly inside this element, decoded
  int parent = -1;
  int first_child = -1;
  int next_sibling = -1;
  uint32_t attr_begin = 0;  // [attr_begin, attr_end) in XmlDoc::attrs
  uint32_t attr_end = 0;
};

class XmlDoc {
 public:
  std::vector<XmlNode> nodes;  // nodes[0] is the root
  std::vector<XmlAttr> attrs;

  std::string_view ns(const XmlNode& n) const {
    return n.ns < 0 ? std::string_view{} : std::string_view(attrs[static_cast<size_t>(n.ns)].value);
  }
  // The first child element with this local name, or nullptr.
  const XmlNode* child(const XmlNode& n, std::string_view local) const;
  const XmlNode* first_child(const XmlNode& n) const;
  const XmlNode* next(const XmlNode& n) const;
  // An attribute by local name, or nullptr.
  const XmlAttr* attribute(const XmlNode& n, std::string_view local) const;
};

struct XmlLimits {
  unsigned max_depth = 32;
  size_t max_elements = 4000;
  size_t max_attributes = 64;  // per element
};

// `text` must stay alive as long as the document (names are views into it). Errors are short English
// phrases for a SOAP faultstring.
Result<XmlDoc, std::string> scan_xml(std::string_view text, const XmlLimits& limits = {});

}  // namespace vtj::sim
