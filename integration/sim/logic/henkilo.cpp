// The Henkilo element of each product shape. Element sets and order follow the samples: PERUSSANOMA3
// as the evaka answer (plus NykyinenKutsumanimi, where the catalogue places it), PERUSJHHS2 as the
// kansalaisaloite documents. Every leaf of a group is written even when empty, as the register does.

#include <initializer_list>
#include <utility>

#include "code_tables.hpp"
#include "document.hpp"

namespace vtj::sim {

namespace {

// One group of leaves: <group><a>v</a>...</group>.
void group(XmlOut& out, std::string_view name,
           std::initializer_list<std::pair<std::string_view, std::string_view>> leaves) {
  out.open(name);
  for (const auto& [leaf, value] : leaves) {
    out.leaf(leaf, value);
  }
  out.close(name);
}

void empty_group(XmlOut& out, std::string_view name, std::initializer_list<std::string_view> leaves) {
  out.open(name);
  for (std::string_view leaf : leaves) {
    out.leaf(leaf, {});
  }
  out.close(name);
}

void identity_code(XmlOut& out, const PersonRecord& p) {
  out.raw("<");
  out.raw(out.prefix());
  out.raw("Henkilotunnus voimassaolokoodi=\"1\">");
  out.text(p.hetu);
  out.close("Henkilotunnus");
}

void names(XmlOut& out, const PersonRecord& p) {
  group(out, "NykyinenSukunimi", {{"Sukunimi", p.surname}});
  group(out, "NykyisetEtunimet", {{"Etunimet", p.given_names}});
}

void domestic_address(XmlOut& out, const PersonRecord& p) {
  group(out, "VakinainenKotimainenLahiosoite",
        {{"LahiosoiteS", p.street_address},
         {"LahiosoiteR", p.street_address_sv},
         {"Postinumero", p.postal_code},
         {"PostitoimipaikkaS", p.post_office},
         {"PostitoimipaikkaR", p.post_office_sv},
         {"AsuminenAlkupvm", ""},
         {"AsuminenLoppupvm", ""}});
}

void foreign_address(XmlOut& out, const PersonRecord& p) {
  group(out, "VakinainenUlkomainenLahiosoite",
        {{"UlkomainenLahiosoite", p.foreign_address},
         {"UlkomainenPaikkakuntaJaValtioS", p.foreign_place},
         {"UlkomainenPaikkakuntaJaValtioR", p.foreign_place_sv},
         {"UlkomainenPaikkakuntaJaValtioSelvakielinen", ""},
         {"Valtiokoodi3", p.foreign_country_code},
         {"AsuminenAlkupvm", ""},
         {"AsuminenLoppupvm", ""}});
}

void home_municipality(XmlOut& out, const PersonRecord& p) {
  group(out, "Kotikunta",
        {{"Kuntanumero", p.municipality_code},
         {"KuntaS", p.municipality},
         {"KuntaR", p.municipality_sv},
         {"KuntasuhdeAlkupvm", ""}});
}

void mother_tongue(XmlOut& out, const PersonRecord& p) {
  Names n = language_names(p.mother_tongue);
  group(out, "Aidinkieli",
        {{"Kielikoodi", p.mother_tongue}, {"KieliS", n.fi}, {"KieliR", n.sv}, {"KieliSelvakielinen", ""}});
}

void perussanoma3(XmlOut& out, const PersonRecord& p) {
  identity_code(out, p);
  names(out, p);
  group(out, "NykyinenKutsumanimi", {{"Kutsumanimi", p.calling_name}});
  empty_group(out, "EntinenNimi", {"Nimi", "Nimilajikoodi", "Alkupvm", "Loppupvm", "Info8S", "Info8R"});
  domestic_address(out, p);
  group(out, "VakinainenAsuinpaikka", {{"Asuinpaikantunnus", ""}});
  foreign_address(out, p);
  empty_group(out, "TilapainenKotimainenLahiosoite",
              {"LahiosoiteS", "LahiosoiteR", "Postinumero", "PostitoimipaikkaS", "PostitoimipaikkaR",
               "AsuminenAlkupvm", "AsuminenLoppupvm"});
  empty_group(
      out, "TilapainenUlkomainenLahiosoite",
      {"UlkomainenLahiosoite", "UlkomainenPaikkakuntaJaValtioS", "UlkomainenPaikkakuntaJaValtioR",
       "UlkomainenPaikkakuntaJaValtioSelvakielinen", "Valtiokoodi3", "AsuminenAlkupvm", "AsuminenLoppupvm"});
  empty_group(out, "KotimainenPostiosoite",
              {"PostiosoiteS", "PostiosoiteR", "Postinumero", "PostitoimipaikkaS", "PostitoimipaikkaR",
               "PostiosoiteAlkupvm", "PostiosoiteLoppupvm"});
  empty_group(out, "UlkomainenPostiosoite",
              {"UlkomainenLahiosoite", "UlkomainenPaikkakunta", "Valtiokoodi3", "ValtioS", "ValtioR",
               "ValtioSelvakielinen", "PostiosoiteAlkupvm", "PostiosoiteLoppupvm"});
  home_municipality(out, p);
  group(out, "Kuolintiedot", {{"Kuollut", p.deceased ? "1" : ""}, {"Kuolinpvm", p.death_date}});
  empty_group(out, "Kuolleeksijulistamistiedot", {"Kuolleeksijulistamispvm"});
  mother_tongue(out, p);
  group(out, "Turvakielto",
        {{"TurvakieltoTieto", p.security_prohibition ? "1" : ""}, {"TurvakieltoPaattymispvm", ""}});
  std::string_view sex_fi = p.sex == "1" ? "Mies" : p.sex == "2" ? "Nainen" : "";
  std::string_view sex_sv = p.sex == "1" ? "Man" : p.sex == "2" ? "Kvinna" : "";
  group(out, "Sukupuoli", {{"Sukupuolikoodi", p.sex}, {"SukupuoliS", sex_fi}, {"SukupuoliR", sex_sv}});
  if (p.nationalities.empty()) {
    empty_group(
        out, "Kansalaisuus",
        {"Kansalaisuuskoodi3", "KansalaisuusS", "KansalaisuusR", "KansalaisuusSelvakielinen", "Saamispvm"});
  }
  for (const std::string& code : p.nationalities) {
    Names n = country_names(code);
    group(out, "Kansalaisuus",
          {{"Kansalaisuuskoodi3", code},
           {"KansalaisuusS", n.fi},
           {"KansalaisuusR", n.sv},
           {"KansalaisuusSelvakielinen", ""},
           {"Saamispvm", ""}});
  }
  out.open("Edunvalvonta");
  for (std::string_view leaf :
       {"Alkupvm", "Paattymispvm", "Rajoituskoodi", "RajoitustekstiS", "RajoitustekstiR",
        "Tehtavienjakokoodi", "TehtavienjakoS", "TehtavienjakoR"}) {
    out.leaf(leaf, {});
  }
  out.open("HenkiloEdunvalvoja");
  out.leaf("Henkilotunnus", {});
  out.leaf("Syntymaaika", {});
  empty_group(out, "NykyinenSukunimi", {"Sukunimi"});
  empty_group(out, "NykyisetEtunimet", {"Etunimet"});
  out.leaf("TehtavaAlkupvm", {});
  out.leaf("TehtavaLoppupvm", {});
  out.close("HenkiloEdunvalvoja");
  empty_group(out, "YritysJaYhteisoEdunvalvoja", {"Ytunnus", "Nimi", "TehtavaLoppupvm", "TehtavaAlkupvm"});
  empty_group(out, "OikeusaputoimistoEdunvalvoja",
              {"Viranomaisnumero", "ViranomainenS", "ViranomainenR", "TehtavaAlkupvm", "TehtavaLoppupvm"});
  out.close("Edunvalvonta");
  out.open("Edunvalvontavaltuutus");
  for (std::string_view leaf :
       {"Alkupvm", "Paattymispvm", "Tehtavienjakokoodi", "TehtavienjakoS", "TehtavienjakoR"}) {
    out.leaf(leaf, {});
  }
  out.open("HenkiloEdunvalvontavaltuutettu");
  out.leaf("Henkilotunnus", {});
  out.leaf("Syntymaaika", {});
  empty_group(out, "NykyinenSukunimi", {"Sukunimi"});
  empty_group(out, "NykyisetEtunimet", {"Etunimet"});
  out.leaf("ValtuutusAlkupvm", {});
  out.leaf("ValtuutusLoppupvm", {});
  out.close("HenkiloEdunvalvontavaltuutettu");
  out.close("Edunvalvontavaltuutus");
}

void perusjhhs2(XmlOut& out, const PersonRecord& p) {
  identity_code(out, p);
  names(out, p);
  domestic_address(out, p);
  foreign_address(out, p);
  home_municipality(out, p);
  // This older product has no Kuollut: a date of death is the only sign (as the Handelsbanken sample).
  group(out, "Kuolintiedot", {{"Kuolinpvm", p.death_date}});
  mother_tongue(out, p);
  bool finnish = false;
  for (const std::string& code : p.nationalities) {
    finnish = finnish || code == "246";
  }
  out.leaf("SuomenKansalaisuusTietokoodi", finnish ? "1" : "0");
}

}  // namespace

void write_henkilo(XmlOut& out, const PersonRecord& p, Shape shape) {
  out.open("Henkilo");
  if (shape == Shape::Perussanoma3) {
    perussanoma3(out, p);
  } else {
    perusjhhs2(out, p);
  }
  out.close("Henkilo");
}

}  // namespace vtj::sim
