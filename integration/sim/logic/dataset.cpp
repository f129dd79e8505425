#include "dataset.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "code_tables.hpp"
#include "text/ascii.hpp"
#include "utf8.hpp"
#include "vtj/identity.hpp"

namespace vtj::sim {

namespace {

// Around keys and values: spaces, tabs, and the CR of a file with CRLF line ends.
constexpr std::string_view kBlank = " \t\r";

bool digits(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_date(std::string_view s) {
  if (!digits(s, 8)) {
    return false;
  }
  int y = std::stoi(std::string(s.substr(0, 4)));
  int m = std::stoi(std::string(s.substr(4, 2)));
  int d = std::stoi(std::string(s.substr(6, 2)));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m >= 1 && m <= 12 && d >= 1 && d <= kDays[m - 1] && !(m == 2 && d == 29 && !leap);
}

// A free-text value: no control characters (the file is already known to be UTF-8).
bool plain_text(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// Keys whose value is copied as text after a format check.
struct TextKey {
  std::string_view name;
  std::string PersonRecord::*field;
  enum { Text, Digits3, Digits5, Language, Date, Sex } check;
};

constexpr TextKey kTextKeys[] = {
    {"surname", &PersonRecord::surname, TextKey::Text},
    {"given-names", &PersonRecord::given_names, TextKey::Text},
    {"calling-name", &PersonRecord::calling_name, TextKey::Text},
    {"sex", &PersonRecord::sex, TextKey::Sex},
    {"street-address", &PersonRecord::street_address, TextKey::Text},
    {"street-address-sv", &PersonRecord::street_address_sv, TextKey::Text},
    {"postal-code", &PersonRecord::postal_code, TextKey::Digits5},
    {"post-office", &PersonRecord::post_office, TextKey::Text},
    {"post-office-sv", &PersonRecord::post_office_sv, TextKey::Text},
    {"municipality-code", &PersonRecord::municipality_code, TextKey::Digits3},
    {"municipality", &PersonRecord::municipality, TextKey::Text},
    {"municipality-sv", &PersonRecord::municipality_sv, TextKey::Text},
    {"mother-tongue", &PersonRecord::mother_tongue, TextKey::Language},
    {"death-date", &PersonRecord::death_date, TextKey::Date},
    {"foreign-address", &PersonRecord::foreign_address, TextKey::Text},
    {"foreign-place", &PersonRecord::foreign_place, TextKey::Text},
    {"foreign-place-sv", &PersonRecord::foreign_place_sv, TextKey::Text},
    {"foreign-country-code", &PersonRecord::foreign_country_code, TextKey::Digits3},
};

constexpr std::string_view kOtherKeys[] = {"hetu",     "satu",       "nationality",   "security-prohibition",
                                           "deceased", "code",       "passivated-to", "encoding",
                                           "fault",    "certificate"};

std::optional<std::string> check_text_key(const TextKey& k, std::string_view v) {
  switch (k.check) {
    case TextKey::Text:
      return std::nullopt;
    case TextKey::Digits3:
      return digits(v, 3) ? std::nullopt : std::optional<std::string>("expected three digits");
    case TextKey::Digits5:
      return digits(v, 5) ? std::nullopt : std::optional<std::string>("expected five digits");
    case TextKey::Language:
      return (v.size() == 2 && v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z')
                 ? std::nullopt
                 : std::optional<std::string>("expected a two-letter lower-case language code");
    case TextKey::Date:
      return valid_date(v) ? std::nullopt : std::optional<std::string>("expected a date YYYYMMDD");
    case TextKey::Sex:
      return (v == "1" || v == "2") ? std::nullopt : std::optional<std::string>("expected 1 or 2");
  }
  return std::nullopt;
}

class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}

  std::optional<std::string> line(int n, std::string_view raw) {
    if (!valid_utf8(raw)) {
      return at(n, "not UTF-8");
    }
    std::string_view s = text::trim(raw, kBlank);
    if (s.empty() || s.front() == '#') {
      return std::nullopt;
    }
    if (s.front() == '[') {
      return section(n, s);
    }
    size_t eq = s.find('=');
    if (eq == std::string_view::npos) {
      return at(n, "expected 'key = value' or a [section]");
    }
    std::string_view key = text::trim(s.substr(0, eq), kBlank);
    std::string_view value = text::trim(s.substr(eq + 1), kBlank);
    if (!plain_text(value)) {
      return at(n, "control character in the value of '" + std::string(key) + "'");
    }
    if (section_ == Section::None) {
      return at(n, "'" + std::string(key) + "' outside a section");
    }
    return section_ == Section::Register ? register_key(n, key, value) : person_key(n, key, value);
  }

  Result<Dataset, std::string> finish(int last_line) {
    if (!seen_register_) {
      return err(at(last_line, "no [register] section"));
    }
    if (ds_.username.empty() || ds_.password.empty()) {
      return err(at(register_line_, "[register] needs username and password"));
    }
    if (ds_.products.empty()) {
      return err(at(register_line_, "[register] names no product"));
    }
    for (const PersonRecord& p : ds_.persons) {
      if (p.hetu.empty()) {
        return err(at(p.line, "person '" + p.id + "' has no hetu"));
      }
    }
    for (const auto& [index, line] : links_) {
      const PersonRecord& p = ds_.persons[index];
      const PersonRecord* target = ds_.find_hetu(p.passivated_to);
      if (target == nullptr) {
        return err(
            at(line, "passivated-to " + identity::mask_identifier(p.passivated_to) + " names no person"));
      }
      if (target == &p || !target->passivated_to.empty()) {
        return err(at(line, "passivated-to must name an active person"));
      }
    }
    for (PersonRecord& p : ds_.persons) {
      if (p.deceased && p.death_date.empty()) {
        return err(at(p.line, "person '" + p.id + "' is deceased but has no death-date"));
      }
      if (p.post_office_sv.empty()) {
        p.post_office_sv = p.post_office;
      }
      if (p.municipality_sv.empty()) {
        p.municipality_sv = p.municipality;
      }
    }
    return std::move(ds_);
  }

 private:
  enum class Section { None, Register, Person };

  std::string at(int n, const std::string& message) const {
    return std::string(file_) + ":" + std::to_string(n) + ": " + message;
  }

  std::optional<std::string> section(int n, std::string_view s) {
    if (s.back() != ']') {
      return at(n, "unclosed section header");
    }
    std::string_view name = text::trim(s.substr(1, s.size() - 2), kBlank);
    if (name == "register") {
      if (seen_register_) {
        return at(n, "second [register] section");
      }
      seen_register_ = true;
      register_line_ = n;
      section_ = Section::Register;
      return std::nullopt;
    }
    constexpr std::string_view kPerson = "person ";
    if (name.substr(0, kPerson.size()) != kPerson) {
      return at(n, "unknown section [" + std::string(name) + "]");
    }
    std::string id(text::trim(name.substr(kPerson.size()), kBlank));
    bool id_ok = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
             c == '_';
    });
    if (!id_ok) {
      return at(n, "a person id is letters, digits, '-' and '_'");
    }
    for (const PersonRecord& p : ds_.persons) {
      if (p.id == id) {
        return at(n, "duplicate person '" + id + "' (first on line " + std::to_string(p.line) + ")");
      }
    }
    PersonRecord p;
    p.id = std::move(id);
    p.line = n;
    ds_.persons.push_back(std::move(p));
    keys_.clear();
    section_ = Section::Person;
    return std::nullopt;
  }

  std::optional<std::string> register_key(int n, std::string_view key, std::string_view value) {
    if (key == "username" || key == "password") {
      std::string& field = key == "username" ? ds_.username : ds_.password;
      if (!field.empty()) {
        return at(n, "duplicate key '" + std::string(key) + "'");
      }
      if (value.empty()) {
        return at(n, "empty " + std::string(key));
      }
      field = value;
      return std::nullopt;
    }
    if (key == "product") {
      size_t sp = value.find_last_of(" \t");
      if (sp == std::string_view::npos) {
        return at(n, "expected 'product = NAME shape'");
      }
      Product p;
      p.name = text::trim(value.substr(0, sp), kBlank);
      std::string_view shape = value.substr(sp + 1);
      if (shape == "perussanoma3") {
        p.shape = Shape::Perussanoma3;
      } else if (shape == "perusjhhs2") {
        p.shape = Shape::Perusjhhs2;
      } else {
        return at(n, "unknown product shape '" + std::string(shape) + "' (perussanoma3, perusjhhs2)");
      }
      if (ds_.find_product(p.name) != nullptr) {
        return at(n, "duplicate product '" + p.name + "'");
      }
      ds_.products.push_back(std::move(p));
      return std::nullopt;
    }
    return at(n, "unknown key '" + std::string(key) + "' in [register]");
  }

  std::optional<std::string> person_key(int n, std::string_view key, std::string_view value) {
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) {
      return at(n, "duplicate key '" + std::string(key) + "'");
    }
    keys_.emplace_back(key);
    size_t index = ds_.persons.size() - 1;
    PersonRecord& p = ds_.persons.back();
    for (const TextKey& k : kTextKeys) {
      if (k.name == key) {
        if (auto problem = check_text_key(k, value)) {
          return at(n, std::string(key) + ": " + *problem);
        }
        p.*k.field = value;
        return std::nullopt;
      }
    }
    if (std::find(std::begin(kOtherKeys), std::end(kOtherKeys), key) == std::end(kOtherKeys)) {
      return at(n, "unknown key '" + std::string(key) + "'");
    }
    if (key == "hetu" || key == "passivated-to") {
      auto h = identity::Hetu::parse(value);
      if (!h) {
        return at(n, std::string(key) + " " + identity::mask_identifier(value) + ": " +
                         identity::to_string(h.error()));
      }
      if (key == "passivated-to") {
        p.passivated_to = value;
        links_.emplace_back(index, n);
        return std::nullopt;
      }
      if (!ds_.by_hetu.emplace(std::string(value), index).second) {
        return at(n, "duplicate hetu " + identity::mask_identifier(value));
      }
      p.hetu = value;
      return std::nullopt;
    }
    if (key == "satu") {
      auto s = identity::Satu::parse(value, identity::SatuRange::IncludingTest);
      if (!s) {
        return at(n, "satu " + identity::mask_identifier(value) + ": " + identity::to_string(s.error()));
      }
      if (!ds_.by_satu.emplace(std::string(value), index).second) {
        return at(n, "duplicate satu " + identity::mask_identifier(value));
      }
      p.satu = value;
      return std::nullopt;
    }
    if (key == "nationality") {
      std::string_view rest = value;
      while (true) {
        size_t comma = rest.find(',');
        std::string_view code = text::trim(rest.substr(0, comma), kBlank);
        if (!digits(code, 3)) {
          return at(n, "nationality: expected three-digit country codes separated by commas");
        }
        p.nationalities.emplace_back(code);
        if (comma == std::string_view::npos) {
          break;
        }
        rest.remove_prefix(comma + 1);
      }
      return std::nullopt;
    }
    if (key == "security-prohibition" || key == "deceased") {
      if (value != "0" && value != "1") {
        return at(n, std::string(key) + ": expected 0 or 1");
      }
      (key == "deceased" ? p.deceased : p.security_prohibition) = value == "1";
      return std::nullopt;
    }
    if (key == "code") {
      if (code_index(value) < 0) {
        return at(n, "code: not a register return code");
      }
      if (value == "0002") {
        return at(n, "code: a passivated identity is written with passivated-to");
      }
      p.code = value;
      return std::nullopt;
    }
    if (key == "encoding") {
      if (value != "utf-8" && value != "iso-8859-1") {
        return at(n, "encoding: expected utf-8 or iso-8859-1");
      }
      p.latin1 = value == "iso-8859-1";
      return std::nullopt;
    }
    if (key == "fault") {
      auto f = parse_fault(value);
      if (!f) {
        return at(n, "fault: unknown fault '" + std::string(value) + "'");
      }
      p.fault = *f;
      return std::nullopt;
    }
    return std::nullopt;  // certificate: read by the test PKI only
  }

  std::string_view file_;
  Dataset ds_;
  Section section_ = Section::None;
  bool seen_register_ = false;
  int register_line_ = 0;
  std::vector<std::string> keys_;              // keys of the current person block
  std::vector<std::pair<size_t, int>> links_;  // (person, line) of each passivated-to
};

}  // namespace

const PersonRecord* Dataset::find_hetu(std::string_view hetu) const {
  auto it = by_hetu.find(std::string(hetu));
  return it == by_hetu.end() ? nullptr : &persons[it->second];
}

const PersonRecord* Dataset::find_satu(std::string_view satu) const {
  auto it = by_satu.find(std::string(satu));
  return it == by_satu.end() ? nullptr : &persons[it->second];
}

const Product* Dataset::find_product(std::string_view name) const {
  for (const Product& p : products) {
    if (text::iequals(p.name, name)) {
      return &p;
    }
  }
  return nullptr;
}

Result<Dataset, std::string> parse_dataset(std::string_view text, std::string_view file_name) {
  Loader loader(file_name);
  int n = 0;
  while (!text.empty() || n == 0) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    ++n;
    if (auto e = loader.line(n, raw)) {
      return err(std::move(*e));
    }
    if (nl == std::string_view::npos) {
      break;
    }
    text.remove_prefix(nl + 1);
  }
  return loader.finish(n);
}

Result<Dataset, std::string> load_dataset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return err(path + ": cannot open the data set");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_dataset(buf.str(), path);
}

}  // namespace vtj::sim
