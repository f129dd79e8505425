#pragma once
// Writing the answer documents: markup, escaped text, and the output encoding. In ISO-8859-1 the bytes
// are Latin-1 and a character outside it becomes a numeric character reference (&#345;), as a register
// writing an older product's document would have to.

#include <string>
#include <string_view>

namespace vtj::sim {

class XmlOut {
 public:
  // prefix: the element prefix with its colon ("ns2:") or empty; empty_pairs: write an empty leaf as
  // <a></a> (the SoSo samples) rather than <a/> (the X-Road samples).
  XmlOut(std::string& out, bool latin1, std::string_view prefix = {}, bool empty_pairs = false)
      : out_(out), latin1_(latin1), prefix_(prefix), empty_pairs_(empty_pairs) {}

  bool latin1() const { return latin1_; }
  std::string_view prefix() const { return prefix_; }
  std::string& buffer() { return out_; }

  void raw(std::string_view ascii) { out_.append(ascii); }
  void text(std::string_view utf8) { escape(utf8, false); }
  void attr(std::string_view utf8) { escape(utf8, true); }

  void open(std::string_view name) {
    out_ += '<';
    out_ += prefix_;
    out_ += name;
    out_ += '>';
  }
  void close(std::string_view name) {
    out_ += "</";
    out_ += prefix_;
    out_ += name;
    out_ += '>';
  }
  // <name>value</name>, or the empty form of this style.
  void leaf(std::string_view name, std::string_view value);

 private:
  void escape(std::string_view s, bool attribute);

  std::string& out_;
  bool latin1_;
  std::string_view prefix_;
  bool empty_pairs_;
};

// "utf-8" or "ISO-8859-1" for a declaration or a charset parameter.
inline std::string_view charset_name(bool latin1) {
  return latin1 ? "ISO-8859-1" : "utf-8";
}

}  // namespace vtj::sim
