// Every published response sample parsed, with the values read from the files by hand.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "register/test_util.hpp"
#include "register/xml_reader.hpp"
#include "vtj/register_response.hpp"

namespace vtj::reg {
namespace {

using test::read_sample;

Response parse_ok(const std::string& name) {
  auto r = parse_response(read_sample(name));
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().detail);
  return r.ok() ? *r : Response{};
}

const Person& person_of(const Response& r) {
  static const Person kEmpty;
  EXPECT_TRUE(r.person.has_value());
  return r.person ? *r.person : kEmpty;
}

TEST(ResponseSamples, EvakaPerussanoma3XRoadUtf8) {
  Response r = parse_ok("evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml");
  EXPECT_EQ(r.envelope, Envelope::XRoad);
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.code, "0000");
  EXPECT_EQ(r.message, "Haku onnistui");
  EXPECT_EQ(r.product, "PERUSSANOMA 3");
  EXPECT_EQ(r.extracted_at, "20190620174212");
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "020501A999T");
  EXPECT_EQ(p.surname(), "Jäppinen");
  EXPECT_EQ(p.given_names(), "Albert Kristian");
  EXPECT_EQ(p.street_address(), "Kauppa Puistikko 6 B 23");
  EXPECT_EQ(p.postal_code(), "65100");
  EXPECT_EQ(p.post_office(), "VAASA");
  EXPECT_EQ(p.municipality_code(), "905");
  EXPECT_EQ(p.municipality(), "Vaasa");
  EXPECT_EQ(p.mother_tongue(), "fi");
  EXPECT_EQ(p.nationalities(), std::vector<std::string>{"246"});
  EXPECT_FALSE(p.deceased());
  EXPECT_FALSE(p.security_prohibition());
  EXPECT_EQ(p.tree().child("Henkilotunnus")->attribute("voimassaolokoodi"), "1");
  EXPECT_EQ(p.tree().value("VakinainenAsuinpaikka/Asuinpaikantunnus"), "90000009871B023");
  EXPECT_EQ(p.tree().value("Sukupuoli/SukupuoliS"), "Mies");
  EXPECT_TRUE(r.active_hetu.empty());
}

TEST(ResponseSamples, EvakaHuoltajaHuollettavatLargest) {
  Response r = parse_ok("evaka_HUOLTAJA-HUOLLETTAVAT_020190-9521_Anna_Alexandra_Popov.xml");
  EXPECT_EQ(r.envelope, Envelope::XRoad);
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.product, "HUOLTAJA-HUOLLETTAVAT");
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "020190-9521");
  EXPECT_EQ(p.surname(), "Popov");
  EXPECT_EQ(p.given_names(), "Anna Alexandra");
  EXPECT_EQ(p.street_address(), "Kurteninkatu 13 H 45");
  EXPECT_EQ(p.postal_code(), "65100");
  EXPECT_EQ(p.municipality_code(), "905");
  EXPECT_EQ(p.municipality(), "Vaasa");
  EXPECT_FALSE(p.deceased());
  EXPECT_FALSE(p.security_prohibition());
  EXPECT_EQ(
      p.tree().values("Huollettava/Henkilotunnus"),
      (std::vector<std::string>{"011014A9510", "311211A9527", "010110A951P", "010108A9516", "010506A951W"}));
  EXPECT_EQ(p.tree().values("Huollettava/NykyisetEtunimet/Etunimet")[3], "Petrus");
}

TEST(ResponseSamples, EvakaHuollettavaHuoltajat) {
  Response r = parse_ok("evaka_HUOLLETTAVA-HUOLTAJAT_311211A9527_Minja_Zavutina_Popov.xml");
  EXPECT_EQ(r.envelope, Envelope::XRoad);
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "311211A9527");
  EXPECT_EQ(p.surname(), "Popov");
  EXPECT_EQ(p.given_names(), "Minja Zavutina");
  EXPECT_EQ(p.municipality(), "Vaasa");
  EXPECT_EQ(p.tree().values("Huoltaja/Henkilotunnus"),
            (std::vector<std::string>{"010181-9533", "020190-9521"}));
}

TEST(ResponseSamples, EvakaAsukasmaara) {
  Response r = parse_ok("evaka_ASUKASLKM2_020501A999T.xml");
  EXPECT_EQ(r.envelope, Envelope::XRoad);
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.product, "ASUKASLKM2");
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "020501A999T");
  EXPECT_EQ(p.tree().value("AsukasLkm"), "4");
  EXPECT_EQ(p.tree().value("AsukasAlle18v/Henkilotunnus"), "090702A9996");
  EXPECT_TRUE(p.surname().empty());
}

TEST(ResponseSamples, WiremockTemplateWithoutPaluukoodiFailsClosed) {
  Response r = parse_ok("evaka_turku_wiremock_template_henkilotunnuskysely-response-ok.xml");
  EXPECT_EQ(r.envelope, Envelope::XRoad);
  EXPECT_EQ(r.outcome, Outcome::Unknown);  // no Paluukoodi: never treated as found
  EXPECT_TRUE(r.code.empty());
  EXPECT_TRUE(r.product.empty());
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "{{ parameters.ssn }}");
  EXPECT_TRUE(p.surname().empty());
  EXPECT_TRUE(p.municipality().empty());
}

TEST(ResponseSamples, KansalaisaloiteNordeaMislabelledUtf8) {
  Response r = parse_ok("kansalaisaloite_PERUSJHHS2_Nordea_210281-9988_Nordea_Demo.xml");
  EXPECT_EQ(r.envelope, Envelope::Bare);
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.product, "PERUSJHHS2");
  EXPECT_EQ(r.extracted_at, "20120813104258");
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "210281-9988");  // sent as "210281-9988\n        "
  EXPECT_EQ(p.surname(), "Demo");
  EXPECT_EQ(p.given_names(), "Nordea");
  EXPECT_TRUE(p.municipality().empty());
  EXPECT_TRUE(p.postal_code().empty());
  EXPECT_FALSE(p.deceased());
  EXPECT_EQ(p.tree().value("SuomenKansalaisuusTietokoodi"), "0");
}

TEST(ResponseSamples, KansalaisaloiteOpBankScandinavianLetters) {
  Response r = parse_ok("kansalaisaloite_PERUSJHHS2_OP_bank_081181-9984_Sylvi_Sofie_Marttila.xml");
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "081181-9984");
  EXPECT_EQ(p.surname(), "Marttila");
  EXPECT_EQ(p.given_names(), "Sylvi Sofie");
  EXPECT_EQ(p.street_address(), "Sepänkatu 11 A 5");
  EXPECT_EQ(p.postal_code(), "70100");
  EXPECT_EQ(p.post_office(), "KUOPIO");
  EXPECT_EQ(p.municipality_code(), "297");
  EXPECT_EQ(p.municipality(), "Kuopio");
  EXPECT_EQ(p.tree().value("Kotikunta/KuntaR"), "Kuopiå");
  EXPECT_EQ(p.mother_tongue(), "fi");
}

TEST(ResponseSamples, KansalaisaloiteLivingAbroad) {
  Response r =
      parse_ok("kansalaisaloite_PERUSJHHS2_HST_card_living_abroad_160864-999H_Sigvard_Jonathan_Sutinen.xml");
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "160864-999H");
  EXPECT_EQ(p.surname(), "Sutinen");
  EXPECT_EQ(p.given_names(), "Sigvard Jonathan");
  EXPECT_EQ(p.municipality_code(), "200");
  EXPECT_EQ(p.municipality(), "Ulkomaat");
  EXPECT_TRUE(p.street_address().empty());
  EXPECT_EQ(p.tree().value("SuomenKansalaisuusTietokoodi"), "1");
}

TEST(ResponseSamples, KansalaisaloiteMissingMunicipality) {
  Response r = parse_ok(
      "kansalaisaloite_PERUSJHHS2_HST_card_missing_municipality_010673-998H_Meiju_Sanna-Maria_Taika_Junnila."
      "xml");
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "010673-998H");
  EXPECT_EQ(p.surname(), "Junnila");
  EXPECT_EQ(p.given_names(), "Meiju Sanna-Maria Taika");
  EXPECT_TRUE(p.municipality().empty());
  EXPECT_TRUE(p.municipality_code().empty());
}

TEST(ResponseSamples, KansalaisaloiteDeadByDateOfDeath) {
  Response r = parse_ok("kansalaisaloite_PERUSJHHS2_Handelsbanken_dead_010101-123N_Teemu_Testaaja.xml");
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "010101-123N");
  EXPECT_EQ(p.surname(), "Testaaja");
  EXPECT_EQ(p.given_names(), "Teemu");
  EXPECT_EQ(p.tree().value("Kuolintiedot/Kuolinpvm"), "20120813");
  EXPECT_TRUE(p.deceased());
}

// The mock's template names nobody (010190-0001 is no valid identity code), so as an answer it is refused;
// its Latin-1 text still reads correctly.
TEST(ResponseSamples, VetumaMockTemplateIsLatin1ButNamesNobody) {
  std::string doc =
      read_sample("kansalaisaloite_VetumaMock_PERUSJHHS2_VTJDATA_decoded_iso8859-1_template.xml");
  auto refused = parse_response(doc);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ParseErrorKind::NotAResponse);
  auto tree = detail::read_xml(doc, {});
  ASSERT_TRUE(tree.ok()) << tree.error().detail;
  EXPECT_EQ(tree->root.value("Paluukoodi"), "Haku onnistui");
  EXPECT_EQ(tree->root.value("Henkilo/VakinainenKotimainenLahiosoite/LahiosoiteR"), "Bertåkerstået 3 B 23");
  EXPECT_EQ(tree->root.value("Henkilo/Henkilotunnus"), "010190-0001");
}

TEST(ResponseSamples, LupapisteNordeaLatin1) {
  Response r =
      parse_ok("lupapiste_vetuma_test_PERUSJHHS2_VTJDATA_210281-9988_Nordea_Demo_decoded_iso8859-1.xml");
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.extracted_at, "20121008144529");
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "210281-9988");
  EXPECT_EQ(p.surname(), "Demo");
  EXPECT_EQ(p.given_names(), "Nordea");
  EXPECT_TRUE(p.municipality().empty());
}

TEST(ResponseSamples, LupapisteMarttilaLatin1) {
  Response r = parse_ok(
      "lupapiste_vtj_test_PERUSJHHS2_VTJDATA_081181-9984_Sylvi_Sofie_Marttila_decoded_iso8859-1.xml");
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "081181-9984");
  EXPECT_EQ(p.surname(), "Marttila");
  EXPECT_EQ(p.given_names(), "Sylvi Sofie");
  EXPECT_EQ(p.street_address(), "Sepänkatu 11 A 5");
  EXPECT_EQ(p.postal_code(), "70100");
  EXPECT_EQ(p.municipality_code(), "297");
  EXPECT_EQ(p.municipality(), "Kuopio");
}

// Both encodings give the same UTF-8: the Hakuperusteet text "Löytyi" never becomes "LÃ¶ytyi".
TEST(ResponseSamples, SearchCriterionTextIsUtf8InEveryEncoding) {
  for (const char* name :
       {"lupapiste_vtj_test_PERUSJHHS2_VTJDATA_081181-9984_Sylvi_Sofie_Marttila_decoded_iso8859-1.xml",
        "kansalaisaloite_PERUSJHHS2_OP_bank_081181-9984_Sylvi_Sofie_Marttila.xml",
        "koski_mockdata_PERUSLT1_huoltaja_310118-998M_Alina_Kukka-Maaria_Haapakoski.xml",
        "evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml"}) {
    auto root = detail::read_xml(read_sample(name), {});
    ASSERT_TRUE(root.ok()) << name;
    std::vector<const Element*> found = root->root.find("Hakuperusteet/Henkilotunnus");
    if (found.empty()) {
      found = root->root.find(
          "Body/HenkilonTunnusKyselyResponse/response/VTJHenkiloVastaussanoma/Hakuperusteet/Henkilotunnus");
    }
    ASSERT_EQ(found.size(), 1u) << name;
    EXPECT_EQ(found[0]->attribute("hakuperusteTekstiS"), "Löytyi") << name;
  }
}

TEST(ResponseSamples, KoskiMockdataWithUndeclaredXsiPrefix) {
  Response r = parse_ok("koski_mockdata_PERUSLT1_huoltaja_310118-998M_Alina_Kukka-Maaria_Haapakoski.xml");
  EXPECT_EQ(r.envelope, Envelope::Bare);
  EXPECT_EQ(r.outcome, Outcome::Found);
  EXPECT_EQ(r.product, "PERUSLT1");
  EXPECT_EQ(r.extracted_at, "20151117112133");
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "010106A9322");
  EXPECT_EQ(p.surname(), "Haapakoski");
  EXPECT_EQ(p.given_names(), "Alina Kukka-Maaria");
  EXPECT_EQ(p.street_address(), "Iso Haukka Linnun Kuja 1 I 35");
  EXPECT_EQ(p.postal_code(), "78850");
  EXPECT_EQ(p.post_office(), "VARKAUS");
  EXPECT_EQ(p.municipality_code(), "915");
  EXPECT_EQ(p.municipality(), "Varkaus");
  EXPECT_FALSE(p.deceased());
  EXPECT_EQ(p.tree().find("Huollettava").size(), 5u);
  EXPECT_EQ(p.tree().values("Huollettava/Henkilotunnus").size(), 4u);  // one dependant has no hetu
  EXPECT_EQ(p.tree().value("Huollettava/Suhde"), "Syntymävuosi");
}

TEST(ResponseSamples, KoskiClientSpec) {
  Response r =
      parse_ok("koski_VtjClientSpec_PERUSLT1_huoltaja_310118-998M_Alina_Kukka-Maaria_Haapakoski.xml");
  EXPECT_EQ(r.envelope, Envelope::Bare);
  EXPECT_EQ(r.outcome, Outcome::Found);
  const Person& p = person_of(r);
  EXPECT_EQ(p.hetu(), "310118-998M");
  EXPECT_EQ(p.surname(), "Haapakoski");
  EXPECT_EQ(p.municipality(), "Varkaus");
  EXPECT_EQ(p.tree().values("Huollettava/Henkilotunnus"),
            (std::vector<std::string>{"010203A123B", "010105A9413"}));
}

TEST(ResponseSamples, RequestTemplateIsNotAResponse) {
  auto r = parse_response(read_sample("koski_request_template_TeeHenkilonTunnusKysely_OPHREK.xml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse);
}

TEST(ResponseSamples, XRoadTechnicalFault) {
  Response r = parse_ok("xroad/xroad4_prmess_annexD1_technical_fault.xml");
  EXPECT_EQ(r.envelope, Envelope::SoapFault);
  EXPECT_EQ(r.outcome, Outcome::Fault);
  EXPECT_EQ(r.fault_code, "Server.ClientProxy.ServiceFailed.MissingBody");
  EXPECT_EQ(r.code, r.fault_code);
  EXPECT_EQ(r.fault_string, "Malformed SOAP message: body missing");
  EXPECT_EQ(r.fault_detail, "f31e7451-f0ac-48f6-9f05-1f0459e48eea");
  EXPECT_FALSE(r.person.has_value());
}

TEST(ResponseSamples, XRoadExampleServiceIsNotAResponse) {
  for (const char* name :
       {"xroad/xroad4_prmess_annexE1_request.xml", "xroad/xroad4_prmess_annexE2_response.xml"}) {
    auto r = parse_response(read_sample(name));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse) << name;
  }
}

// A guard: a sample added later must either parse or be one of the known non-responses.
TEST(ResponseSamples, EveryXmlSampleIsAccountedFor) {
  namespace fs = std::filesystem;
  int parsed = 0;
  for (const auto& entry : fs::recursive_directory_iterator(std::string(VTJ_TEST_DATA_DIR) + "/samples")) {
    if (entry.path().extension() != ".xml") {
      continue;
    }
    std::string rel = fs::relative(entry.path(), std::string(VTJ_TEST_DATA_DIR) + "/samples").string();
    auto r = parse_response(read_sample(rel));
    bool non_response = rel.find("request") != std::string::npos || rel.find("annexE") != std::string::npos;
    // A mock's template: success naming no valid identity code (see
    // VetumaMockTemplateIsLatin1ButNamesNobody).
    bool names_nobody = rel.find("VetumaMock") != std::string::npos;
    if (non_response || names_nobody) {
      ASSERT_FALSE(r.ok()) << rel;
      EXPECT_EQ(r.error().kind, ParseErrorKind::NotAResponse) << rel;
    } else {
      EXPECT_TRUE(r.ok()) << rel << ": " << (r.ok() ? "" : r.error().detail);
      ++parsed;
    }
  }
  EXPECT_EQ(parsed, 15);
}

}  // namespace
}  // namespace vtj::reg
