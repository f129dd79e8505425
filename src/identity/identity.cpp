#include "vtj/identity.hpp"

#include <algorithm>
#include <cstdio>

#include "text/ascii.hpp"

namespace vtj::identity {

namespace {

constexpr std::string_view kCheckAlphabet = "0123456789ABCDEFHJKLMNPRSTUVWXY";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (!is_digit(c)) {
      return false;
    }
  }
  return true;
}

// The caller has checked that s holds digits only.
int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
  }
  return v;
}

char check_character(long number) {
  return kCheckAlphabet[static_cast<size_t>(number % 31)];
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// The century a sign stands for, or -1 for a character that is no century sign.
int century_of(char sign) {
  switch (sign) {
    case '+':
      return 1800;
    case '-':
    case 'Y':
    case 'X':
    case 'W':
    case 'V':
    case 'U':
      return 1900;
    case 'A':
    case 'B':
    case 'C':
    case 'D':
    case 'E':
    case 'F':
      return 2000;
    default:
      return -1;
  }
}

bool is_alnum_any_case(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool hetu_shaped(std::string_view s) {
  if (s.size() != 11 || !all_digits(s.substr(0, 6)) || !all_digits(s.substr(7, 3)) ||
      !is_alnum_any_case(s[10])) {
    return false;
  }
  char sign = s[6];
  if (sign >= 'a' && sign <= 'z') {
    sign = static_cast<char>(sign - 'a' + 'A');
  }
  return century_of(sign) > 0;
}

bool satu_shaped(std::string_view s) {
  return s.size() == 9 && all_digits(s.substr(0, 8)) && is_alnum_any_case(s[8]);
}

// Byte length of the first n UTF-8 characters of s (continuation bytes belong to their lead byte).
size_t utf8_prefix_bytes(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t chars = 0; i < s.size() && chars < n; ++chars) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {
      ++i;
    }
  }
  return i;
}

}  // namespace

std::string Date::iso() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

const char* to_string(IdError e) {
  switch (e) {
    case IdError::Format:
      return "malformed identifier";
    case IdError::Date:
      return "invalid date in identifier";
    case IdError::CheckCharacter:
      return "wrong check character";
    case IdError::Range:
      return "number outside the issued range";
  }
  return "unknown identifier error";
}

Result<Hetu, IdError> Hetu::parse(std::string_view s) {
  if (s.size() != 11 || !all_digits(s.substr(0, 6)) || !all_digits(s.substr(7, 3))) {
    return err(IdError::Format);
  }
  int century = century_of(s[6]);
  if (century < 0 || kCheckAlphabet.find(s[10]) == std::string_view::npos) {
    return err(IdError::Format);
  }
  Date birth{century + to_int(s.substr(4, 2)), to_int(s.substr(2, 2)), to_int(s.substr(0, 2))};
  if (birth.month < 1 || birth.month > 12 || birth.day < 1 ||
      birth.day > days_in_month(birth.year, birth.month)) {
    return err(IdError::Date);
  }
  int individual = to_int(s.substr(7, 3));
  if (individual < 2) {
    return err(IdError::Range);
  }
  long number = static_cast<long>(to_int(s.substr(0, 6))) * 1000 + individual;
  if (check_character(number) != s[10]) {
    return err(IdError::CheckCharacter);
  }
  return Hetu(std::string(s), birth, individual);
}

std::string Hetu::masked() const {
  return code_.substr(0, 7) + "****";
}

Result<Satu, IdError> Satu::parse(std::string_view s, SatuRange range) {
  if (s.size() != 9 || !all_digits(s.substr(0, 8)) || kCheckAlphabet.find(s[8]) == std::string_view::npos) {
    return err(IdError::Format);
  }
  long number = to_int(s.substr(0, 8));
  long highest = range == SatuRange::Production ? 89999999 : 99999999;
  if (number < 10000001 || number > highest) {
    return err(IdError::Range);
  }
  if (check_character(number) != s[8]) {
    return err(IdError::CheckCharacter);
  }
  return Satu(std::string(s));
}

std::string Satu::masked() const {
  return code_.substr(0, 4) + "*****";
}

std::string mask_identifier(std::string_view s) {
  s = text::trim(s, " \t\r\n");
  if (hetu_shaped(s)) {
    return std::string(s.substr(0, 7)) + "****";
  }
  if (satu_shaped(s)) {
    return std::string(s.substr(0, 4)) + "*****";
  }
  size_t keep = utf8_prefix_bytes(s, 2);
  if (keep >= s.size()) {
    return "****";
  }
  return std::string(s.substr(0, keep)) + "****";
}

std::string sanitize_for_log(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  auto word_edge = [&](size_t i) { return i >= text.size() || !is_alnum_any_case(text[i]); };
  size_t i = 0;
  while (i < text.size()) {
    // A hetu is masked wherever it stands: its sign in the middle makes it distinctive. A SATU only as a
    // word of its own, so hex strings and long numbers (message ids, UUIDs) stay readable.
    if (hetu_shaped(text.substr(i, 11))) {
      out.append(text.substr(i, 7)).append("****");
      i += 11;
    } else if ((i == 0 || word_edge(i - 1)) && satu_shaped(text.substr(i, 9)) && word_edge(i + 9)) {
      out.append(text.substr(i, 4)).append("*****");
      i += 9;
    } else {
      auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == 0x7F) {
        out.push_back('?');
        ++i;
      } else if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                 static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
        out.push_back('?');  // a C1 control character in UTF-8
        i += 2;
      } else {
        out.push_back(static_cast<char>(c));
        ++i;
      }
    }
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out.resize(cut);
    out += "...";
  }
  return out;
}

}  // namespace vtj::identity
