// The simulator's documents have the real register's shape: for a person with the same kinds of data as
// a published answer, the element structure of VTJHenkiloVastaussanoma (every element, in order) is the
// published one's. Values differ; the shape is what a client's parser meets.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "register/xml_reader.hpp"
#include "sim_test_util.hpp"

namespace vtj::sim::test {
namespace {

using reg::Element;

std::string sample(const std::string& name) {
  std::ifstream in(std::string(VTJ_SOURCE_DIR) + "/tests/data/samples/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

const Element* find_document(const Element& e) {
  if (e.name == "VTJHenkiloVastaussanoma") {
    return &e;
  }
  for (const Element& c : e.children) {
    if (const Element* d = find_document(c)) {
      return d;
    }
  }
  return nullptr;
}

void walk(const Element& e, const std::string& prefix, std::vector<std::string>& out) {
  std::string path = prefix + "/" + e.name;
  out.push_back(path);
  for (const Element& c : e.children) {
    walk(c, path, out);
  }
}

// Every element path of the document, in document order.
std::vector<std::string> shape(std::string_view xml) {
  auto doc = reg::detail::read_xml(xml, reg::ParseLimits{});
  EXPECT_TRUE(doc.ok());
  std::vector<std::string> out;
  if (doc.ok()) {
    if (const Element* d = find_document(doc->root)) {
      walk(*d, "", out);
    }
  }
  EXPECT_FALSE(out.empty());
  return out;
}

TEST(DocumentShape, Perusjhhs2IsTheShapeOfThePublishedAnswers) {
  auto reg = load_register();
  ASSERT_TRUE(reg);
  Reply r = reg->answer(request_via(Via::Soso11, by_hetu("010190-901R", "PERUSJHHS2")));
  ASSERT_EQ(r.status, 200);
  // An adult with a domestic address, as the OP bank test person of the kansalaisaloite project.
  EXPECT_EQ(shape(r.body),
            shape(sample("kansalaisaloite_PERUSJHHS2_OP_bank_081181-9984_Sylvi_Sofie_Marttila.xml")));
}

TEST(DocumentShape, Perussanoma3HoldsEveryElementOfThePublishedAnswer) {
  auto reg = load_register();
  ASSERT_TRUE(reg);
  Reply r = reg->answer(request_via(Via::XRoad, by_hetu("010190-901R", "PERUSSANOMA3")));
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> ours = shape(r.body);
  std::vector<std::string> theirs =
      shape(sample("evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml"));
  std::set<std::string> ours_set(ours.begin(), ours.end());
  for (const std::string& path : theirs) {
    EXPECT_TRUE(ours_set.count(path)) << "the simulator lacks " << path;
  }
  // What the simulator adds to the published answer, and why: the calling name (a default header of
  // the module; other products carry it) and the SATU criterion's echo (the sample was asked by hetu).
  std::set<std::string> theirs_set(theirs.begin(), theirs.end());
  std::set<std::string> extra;
  for (const std::string& path : ours_set) {
    if (!theirs_set.count(path)) {
      extra.insert(path);
    }
  }
  EXPECT_EQ(extra,
            (std::set<std::string>{"/VTJHenkiloVastaussanoma/Hakuperusteet/SahkoinenAsiointitunnus",
                                   "/VTJHenkiloVastaussanoma/Henkilo/NykyinenKutsumanimi",
                                   "/VTJHenkiloVastaussanoma/Henkilo/NykyinenKutsumanimi/Kutsumanimi"}));
}

}  // namespace
}  // namespace vtj::sim::test
