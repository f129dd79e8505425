// The typed accessors of Person on repeated elements: any one value saying "in force" or "dead" counts.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vtj/person.hpp"

namespace vtj::reg {
namespace {

Element leaf(std::string name, std::string text) {
  Element e;
  e.name = std::move(name);
  e.text = std::move(text);
  return e;
}

Element group(std::string name, std::vector<Element> children) {
  Element e;
  e.name = std::move(name);
  e.children = std::move(children);
  return e;
}

Person person_with(std::vector<Element> children) {
  return Person(group("Henkilo", std::move(children)));
}

TEST(Person, SecurityProhibitionInForceIfAnyValueSaysSo) {
  // "0" first, "1" second: the first non-empty value used to win.
  EXPECT_TRUE(
      person_with({group("Turvakielto", {leaf("TurvakieltoTieto", "0"), leaf("TurvakieltoTieto", "1")})})
          .security_prohibition());
  EXPECT_TRUE(person_with({group("Turvakielto", {leaf("TurvakieltoTieto", "0")}),
                           group("Turvakielto", {leaf("TurvakieltoTieto", "x")})})
                  .security_prohibition());
  EXPECT_TRUE(person_with({group("Turvakielto", {leaf("TurvakieltoTieto", "1")})}).security_prohibition());
  EXPECT_FALSE(
      person_with({group("Turvakielto", {leaf("TurvakieltoTieto", "0"), leaf("TurvakieltoTieto", "")})})
          .security_prohibition());
  EXPECT_FALSE(person_with({}).security_prohibition());
}

TEST(Person, DeceasedIfAnyKuollutIsOne) {
  EXPECT_TRUE(person_with({group("Kuolintiedot", {leaf("Kuollut", "0"), leaf("Kuollut", "1")})}).deceased());
  EXPECT_TRUE(person_with({group("Kuolintiedot", {leaf("Kuollut", "")}),
                           group("Kuolintiedot", {leaf("Kuollut", "1")})})
                  .deceased());
  EXPECT_FALSE(person_with({group("Kuolintiedot", {leaf("Kuollut", ""), leaf("Kuollut", "0")})}).deceased());
  // The date-of-death rule stands: older products send only Kuolinpvm.
  EXPECT_TRUE(
      person_with({group("Kuolintiedot", {leaf("Kuollut", ""), leaf("Kuolinpvm", "20120813")})}).deceased());
  EXPECT_TRUE(
      person_with({group("Kuolleeksijulistamistiedot", {leaf("Kuolleeksijulistamispvm", "20200101")})})
          .deceased());
}

}  // namespace
}  // namespace vtj::reg
