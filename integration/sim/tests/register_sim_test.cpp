// Every person of the default data set, asked by hetu and by SATU, for both products, on each transport,
// built with the core's request builders and read back with the core's response parser.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "dataset.hpp"
#include "sim_test_util.hpp"
#include "vtj/register_query.hpp"

namespace vtj::sim {
namespace {

using test::Via;

std::string upper(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

class EveryPerson : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ds = load_dataset(VTJ_SIM_DATA);
    ASSERT_TRUE(ds) << ds.error();
    data_ = std::move(*ds);
    reg_ = test::load_register();
    ASSERT_NE(reg_, nullptr);
  }

  // What the person's answer must say, whatever the transport.
  void check(const PersonRecord& p, const Reply& reply, Via via, const Product& product, bool hetu_query) {
    SCOPED_TRACE(p.id + " via " + test::to_string(via) + " product " + product.name +
                 (hetu_query ? " by hetu" : " by satu"));
    EXPECT_EQ(reply.fault, p.fault.fault);
    switch (p.fault.fault) {
      case Fault::Http500:
        EXPECT_EQ(reply.status, 500);
        EXPECT_NE(reply.body.find("<html>"), std::string::npos);
        return;
      case Fault::SoapFault: {
        reg::Response r = test::parse(reply);
        EXPECT_EQ(r.outcome, reg::Outcome::Fault);
        EXPECT_EQ(reply.status, via == Via::XRoad ? 200 : 500);
        return;
      }
      case Fault::Malformed: {
        EXPECT_EQ(reply.status, 200);
        auto r = reg::parse_response(reply.body);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, reg::ParseErrorKind::Malformed);
        return;
      }
      case Fault::Oversized: {
        EXPECT_GT(reply.body.size(), 2u * 1024 * 1024);
        auto r = reg::parse_response(reply.body);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, reg::ParseErrorKind::TooLarge);
        return;
      }
      case Fault::Latency:
        EXPECT_EQ(reply.latency_ms, p.fault.latency_ms);
        break;
      default:
        break;
    }
    EXPECT_EQ(reply.status, 200);
    std::string charset = p.latin1 ? "charset=ISO-8859-1" : "charset=utf-8";
    EXPECT_NE(reply.content_type.find(charset), std::string::npos) << reply.content_type;
    reg::Response r = test::parse(reply);
    EXPECT_EQ(r.envelope, via == Via::XRoad ? reg::Envelope::XRoad : reg::Envelope::Soso);
    if (via == Via::XRoad) {
      EXPECT_EQ(r.xroad_id, test::kMessageId);
    }
    if (!p.passivated_to.empty()) {
      EXPECT_EQ(r.outcome, reg::Outcome::Passivated);
      EXPECT_EQ(r.code, "0002");
      EXPECT_EQ(r.active_hetu, p.passivated_to);
      ASSERT_TRUE(r.person);
      EXPECT_EQ(r.person->surname(), "");  // nothing personal beside the active code
      return;
    }
    if (p.code == "0001") {
      EXPECT_EQ(r.outcome, reg::Outcome::NotFound);
      EXPECT_EQ(r.code, "0001");
      EXPECT_FALSE(r.person);
      return;
    }
    if (p.code == "0007") {
      // Deceased, data withheld: the identity code alone says whom the answer concerns.
      EXPECT_EQ(r.outcome, reg::Outcome::Deceased);
      ASSERT_TRUE(r.person);
      EXPECT_EQ(r.person->hetu(), p.hetu);
      EXPECT_EQ(r.person->tree().children.size(), 1u);
      return;
    }
    if (!p.code.empty()) {
      EXPECT_EQ(r.code, p.code);
      EXPECT_EQ(r.outcome, reg::outcome_for_code(p.code));
      EXPECT_FALSE(r.person);
      return;
    }
    EXPECT_EQ(r.outcome, reg::Outcome::Found);
    EXPECT_EQ(r.code, "0000");
    EXPECT_EQ(r.message, "Haku onnistui");
    EXPECT_EQ(r.product, upper(product.name));
    EXPECT_EQ(r.extracted_at.size(), 14u);
    ASSERT_TRUE(r.person);
    const reg::Person& person = *r.person;
    EXPECT_EQ(person.hetu(), p.hetu);
    EXPECT_EQ(person.surname(), p.surname);
    EXPECT_EQ(person.given_names(), p.given_names);
    EXPECT_EQ(person.street_address(), p.street_address);
    EXPECT_EQ(person.postal_code(), p.postal_code);
    EXPECT_EQ(person.post_office(), p.post_office);
    EXPECT_EQ(person.municipality_code(), p.municipality_code);
    EXPECT_EQ(person.municipality(), p.municipality);
    EXPECT_EQ(person.mother_tongue(), p.mother_tongue);
    EXPECT_EQ(person.deceased(), p.deceased);
    EXPECT_EQ(person.tree().value("VakinainenUlkomainenLahiosoite/UlkomainenLahiosoite"), p.foreign_address);
    EXPECT_EQ(person.tree().value("VakinainenUlkomainenLahiosoite/Valtiokoodi3"), p.foreign_country_code);
    if (product.shape == Shape::Perussanoma3) {
      EXPECT_EQ(person.calling_name(), p.calling_name);
      EXPECT_EQ(person.nationalities(), p.nationalities);
      EXPECT_EQ(person.security_prohibition(), p.security_prohibition);
      EXPECT_EQ(person.tree().value("Sukupuoli/Sukupuolikoodi"), p.sex);
    } else {
      // PERUSJHHS2 has neither a calling name, nationality codes nor a prohibition element.
      EXPECT_EQ(person.calling_name(), "");
      EXPECT_TRUE(person.nationalities().empty());
      bool finnish =
          std::find(p.nationalities.begin(), p.nationalities.end(), "246") != p.nationalities.end();
      EXPECT_EQ(person.tree().value("SuomenKansalaisuusTietokoodi"), finnish ? "1" : "0");
    }
    // The core's own consistency check of an answer against its query.
    reg::QueryParams asked = hetu_query ? test::by_hetu(p.hetu) : test::by_satu(p.satu);
    EXPECT_FALSE(reg::answer_mismatch(asked, r));
  }

  Dataset data_;
  std::unique_ptr<Register> reg_;
};

TEST_F(EveryPerson, AnswersByHetuAndSatuOnEveryTransportAndProduct) {
  ASSERT_GE(data_.persons.size(), 20u);
  int answers = 0;
  for (const PersonRecord& p : data_.persons) {
    for (const Product& product : data_.products) {
      for (Via via : test::kAllVias) {
        check(p, reg_->answer(test::request_via(via, test::by_hetu(p.hetu, product.name))), via, product,
              true);
        ++answers;
        if (!p.satu.empty()) {
          check(p, reg_->answer(test::request_via(via, test::by_satu(p.satu, product.name))), via, product,
                false);
          ++answers;
        }
      }
    }
  }
  // Every answer was counted once, as a query.
  EXPECT_NE(reg_->counters_json().find("\"queries\":" + std::to_string(answers) + ","), std::string::npos)
      << reg_->counters_json();
}

TEST_F(EveryPerson, TheDefaultDataSetCoversWhatTheTestsNeed) {
  // The cases docs/register-simulator.md promises, by their identity codes.
  for (const char* hetu :
       {"010190-901R", "241270-904C", "020240-905D", "030380-9067", "040480-907P", "050575-908W",
        "060666-9092", "070777-910C", "080888-911P", "090999-9121", "101060-913E"}) {
    EXPECT_NE(data_.find_hetu(hetu), nullptr) << hetu;
  }
}

TEST(RegisterAnswers, NamesAddressesAndCodesAsTheRegisterWritesThem) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    reg::Response adult = test::ask(*reg, via, test::by_satu("10000101W"));
    ASSERT_TRUE(adult.person);
    EXPECT_EQ(adult.person->hetu(), "010190-901R");
    EXPECT_EQ(adult.person->postal_code(), "00100");  // leading zero kept
    EXPECT_EQ(adult.person->municipality_code(), "091");
    EXPECT_EQ(adult.person->tree().value("VakinainenKotimainenLahiosoite/LahiosoiteR"),
              "Mannerheimvägen 12 B 7");
    EXPECT_EQ(adult.person->tree().value("Kotikunta/KuntaR"), "Helsingfors");
    EXPECT_EQ(adult.person->tree().value("Aidinkieli/KieliS"), "suomi");
    EXPECT_EQ(adult.person->tree().value("Sukupuoli/SukupuoliS"), "Nainen");
    EXPECT_EQ(adult.person->nationalities(), (std::vector<std::string>{"246"}));

    reg::Response two = test::ask(*reg, via, test::by_hetu("150385-9024"));
    ASSERT_TRUE(two.person);
    EXPECT_EQ(two.person->nationalities(), (std::vector<std::string>{"246", "752"}));
    EXPECT_EQ(two.person->tree().values("Kansalaisuus/KansalaisuusS"),
              (std::vector<std::string>{"Suomi", "Ruotsi"}));
    EXPECT_EQ(two.person->street_address(), "Hämeenkatu 3 A 15");

    reg::Response prohibited = test::ask(*reg, via, test::by_hetu("241270-904C"));
    ASSERT_TRUE(prohibited.person);
    EXPECT_TRUE(prohibited.person->security_prohibition());
    EXPECT_EQ(prohibited.person->post_office(), "JYVÄSKYLÄ");  // the register still sends the address

    reg::Response dead = test::ask(*reg, via, test::by_hetu("020240-905D"));
    ASSERT_TRUE(dead.person);
    EXPECT_EQ(dead.outcome, reg::Outcome::Found);
    EXPECT_TRUE(dead.person->deceased());
    EXPECT_EQ(dead.person->tree().value("Kuolintiedot/Kuollut"), "1");
    EXPECT_EQ(dead.person->tree().value("Kuolintiedot/Kuolinpvm"), "20250312");
    reg::Response dead_old = test::ask(*reg, via, test::by_hetu("020240-905D", "PERUSJHHS2"));
    ASSERT_TRUE(dead_old.person);
    EXPECT_TRUE(dead_old.person->deceased());

    reg::Response czech = test::ask(*reg, via, test::by_hetu("070777-910C"));
    ASSERT_TRUE(czech.person);
    EXPECT_EQ(czech.person->surname(), "Dvořák-Šťastná");
    EXPECT_EQ(czech.person->given_names(), "Zdeňka Łucja");
    EXPECT_EQ(czech.person->tree().value("Aidinkieli/KieliS"), "tšekki");

    reg::Response abroad = test::ask(*reg, via, test::by_hetu("080888-911P"));
    ASSERT_TRUE(abroad.person);
    EXPECT_EQ(abroad.person->municipality_code(), "200");
    EXPECT_EQ(abroad.person->street_address(), "");
    EXPECT_EQ(abroad.person->tree().value("VakinainenUlkomainenLahiosoite/UlkomainenLahiosoite"),
              "Storgatan 14");
    EXPECT_EQ(abroad.person->tree().value("VakinainenUlkomainenLahiosoite/UlkomainenPaikkakuntaJaValtioR"),
              "Stockholm, Sverige");
    EXPECT_EQ(abroad.person->tree().value("VakinainenUlkomainenLahiosoite/Valtiokoodi3"), "752");

    reg::Response nowhere = test::ask(*reg, via, test::by_hetu("090999-9121"));
    ASSERT_TRUE(nowhere.person);
    EXPECT_EQ(nowhere.person->municipality_code(), "");
    const reg::Element* kotikunta = nowhere.person->tree().child("Kotikunta");
    ASSERT_NE(kotikunta, nullptr);  // present, every leaf empty
    EXPECT_EQ(kotikunta->children.size(), 4u);
  }
}

TEST(RegisterAnswers, PassivatedIdentifiersNameTheActiveCodeWhichThenAnswers) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    for (const reg::QueryParams& q : {test::by_hetu("030380-9067"), test::by_satu("100001062")}) {
      reg::Response r = test::ask(*reg, via, q);
      EXPECT_EQ(r.outcome, reg::Outcome::Passivated);
      EXPECT_EQ(r.active_hetu, "040480-907P");
      ASSERT_TRUE(r.person);
      EXPECT_EQ(r.person->tree().children.size(), 1u);
      EXPECT_EQ(r.person->tree().children.front().attribute("voimassaolokoodi"), "1");
    }
    reg::Response active = test::ask(*reg, via, test::by_hetu("040480-907P"));
    EXPECT_EQ(active.outcome, reg::Outcome::Found);
    ASSERT_TRUE(active.person);
    EXPECT_EQ(active.person->surname(), "Lahtinen");
  }
}

TEST(RegisterAnswers, UnknownPersonsAreNotFoundAndXRoadSaysSoWithFaultCode) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    Reply reply = reg->answer(test::request_via(via, test::by_hetu("311299-999E")));
    reg::Response r = test::parse(reply);
    EXPECT_EQ(r.outcome, reg::Outcome::NotFound);
    EXPECT_EQ(r.code, "0001");
    EXPECT_FALSE(r.person);
    if (via == Via::XRoad) {
      EXPECT_EQ(reply.status, 200);
      EXPECT_EQ(r.fault_code, "0001");
      EXPECT_EQ(reply.body.find("VTJHenkiloVastaussanoma"), std::string::npos);
    } else {
      EXPECT_NE(reply.body.find("hakuperustePaluukoodi=\"0\""), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace vtj::sim
