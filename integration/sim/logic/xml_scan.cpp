#include "xml_scan.hpp"

#include <optional>

#include "xml_text.hpp"

namespace vtj::sim {

const XmlNode* XmlDoc::first_child(const XmlNode& n) const {
  return n.first_child < 0 ? nullptr : &nodes[static_cast<size_t>(n.first_child)];
}

const XmlNode* XmlDoc::next(const XmlNode& n) const {
  return n.next_sibling < 0 ? nullptr : &nodes[static_cast<size_t>(n.next_sibling)];
}

const XmlNode* XmlDoc::child(const XmlNode& n, std::string_view local) const {
  for (const XmlNode* c = first_child(n); c != nullptr; c = next(*c)) {
    if (c->local == local) {
      return c;
    }
  }
  return nullptr;
}

const XmlAttr* XmlDoc::attribute(const XmlNode& n, std::string_view local) const {
  for (uint32_t i = n.attr_begin; i < n.attr_end; ++i) {
    if (attrs[i].local == local && attrs[i].prefix != "xmlns" &&
        !(attrs[i].prefix.empty() && local == "xmlns")) {
      return &attrs[i];
    }
  }
  return nullptr;
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_name_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

class Scanner {
 public:
  Scanner(std::string_view s, const XmlLimits& limits) : s_(s), limits_(limits) {}

  Result<XmlDoc, std::string> run() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") {
      pos_ = 3;
    }
    if (s_.substr(pos_, 5) == "<?xml") {
      size_t end = s_.find("?>", pos_);
      if (end == std::string_view::npos) {
        return err(std::string("unterminated XML declaration"));
      }
      pos_ = end + 2;
    }
    if (has_forbidden_control(s_)) {
      return err(std::string("control character in the document"));
    }
    doc_.nodes.reserve(64);
    doc_.attrs.reserve(64);
    while (pos_ < s_.size()) {
      if (is_space(s_[pos_])) {
        ++pos_;
        continue;
      }
      if (s_[pos_] != '<') {
        if (stack_.empty()) {
          return err(std::string("text outside the root element"));
        }
        if (auto e = text()) {
          return err(std::move(*e));
        }
        continue;
      }
      if (auto e = markup()) {
        return err(std::move(*e));
      }
    }
    if (doc_.nodes.empty()) {
      return err(std::string("no root element"));
    }
    if (!stack_.empty()) {
      return err("unclosed element '" + std::string(doc_.nodes[stack_.back()].local) + "'");
    }
    return std::move(doc_);
  }

 private:
  using Error = std::optional<std::string>;

  Error text() {
    size_t end = s_.find('<', pos_);
    if (end == std::string_view::npos) {
      return std::string("unclosed element at end of document");
    }
    if (!decode_xml_text(s_.substr(pos_, end - pos_), doc_.nodes[stack_.back()].text, false)) {
      return std::string("bad entity or character reference");
    }
    pos_ = end;
    return std::nullopt;
  }

  Error markup() {
    std::string_view rest = s_.substr(pos_);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = s_.find("-->", pos_ + 4);
      if (end == std::string_view::npos) {
        return std::string("unterminated comment");
      }
      pos_ = end + 3;
      return std::nullopt;
    }
    if (rest.substr(0, 9) == "<![CDATA[") {
      if (stack_.empty()) {
        return std::string("CDATA outside the root element");
      }
      size_t end = s_.find("]]>", pos_ + 9);
      if (end == std::string_view::npos) {
        return std::string("unterminated CDATA section");
      }
      doc_.nodes[stack_.back()].text.append(s_.substr(pos_ + 9, end - pos_ - 9));
      pos_ = end + 3;
      return std::nullopt;
    }
    if (rest.substr(0, 2) == "<!") {
      return std::string("DOCTYPE is not allowed");
    }
    if (rest.substr(0, 2) == "<?") {
      size_t end = s_.find("?>", pos_ + 2);
      if (end == std::string_view::npos) {
        return std::string("unterminated processing instruction");
      }
      pos_ = end + 2;
      return std::nullopt;
    }
    if (rest.substr(0, 2) == "</") {
      return end_tag();
    }
    if (root_closed_) {
      return std::string("content after the root element");
    }
    return start_tag();
  }

  // A qualified name at pos_: prefix (possibly empty) and local part.
  bool qname(std::string_view& prefix, std::string_view& local) {
    size_t start = pos_;
    if (pos_ >= s_.size() || !is_name_start(s_[pos_])) {
      return false;
    }
    size_t colon = std::string_view::npos;
    while (pos_ < s_.size() && (is_name_char(s_[pos_]) || s_[pos_] == ':')) {
      if (s_[pos_] == ':') {
        if (colon != std::string_view::npos) {
          return false;
        }
        colon = pos_;
      }
      ++pos_;
    }
    if (colon == std::string_view::npos) {
      prefix = {};
      local = s_.substr(start, pos_ - start);
    } else {
      prefix = s_.substr(start, colon - start);
      local = s_.substr(colon + 1, pos_ - colon - 1);
    }
    return !local.empty() && is_name_start(local.front()) &&
           (colon == std::string_view::npos || !prefix.empty());
  }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) {
      ++pos_;
    }
  }

  Error start_tag() {
    ++pos_;
    XmlNode node;
    if (!qname(node.prefix, node.local)) {
      return std::string("bad element name");
    }
    if (doc_.nodes.size() >= limits_.max_elements) {
      return std::string("too many elements");
    }
    if (stack_.size() >= limits_.max_depth) {
      return std::string("elements nested too deeply");
    }
    node.attr_begin = static_cast<uint32_t>(doc_.attrs.size());
    size_t ns_mark = ns_.size();
    bool empty = false;
    while (true) {
      size_t before = pos_;
      skip_space();
      if (pos_ >= s_.size()) {
        return std::string("unterminated start tag");
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (s_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        empty = true;
        break;
      }
      if (before == pos_) {
        return std::string("attributes must be separated by white space");
      }
      if (auto e = attribute(node)) {
        return e;
      }
    }
    node.attr_end = static_cast<uint32_t>(doc_.attrs.size());
    auto resolved = resolve(node.prefix);
    if (!resolved) {
      return "undeclared namespace prefix '" + std::string(node.prefix) + "'";
    }
    node.ns = *resolved;
    int index = static_cast<int>(doc_.nodes.size());
    if (!stack_.empty()) {
      node.parent = static_cast<int>(stack_.back());
      XmlNode& parent = doc_.nodes[stack_.back()];
      if (parent.first_child < 0) {
        parent.first_child = index;
      } else {
        doc_.nodes[last_child_[stack_.size() - 1]].next_sibling = index;
      }
      last_child_[stack_.size() - 1] = static_cast<size_t>(index);
    } else if (!doc_.nodes.empty()) {
      return std::string("more than one root element");
    }
    doc_.nodes.push_back(node);
    if (empty) {
      ns_.resize(ns_mark);
      root_closed_ = stack_.empty();
      return std::nullopt;
    }
    stack_.push_back(static_cast<size_t>(index));
    ns_marks_.push_back(ns_mark);
    if (last_child_.size() < stack_.size()) {
      last_child_.resize(stack_.size());
    }
    return std::nullopt;
  }

  Error attribute(XmlNode& node) {
    XmlAttr a;
    if (!qname(a.prefix, a.local)) {
      return std::string("bad attribute name");
    }
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '=') {
      return std::string("attribute without a value");
    }
    ++pos_;
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
      return std::string("attribute value not quoted");
    }
    char quote = s_[pos_++];
    size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) {
      return std::string("unterminated attribute value");
    }
    std::string_view raw = s_.substr(pos_, end - pos_);
    if (raw.find('<') != std::string_view::npos || !decode_xml_text(raw, a.value, true)) {
      return std::string("bad attribute value");
    }
    pos_ = end + 1;
    for (uint32_t i = node.attr_begin; i < doc_.attrs.size(); ++i) {
      if (doc_.attrs[i].prefix == a.prefix && doc_.attrs[i].local == a.local) {
        return std::string("duplicate attribute");
      }
    }
    if (doc_.attrs.size() - node.attr_begin >= limits_.max_attributes) {
      return std::string("too many attributes");
    }
    int index = static_cast<int>(doc_.attrs.size());
    if (a.prefix == "xmlns") {
      ns_.emplace_back(a.local, index);
    } else if (a.prefix.empty() && a.local == "xmlns") {
      ns_.emplace_back(std::string_view{}, index);
    }
    doc_.attrs.push_back(std::move(a));
    return std::nullopt;
  }

  // The xmlns attribute in scope for a prefix: -1 for no namespace, nullopt for an undeclared prefix.
  std::optional<int> resolve(std::string_view prefix) const {
    for (size_t i = ns_.size(); i-- > 0;) {
      if (ns_[i].first == prefix) {
        // xmlns="" undeclares the default namespace.
        return doc_.attrs[static_cast<size_t>(ns_[i].second)].value.empty() ? -1 : ns_[i].second;
      }
    }
    if (prefix.empty() || prefix == "xml") {
      return -1;
    }
    return std::nullopt;
  }

  Error end_tag() {
    pos_ += 2;
    std::string_view prefix, local;
    if (!qname(prefix, local)) {
      return std::string("bad end tag");
    }
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '>') {
      return std::string("unterminated end tag");
    }
    ++pos_;
    if (stack_.empty()) {
      return std::string("end tag without a start tag");
    }
    const XmlNode& open = doc_.nodes[stack_.back()];
    if (open.prefix != prefix || open.local != local) {
      return "end tag '" + std::string(local) + "' does not match '" + std::string(open.local) + "'";
    }
    ns_.resize(ns_marks_.back());
    ns_marks_.pop_back();
    stack_.pop_back();
    root_closed_ = stack_.empty();
    return std::nullopt;
  }

  std::string_view s_;
  const XmlLimits& limits_;
  size_t pos_ = 0;
  XmlDoc doc_;
  std::vector<size_t> stack_;                         // open elements
  std::vector<size_t> last_child_;                    // per depth, the last child appended
  std::vector<std::pair<std::string_view, int>> ns_;  // namespace declarations in scope
  std::vector<size_t> ns_marks_;
  bool root_closed_ = false;
};

}  // namespace

Result<XmlDoc, std::string> scan_xml(std::string_view text, const XmlLimits& limits) {
  return Scanner(text, limits).run();
}

}  // namespace vtj::sim
