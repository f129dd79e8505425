#pragma once
// The register's fixed texts: return code messages, criterion texts, language and country names. The
// data set names codes only; the documents carry the Finnish and Swedish names the register would.

#include <array>
#include <string_view>

namespace vtj::sim {

// Every Paluukoodi of VTJ-INTERFACE.md's table, in a fixed order (the counters index by it).
inline constexpr std::array<std::string_view, 31> kKnownCodes{
    "0000",  "0001",  "0002",  "0003",  "0004",  "0005",  "0006",  "0007",  "0008", "0009",  "0010",
    "0011",  "0012",  "0013",  "0014",  "0015",  "0016",  "0017",  "0018",  "0019", "-1500", "-1505",
    "-1800", "-1805", "-1900", "-1901", "-1902", "-1903", "-1904", "-1905", "-1906"};

// Index into kKnownCodes, or -1.
int code_index(std::string_view code);

// The Paluukoodi element's text for a code (UTF-8, Finnish as the samples have it).
std::string_view code_message(std::string_view code);

// hakuperustePaluukoodi and its three texts.
enum class Criterion { NotFound = 0, Found = 1, Passive = 2, NotUsed = 4 };
struct CriterionTexts {
  std::string_view code, fi, sv, en;
};
CriterionTexts criterion_texts(Criterion c);

// Names for a language code (Aidinkieli) or an ISO 3166 numeric country (Kansalaisuus, Valtiokoodi3);
// empty names for a code not in the table (the register leaves them empty for rare codes too).
struct Names {
  std::string_view fi, sv;
};
Names language_names(std::string_view code);
Names country_names(std::string_view code3);

}  // namespace vtj::sim
