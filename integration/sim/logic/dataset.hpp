#pragma once
// The simulator's data set (integration/data/register.conf; format in docs/register-simulator.md): the
// customer account, the products of its data permit and the test persons, indexed by hetu and SATU.
// Immutable once loaded, so any number of threads may read it.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "register_sim.hpp"
#include "vtj/result.hpp"

namespace vtj::sim {

// Which Henkilo element set a product returns (the two products of the samples).
enum class Shape { Perussanoma3, Perusjhhs2 };

struct Product {
  std::string name;  // SoSoNimi as the data set spells it; matched case-insensitively
  Shape shape = Shape::Perussanoma3;
};

struct PersonRecord {
  std::string id;  // the [person ID] name
  int line = 0;    // where the block starts
  std::string hetu;
  std::string satu;
  std::string surname;
  std::string given_names;
  std::string calling_name;
  std::string sex;  // "1" male, "2" female, or empty
  std::string street_address;
  std::string street_address_sv;
  std::string postal_code;
  std::string post_office;
  std::string post_office_sv;  // defaults to post_office, as unilingual places are named alike
  std::string municipality_code;
  std::string municipality;
  std::string municipality_sv;  // defaults to municipality
  std::string mother_tongue;
  std::vector<std::string> nationalities;  // ISO 3166 numeric, three digits each
  bool security_prohibition = false;
  bool deceased = false;
  std::string death_date;     // YYYYMMDD
  std::string passivated_to;  // the active hetu this (passive) identity points to
  std::string code;           // a forced Paluukoodi; empty for an ordinary answer
  bool latin1 = false;        // encoding = iso-8859-1
  FaultSpec fault;
  std::string foreign_address;
  std::string foreign_place;
  std::string foreign_place_sv;
  std::string foreign_country_code;
};

struct Dataset {
  std::string username;
  std::string password;
  std::vector<Product> products;
  std::vector<PersonRecord> persons;
  std::unordered_map<std::string, size_t> by_hetu;  // into persons
  std::unordered_map<std::string, size_t> by_satu;

  const PersonRecord* find_hetu(std::string_view hetu) const;
  const PersonRecord* find_satu(std::string_view satu) const;
  const Product* find_product(std::string_view name) const;  // case-insensitive, nullptr when unknown
};

// Errors read "FILE:LINE: message" (identity codes masked).
Result<Dataset, std::string> load_dataset(const std::string& path);
Result<Dataset, std::string> parse_dataset(std::string_view text, std::string_view file_name);

}  // namespace vtj::sim
