#include "code_tables.hpp"

#include <utility>

namespace vtj::sim {

int code_index(std::string_view code) {
  for (size_t i = 0; i < kKnownCodes.size(); ++i) {
    if (kKnownCodes[i] == code) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string_view code_message(std::string_view code) {
  // The texts of the published samples where they exist (0000, 0001, 0002, 0007, 0019, -1500); the
  // others say in the same style what VTJ-INTERFACE.md's table says.
  static constexpr std::pair<std::string_view, std::string_view> kTexts[] = {
      {"0000", "Haku onnistui"},
      {"0001", "Haulla ei löytynyt tietoja"},
      {"0002", "Henkilötunnus on passivoitu"},
      {"0003", "Salasana puuttuu, on väärä tai vanhentunut"},
      {"0004", "Käyttäjätunnus puuttuu, on väärä tai vanhentunut"},
      {"0005", "Hakuperusteissa on virhe"},
      {"0006", "Hakuperusteella ei löytynyt tietoja"},
      {"0007", "Henkilö on kuollut"},
      {"0008", "Sulkulistatarkistusta ei voitu tehdä"},
      {"0009", "Voimassaolotarkistusta ei voitu tehdä"},
      {"0010", "Tuote edellyttää tunnistamista varmenteella"},
      {"0011", "Tuote edellyttää tunnistamista käyttäjätunnuksella"},
      {"0012", "Varmenne on vanhentunut"},
      {"0013", "Varmenne on sulkulistalla"},
      {"0014", "Annettu tieto ei ole varmenne"},
      {"0015", "Varmenne ei ole rekisteriviranomaisen hyväksymä"},
      {"0016", "Kyselyn ja vastauksen tunnistetiedot eroavat"},
      {"0017", "Henkilöä ei löytynyt holhousrekisteristä"},
      {"0018", "Henkilö on alle 15-vuotias"},
      {"0019", "Tietoja ei voida luovuttaa"},
      {"-1500", "Käyttäjätunnus tai salasana väärin"},
      {"-1505", "Laskutustiedoissa on virhe"},
      {"-1800", "Palvelun sisäinen virhe"},
      {"-1805", "Tunnistuskysely ei ole skeeman mukainen"},
      {"-1900", "Tuotetta ei löytynyt"},
      {"-1901", "Tuotetta ei löytynyt"},
      {"-1902", "Sanoma ei ole kelvollinen"},
      {"-1903", "Sanomassa on kelvottomia merkkejä"},
      {"-1904", "Loppukäyttäjä puuttuu"},
      {"-1905", "Laskutustiedoissa on virhe"},
      {"-1906", "Odottamaton virhe"},
  };
  for (const auto& [k, v] : kTexts) {
    if (k == code) {
      return v;
    }
  }
  return "Odottamaton virhe";
}

CriterionTexts criterion_texts(Criterion c) {
  switch (c) {
    case Criterion::Found:
      return {"1", "Löytyi", "Hittades", "Found"};
    case Criterion::NotFound:
      return {"0", "Ei löytynyt", "Hittades inte", "Not found"};
    case Criterion::Passive:
      return {"2", "Passiivinen", "Passiv", "Passive"};
    case Criterion::NotUsed:
      // As the PERUSJHHS2 samples spell it, "kaytetty" without the umlaut included.
      return {"4", "Tunnushakuperustetta ei ole kaytetty", "Beteckningen har inte användat", "Not used"};
  }
  return {"0", "", "", ""};
}

Names language_names(std::string_view code) {
  static constexpr std::pair<std::string_view, Names> kLanguages[] = {
      {"fi", {"suomi", "finska"}},      {"sv", {"ruotsi", "svenska"}},
      {"se", {"saame", "samiska"}},     {"en", {"englanti", "engelska"}},
      {"et", {"viro", "estniska"}},     {"ru", {"venäjä", "ryska"}},
      {"cs", {"tšekki", "tjeckiska"}},  {"de", {"saksa", "tyska"}},
      {"fr", {"ranska", "franska"}},    {"es", {"espanja", "spanska"}},
      {"so", {"somali", "somaliska"}},  {"ar", {"arabia", "arabiska"}},
      {"pl", {"puola", "polska"}},      {"no", {"norja", "norska"}},
      {"da", {"tanska", "danska"}},     {"zh", {"kiina", "kinesiska"}},
      {"fa", {"persia", "persiska"}},   {"ku", {"kurdi", "kurdiska"}},
      {"sq", {"albania", "albanska"}},  {"vi", {"vietnam", "vietnamesiska"}},
      {"th", {"thai", "thailändska"}},  {"tr", {"turkki", "turkiska"}},
      {"uk", {"ukraina", "ukrainska"}}, {"it", {"italia", "italienska"}},
  };
  for (const auto& [k, v] : kLanguages) {
    if (k == code) {
      return v;
    }
  }
  return {};
}

Names country_names(std::string_view code3) {
  static constexpr std::pair<std::string_view, Names> kCountries[] = {
      {"246", {"Suomi", "Finland"}},
      {"752", {"Ruotsi", "Sverige"}},
      {"578", {"Norja", "Norge"}},
      {"208", {"Tanska", "Danmark"}},
      {"352", {"Islanti", "Island"}},
      {"233", {"Viro", "Estland"}},
      {"428", {"Latvia", "Lettland"}},
      {"440", {"Liettua", "Litauen"}},
      {"643", {"Venäjä", "Ryssland"}},
      {"804", {"Ukraina", "Ukraina"}},
      {"616", {"Puola", "Polen"}},
      {"203", {"Tšekki", "Tjeckien"}},
      {"703", {"Slovakia", "Slovakien"}},
      {"348", {"Unkari", "Ungern"}},
      {"276", {"Saksa", "Tyskland"}},
      {"040", {"Itävalta", "Österrike"}},
      {"528", {"Alankomaat", "Nederländerna"}},
      {"056", {"Belgia", "Belgien"}},
      {"250", {"Ranska", "Frankrike"}},
      {"724", {"Espanja", "Spanien"}},
      {"380", {"Italia", "Italien"}},
      {"826", {"Yhdistynyt kuningaskunta", "Förenade kungariket"}},
      {"840", {"Yhdysvallat (USA)", "Förenta staterna (USA)"}},
      {"792", {"Turkki", "Turkiet"}},
      {"368", {"Irak", "Irak"}},
      {"364", {"Iran", "Iran"}},
      {"706", {"Somalia", "Somalia"}},
      {"156", {"Kiina", "Kina"}},
  };
  for (const auto& [k, v] : kCountries) {
    if (k == code3) {
      return v;
    }
  }
  return {};
}

}  // namespace vtj::sim
