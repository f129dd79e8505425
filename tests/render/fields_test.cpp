// Field names in any case, and the address paths a security prohibition withholds.

#include <gtest/gtest.h>

#include <map>

#include "config/config_fixture.hpp"
#include "render/render_fixture.hpp"
#include "vtj/render.hpp"

namespace vtj::render {
namespace {

using test_support::leaf;
using test_support::node;

reg::Person person(std::string prohibition) {
  return reg::Person(
      node("Henkilo",
           {leaf("Henkilotunnus", "020501A999T"), node("NykyinenSukunimi", {leaf("Sukunimi", "Jäppinen")}),
            node("NykyisetEtunimet", {leaf("Etunimet", "Albert Kristian")}),
            leaf("Sahkopostiosoite", "albert@example.fi"), node("Kotikunta", {leaf("KuntaS", "Helsinki")}),
            node("Turvakielto", {leaf("TurvakieltoTieto", std::move(prohibition))})}));
}

std::map<std::string, std::string> by_header(const std::vector<FieldValue>& v) {
  std::map<std::string, std::string> out;
  for (const FieldValue& f : v) {
    out[f.header] = f.value;
  }
  return out;
}

TEST(Fields, NamesAreCaseInsensitive) {
  for (const FieldInfo& f : fields()) {
    std::string upper;
    for (char c : f.name) {
      upper += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
    EXPECT_EQ(find_field(upper), &f) << upper;
  }
  ASSERT_NE(find_field("Surname"), nullptr);
  EXPECT_EQ(find_field("Surname")->name, "surname");
  ASSERT_NE(find_field("GIVEN-NAMES"), nullptr);
  EXPECT_EQ(find_field("GIVEN-NAMES")->name, "given-names");
  EXPECT_EQ(find_field("Sukunimi"), nullptr);
  EXPECT_EQ(find_field("surnames"), nullptr);
}

TEST(Fields, NoFieldNameIsAnElementName) {
  // A field name in any case is taken for the field, never for a path: that is only safe while no field
  // name is also the name of a Henkilo element (they are English, the elements Finnish).
  for (const char* element :
       {"Henkilotunnus", "Sukunimi", "Etunimet", "Kutsumanimi", "Kotikunta", "KuntaS", "Kuntanumero",
        "Aidinkieli", "Kielikoodi", "Kansalaisuus", "Kuolintiedot", "Kuollut", "Turvakielto",
        "TurvakieltoTieto", "Postinumero", "Sahkopostiosoite"}) {
    EXPECT_EQ(find_field(element), nullptr) << element;
  }
}

TEST(Fields, SelectTakesFieldNamesInAnyCase) {
  reg::Person p = person("0");
  config::Settings s;
  s.headers = {{"Surname", "X-Last"}, {"GIVEN-NAMES", "X-First"}, {"Status", "X-State"}};
  std::vector<FieldValue> got = select(RenderInput{&p, "", "", "ok"}, s);
  auto h = by_header(got);
  EXPECT_EQ(h.at("X-Last"), "Jäppinen");
  EXPECT_EQ(h.at("X-First"), "Albert Kristian");
  EXPECT_EQ(h.at("X-State"), "ok");
  EXPECT_EQ(h.count("VTJ-Status"), 0u);  // the configured Status is the status header
  EXPECT_EQ(got.front().field, "surname");
  EXPECT_EQ(owned_header_names(s),
            (std::vector<std::string>{"X-Last", "X-First", "X-State", "VTJ-Security-Prohibition"}));
  std::vector<FieldValue> none = select(RenderInput{nullptr, "", "", "unavailable"}, s);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].header, "X-State");
}

using config::test_support::Config;

TEST_F(Config, HeaderFieldNamesAreCaseInsensitive) {
  config::Settings s;
  EXPECT_EQ(run(s, "VTJHeader", {"Surname", "X-Last"}), "");
  EXPECT_EQ(run(s, "VTJHeader", {"GIVEN-NAMES", "X-First"}), "");
  EXPECT_EQ(run(s, "VTJHeader", {"Kotikunta/KuntaS", "X-Kunta"}), "");
  EXPECT_EQ(run(s, "VTJHeader", {"kotikunta/kuntas", "X-Kunta-Lower"}), "");
  ASSERT_EQ(s.headers.size(), 4u);
  EXPECT_EQ(s.headers[0].field, "surname");
  EXPECT_EQ(s.headers[1].field, "given-names");
  EXPECT_EQ(s.headers[2].field, "Kotikunta/KuntaS");  // paths stay as written
  EXPECT_EQ(s.headers[3].field, "kotikunta/kuntas");

  reg::Person p = person("0");
  auto h = by_header(select(RenderInput{&p, "", "", "ok"}, s));
  EXPECT_EQ(h.at("X-Last"), "Jäppinen");
  EXPECT_EQ(h.at("X-First"), "Albert Kristian");
  EXPECT_EQ(h.at("X-Kunta"), "Helsinki");
}

TEST(Fields, EmailPathIsWithheldUnderProhibition) {
  // Sahkopostiosoite ends in "postiosoite": the address rule takes it, and that is kept on purpose.
  EXPECT_TRUE(is_address_path("Sahkopostiosoite"));
  EXPECT_TRUE(is_address_path("SAHKOPOSTIOSOITE"));
  config::Settings s;
  s.headers = {{"Sahkopostiosoite", "X-Email"}, {"surname", "X-Last"}};
  reg::Person open = person("0");
  EXPECT_EQ(by_header(select(RenderInput{&open, "", "", "ok"}, s)).at("X-Email"), "albert@example.fi");
  reg::Person hidden = person("1");
  auto h = by_header(select(RenderInput{&hidden, "", "", "ok"}, s));
  EXPECT_EQ(h.count("X-Email"), 0u);
  EXPECT_EQ(h.at("X-Last"), "Jäppinen");
  s.prohibition = config::ProhibitionPolicy::Pass;
  EXPECT_EQ(by_header(select(RenderInput{&hidden, "", "", "ok"}, s)).at("X-Email"), "albert@example.fi");
}

}  // namespace
}  // namespace vtj::render
