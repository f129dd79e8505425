#include "vtj/person.hpp"

namespace vtj::reg {

const Element* Element::child(std::string_view local_name) const {
  for (const Element& c : children) {
    if (c.name == local_name) {
      return &c;
    }
  }
  return nullptr;
}

std::string_view Element::attribute(std::string_view local_name) const {
  for (const auto& [k, v] : attributes) {
    if (k == local_name) {
      return v;
    }
  }
  return {};
}

namespace {

void collect(const Element& at, std::string_view path, std::vector<const Element*>& out) {
  if (path.empty()) {
    out.push_back(&at);
    return;
  }
  size_t slash = path.find('/');
  std::string_view head = path.substr(0, slash);
  std::string_view rest = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  for (const Element& c : at.children) {
    if (c.name == head) {
      collect(c, rest, out);
    }
  }
}

}  // namespace

std::vector<const Element*> Element::find(std::string_view path) const {
  std::vector<const Element*> out;
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  if (!path.empty()) {
    collect(*this, path, out);
  }
  return out;
}

std::vector<std::string> Element::values(std::string_view path) const {
  std::vector<std::string> out;
  for (const Element* e : find(path)) {
    if (!e->text.empty()) {
      out.push_back(e->text);
    }
  }
  return out;
}

std::string Element::value(std::string_view path) const {
  for (const Element* e : find(path)) {
    if (!e->text.empty()) {
      return e->text;
    }
  }
  return {};
}

}  // namespace vtj::reg
