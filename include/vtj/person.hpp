#pragma once
// A person as the register returned it: the element tree under Henkilo (so any path can be a field),
// plus typed accessors for the fields CONTRACT.md names. Values are UTF-8 with surrounding XML
// white space trimmed; codes stay strings (leading zeros matter: postal code 00100).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtj::reg {

struct Element {
  std::string name;  // local name, the sender's namespace prefix removed
  std::string text;  // character content of a leaf, trimmed; empty for an element with children
  std::vector<std::pair<std::string, std::string>> attributes;  // local names, values as sent
  std::vector<Element> children;

  const Element* child(std::string_view local_name) const;
  std::string_view attribute(std::string_view local_name) const;  // empty when absent
  // Every element reached by a path of local names relative to this one ("Kotikunta/KuntaS").
  std::vector<const Element*> find(std::string_view path) const;
  // The trimmed texts of every non-empty match of `path`.
  std::vector<std::string> values(std::string_view path) const;
  // The first non-empty value of `path`, or empty.
  std::string value(std::string_view path) const;
};

class Person {
 public:
  Person() = default;
  explicit Person(Element henkilo) : henkilo_(std::move(henkilo)) {}

  const Element& tree() const { return henkilo_; }

  std::string hetu() const { return henkilo_.value("Henkilotunnus"); }
  std::string satu() const { return henkilo_.value("SahkoinenAsiointitunnus"); }
  std::string surname() const { return henkilo_.value("NykyinenSukunimi/Sukunimi"); }
  std::string given_names() const { return henkilo_.value("NykyisetEtunimet/Etunimet"); }
  std::string calling_name() const { return henkilo_.value("NykyinenKutsumanimi/Kutsumanimi"); }
  std::string street_address() const { return henkilo_.value("VakinainenKotimainenLahiosoite/LahiosoiteS"); }
  std::string postal_code() const { return henkilo_.value("VakinainenKotimainenLahiosoite/Postinumero"); }
  std::string post_office() const {
    return henkilo_.value("VakinainenKotimainenLahiosoite/PostitoimipaikkaS");
  }
  std::string municipality_code() const { return henkilo_.value("Kotikunta/Kuntanumero"); }
  std::string municipality() const { return henkilo_.value("Kotikunta/KuntaS"); }
  std::string mother_tongue() const { return henkilo_.value("Aidinkieli/Kielikoodi"); }
  std::vector<std::string> nationalities() const {
    return henkilo_.values("Kansalaisuus/Kansalaisuuskoodi3");
  }
  // Kuolintiedot/Kuollut is "1" when the person is dead. Older products (PERUSJHHS2) send no Kuollut,
  // only Kuolintiedot/Kuolinpvm: a date of death, or of a declaration of death, also means dead (fail safe).
  // Any one of repeated elements saying so is enough: a hostile answer must not hide "1" behind an
  // earlier empty or "0" duplicate.
  bool deceased() const {
    for (const std::string& v : henkilo_.values("Kuolintiedot/Kuollut")) {
      if (v == "1") {
        return true;
      }
    }
    return !henkilo_.value("Kuolintiedot/Kuolinpvm").empty() ||
           !henkilo_.value("Kuolleeksijulistamistiedot/Kuolleeksijulistamispvm").empty();
  }
  // Turvakielto/TurvakieltoTieto: empty or "0" is not in force; any other value is (fail safe), and so
  // is any one of repeated values ("0" then "1" is in force).
  bool security_prohibition() const {
    for (const std::string& v : henkilo_.values("Turvakielto/TurvakieltoTieto")) {
      if (v != "0") {
        return true;
      }
    }
    return false;
  }

 private:
  Element henkilo_;
};

}  // namespace vtj::reg
