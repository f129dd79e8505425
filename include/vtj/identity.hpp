#pragma once
// Finnish personal identifiers: the personal identity code (henkilötunnus, "hetu") and the electronic
// client identifier (sähköinen asiointitunnus, "SATU") carried in citizen certificates. Parsing validates
// fully; the parsed values are small immutable strings. Neither identifier may appear unmasked in logs or
// error texts: use masked() or mask_identifier().

#include <string>
#include <string_view>
#include <utility>

#include "vtj/result.hpp"

namespace vtj::identity {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  std::string iso() const;  // YYYY-MM-DD
  bool operator==(const Date&) const = default;
};

enum class IdError {
  Format,          // wrong length, a character not allowed at its position (lower case included)
  Date,            // not a calendar date
  CheckCharacter,  // the check character does not match
  Range,           // individual number (hetu) or SATU number outside the issued range
};
const char* to_string(IdError e);

class Hetu {
 public:
  // DDMMYYCZZZQ, upper case only. Errors are reported in the order Format, Date, Range, CheckCharacter.
  static Result<Hetu, IdError> parse(std::string_view s);

  const std::string& str() const { return code_; }
  Date birth_date() const { return birth_; }
  // Individual number 900-999: a temporary or test code.
  bool temporary() const { return individual_ >= 900; }
  // First 7 characters (birth date and century sign) and "****": 010190-****.
  std::string masked() const;

  bool operator==(const Hetu& o) const { return code_ == o.code_; }

 private:
  Hetu(std::string code, Date birth, int individual)
      : code_(std::move(code)), birth_(birth), individual_(individual) {}

  std::string code_;
  Date birth_;
  int individual_ = 0;
};

// Which SATU numbers parse() accepts. The interface description gives 10000001-89999999; the register's
// test environment also answers with 9xxxxxxx test identifiers (e.g. 99755053X in the samples).
enum class SatuRange { Production, IncludingTest };

class Satu {
 public:
  // 8 digits and a check character (number mod 31 into the hetu alphabet), upper case only.
  // Errors in the order Format, Range, CheckCharacter.
  static Result<Satu, IdError> parse(std::string_view s, SatuRange range = SatuRange::Production);

  const std::string& str() const { return code_; }
  // Number 90000000-99999999 (accepted only with SatuRange::IncludingTest).
  bool test_range() const { return code_[0] == '9'; }
  // First 4 characters and "*****": 1234*****.
  std::string masked() const;

  bool operator==(const Satu& o) const { return code_ == o.code_; }

 private:
  explicit Satu(std::string code) : code_(std::move(code)) {}

  std::string code_;
};

// For log lines: a string shaped like a hetu (valid or not, any case) keeps its first 7 characters, one
// shaped like a SATU its first 4, each followed by asterisks; anything else keeps only its first 2
// characters followed by "****" (nothing at all if it has 2 characters or fewer). Surrounding white space
// is ignored.
std::string mask_identifier(std::string_view s);

// For free text that came from outside (a register's fault string, a parser message) on its way into a
// log line or an error: every hetu-shaped run (any case, anywhere) keeps its first 7 characters and every
// SATU-shaped word its first 4, as above; control characters (C0, DEL, C1) become '?', so the text stays on
// one line; the result is cut to at most max_bytes bytes (on a character boundary), "..." marking the cut.
std::string sanitize_for_log(std::string_view text, size_t max_bytes = 240);

}  // namespace vtj::identity
