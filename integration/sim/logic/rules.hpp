#pragma once
// The register's rules: from a query to the return code, the criteria echo and which person data the
// answer carries. Order (docs/register-simulator.md): message validity, product, credentials, end user,
// criteria, check flags, certificate, lookup.

#include <ctime>
#include <string>

#include "code_tables.hpp"
#include "dataset.hpp"
#include "soap_request.hpp"

namespace vtj::sim {

class CertificateChecker;

struct Decision {
  std::string code;          // Paluukoodi
  std::string notice;        // the Paluukoodi text when not the code's standard one (0005 notices)
  std::string sanomatunnus;  // the product, upper-cased
  const Product* product = nullptr;
  Criterion hetu_criterion = Criterion::NotUsed;
  Criterion satu_criterion = Criterion::NotUsed;
  std::string hetu_echo;  // the criteria as asked (white space trimmed)
  std::string satu_echo;
  enum class Henkilo { None, IdOnly, Full };
  Henkilo henkilo = Henkilo::None;
  // The person the query found (set from the lookup on, whatever the code): their fault and encoding
  // apply to the answer.
  const PersonRecord* person = nullptr;
  std::string henkilo_hetu;  // Henkilo::IdOnly: the identity code it holds (the active one for 0002)
};

// "1", "true" and "K" (kyllä) set a check flag; empty, "0", "false" and "E" (ei) leave it clear (case
// ignored for the words and letters); anything else is a 0005 notice.
enum class Flag { Clear, Set, Invalid };
Flag parse_flag(std::string_view value);

Decision decide(const Query& query, const Dataset& data, const CertificateChecker& certificates,
                std::time_t now);

}  // namespace vtj::sim
