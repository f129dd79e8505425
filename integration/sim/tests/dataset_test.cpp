// The data set loader: the default set loads and indexes; every mistake names its file and line.

#include <gtest/gtest.h>

#include <string>

#include "dataset.hpp"

namespace vtj::sim {
namespace {

constexpr std::string_view kHeader =
    "[register]\n"
    "username = u\n"
    "password = p\n"
    "product = PERUSSANOMA3 perussanoma3\n";

// The error for a data set of kHeader plus `persons` (header lines 1-4, so `persons` starts on line 5).
std::string error_of(std::string_view persons) {
  auto r = parse_dataset(std::string(kHeader) + std::string(persons), "t.conf");
  if (r) {
    return "(loaded)";
  }
  return r.error();
}

TEST(Dataset, TheDefaultSetLoadsAndIndexesByHetuAndSatu) {
  auto r = load_dataset(VTJ_SIM_DATA);
  ASSERT_TRUE(r) << r.error();
  const Dataset& d = *r;
  EXPECT_EQ(d.username, "vtj-sim-customer");
  EXPECT_EQ(d.password, "sim-secret-2026");
  ASSERT_EQ(d.products.size(), 2u);
  EXPECT_EQ(d.find_product("perussanoma3"), &d.products[0]);
  EXPECT_EQ(d.find_product("PERUSJHHS2")->shape, Shape::Perusjhhs2);
  EXPECT_EQ(d.find_product("PERUSSANOMA 3"), nullptr);
  const PersonRecord* adult = d.find_satu("10000101W");
  ASSERT_NE(adult, nullptr);
  EXPECT_EQ(adult, d.find_hetu("010190-901R"));
  EXPECT_EQ(adult->id, "adult");
  EXPECT_EQ(adult->postal_code, "00100");
  EXPECT_EQ(d.find_hetu("150385-9024")->nationalities, (std::vector<std::string>{"246", "752"}));
  EXPECT_EQ(d.find_hetu("030380-9067")->passivated_to, "040480-907P");
  EXPECT_TRUE(d.find_hetu("060666-9092")->latin1);
  EXPECT_EQ(d.find_hetu("111181-914B")->fault.fault, Fault::Latency);
  EXPECT_EQ(d.find_hetu("111181-914B")->fault.latency_ms, 300);
  EXPECT_EQ(d.find_hetu("101060-913E")->code, "0019");
  // A post office without a Swedish name is written alike in both languages.
  EXPECT_EQ(d.find_hetu("150385-9024")->post_office_sv, "TAMMERFORS");
  EXPECT_EQ(d.find_hetu("111181-914B")->municipality_sv, "Helsinki");
}

TEST(Dataset, AMinimalSetLoads) {
  auto r = parse_dataset(std::string(kHeader) + "# a comment\n\n[person a]\nhetu = 010190-901R\n", "t.conf");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->persons.size(), 1u);
}

TEST(Dataset, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nshoe-size = 42\n"),
            "t.conf:7: unknown key 'shoe-size'");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901S\n"),
            "t.conf:6: hetu 010190-****: wrong check character");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nsatu = 10000101X\n"),
            "t.conf:7: satu 1000*****: wrong check character");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\n[person b]\nhetu = 010190-901R\n"),
            "t.conf:8: duplicate hetu 010190-****");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nsatu = 10000101W\n[person b]\nhetu = 150385-9024\n"
                     "satu = 10000101W\n"),
            "t.conf:10: duplicate satu 1000*****");
  EXPECT_EQ(error_of("[person a]\nhetu = 030380-9067\npassivated-to = 040480-907P\n"),
            "t.conf:7: passivated-to 040480-**** names no person");
  EXPECT_EQ(error_of("[person a]\nhetu = 030380-9067\npassivated-to = 030380-9067\n"),
            "t.conf:7: passivated-to must name an active person");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\n[person a]\nhetu = 150385-9024\n"),
            "t.conf:7: duplicate person 'a' (first on line 5)");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nhetu = 010190-901R\n"),
            "t.conf:7: duplicate key 'hetu'");
  EXPECT_EQ(error_of("[person a]\nsurname = X\n"), "t.conf:5: person 'a' has no hetu");
  EXPECT_EQ(error_of("[people]\n"), "t.conf:5: unknown section [people]");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\njust words\n"),
            "t.conf:7: expected 'key = value' or a [section]");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\ncode = 1234\n"),
            "t.conf:7: code: not a register return code");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\ncode = 0002\n"),
            "t.conf:7: code: a passivated identity is written with passivated-to");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nfault = explode\n"),
            "t.conf:7: fault: unknown fault 'explode'");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\npostal-code = 100\n"),
            "t.conf:7: postal-code: expected five digits");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nnationality = 246, FI\n"),
            "t.conf:7: nationality: expected three-digit country codes separated by commas");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\ndeceased = 1\n"),
            "t.conf:5: person 'a' is deceased but has no death-date");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nencoding = latin9\n"),
            "t.conf:7: encoding: expected utf-8 or iso-8859-1");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nsex = 3\n"), "t.conf:7: sex: expected 1 or 2");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nsurname = A\x01Z\n"),
            "t.conf:7: control character in the value of 'surname'");
  EXPECT_EQ(error_of("[person a]\nhetu = 010190-901R\nsurname = \xC3\n"), "t.conf:7: not UTF-8");
}

TEST(Dataset, RegisterSectionMistakes) {
  EXPECT_EQ(parse_dataset("username = u\n", "t.conf").error(), "t.conf:1: 'username' outside a section");
  EXPECT_EQ(parse_dataset("[person a]\nhetu = 010190-901R\n", "t.conf").error(),
            "t.conf:2: no [register] section");
  EXPECT_EQ(parse_dataset("[register]\nusername = u\nproduct = X perussanoma3\n", "t.conf").error(),
            "t.conf:1: [register] needs username and password");
  EXPECT_EQ(parse_dataset("[register]\nusername = u\npassword = p\n", "t.conf").error(),
            "t.conf:1: [register] names no product");
  EXPECT_EQ(parse_dataset("[register]\nproduct = X perussanoma4\n", "t.conf").error(),
            "t.conf:2: unknown product shape 'perussanoma4' (perussanoma3, perusjhhs2)");
  EXPECT_EQ(parse_dataset("[register]\nproduct = X perussanoma3\nproduct = x perusjhhs2\n", "t.conf").error(),
            "t.conf:3: duplicate product 'x'");
  EXPECT_EQ(parse_dataset("[register]\nrealm = x\n", "t.conf").error(),
            "t.conf:2: unknown key 'realm' in [register]");
  // A product name may hold spaces: the shape is the last word.
  auto spaced =
      parse_dataset("[register]\nusername = u\npassword = p\nproduct = Perussanoma 3 perussanoma3\n", "t");
  ASSERT_TRUE(spaced) << spaced.error();
  EXPECT_EQ(spaced->products.front().name, "Perussanoma 3");
}

TEST(Dataset, AMissingFileIsNamed) {
  auto r = load_dataset("/nonexistent/register.conf");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "/nonexistent/register.conf: cannot open the data set");
}

}  // namespace
}  // namespace vtj::sim
