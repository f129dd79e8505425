#pragma once
// Element trees for the render tests: node("Henkilo", {leaf("Henkilotunnus", "020501A999T"), ...}).

#include <string>
#include <utility>
#include <vector>

#include "vtj/person.hpp"

namespace vtj::render::test_support {

inline reg::Element leaf(std::string name, std::string text) {
  return reg::Element{std::move(name), std::move(text), {}, {}};
}
inline reg::Element node(std::string name, std::vector<reg::Element> children) {
  return reg::Element{std::move(name), "", {}, std::move(children)};
}

}  // namespace vtj::render::test_support
