// The field table of CONTRACT.md and select(): which fields go out, under which header names.

#include "config/text.hpp"
#include "vtj/render.hpp"

namespace vtj::render {

namespace {

constexpr FieldInfo kFields[] = {
    {"hetu", "Henkilotunnus", "Hetu", false},
    {"satu", "the certificate's SATU, else the SATU queried, else SahkoinenAsiointitunnus", "Satu", false},
    {"surname", "NykyinenSukunimi/Sukunimi", "Surname", false},
    {"given-names", "NykyisetEtunimet/Etunimet", "Given-Names", false},
    {"calling-name", "NykyinenKutsumanimi/Kutsumanimi", "Calling-Name", false},
    {"street-address", "VakinainenKotimainenLahiosoite/LahiosoiteS", "Street-Address", true},
    {"postal-code", "VakinainenKotimainenLahiosoite/Postinumero", "Postal-Code", true},
    {"post-office", "VakinainenKotimainenLahiosoite/PostitoimipaikkaS", "Post-Office", true},
    {"municipality-code", "Kotikunta/Kuntanumero", "Municipality-Code", true},
    {"municipality", "Kotikunta/KuntaS", "Municipality", true},
    {"mother-tongue", "Aidinkieli/Kielikoodi", "Mother-Tongue", false},
    {"nationality", "every Kansalaisuus/Kansalaisuuskoodi3", "Nationality", false},
    {"birth-date", "derived from the hetu, YYYY-MM-DD", "Birth-Date", false},
    {"deceased", "Kuolintiedot/Kuollut, 1 or 0", "Deceased", false},
    {"security-prohibition", "Turvakielto/TurvakieltoTieto, 1 or 0", "Security-Prohibition", false},
    {"status", "the outcome: ok, stale or unavailable", "Status", false},
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && config::iequals(s.substr(s.size() - suffix.size()), suffix);
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    out += (out.empty() ? "" : ",") + v;
  }
  return out;
}

int two_digits(std::string_view s) {
  return (s[0] - '0') * 10 + (s[1] - '0');
}

std::string field_value(const FieldInfo* f, std::string_view field, const RenderInput& in,
                        const reg::Person& p) {
  if (f == nullptr) {
    return join(p.tree().values(field));
  }
  std::string_view n = f->name;
  if (n == "hetu") {
    return p.hetu();
  }
  if (n == "satu") {
    return !in.certificate_satu.empty() ? in.certificate_satu
           : !in.queried_satu.empty()   ? in.queried_satu
                                        : p.satu();
  }
  if (n == "surname") {
    return p.surname();
  }
  if (n == "given-names") {
    return p.given_names();
  }
  if (n == "calling-name") {
    return p.calling_name();
  }
  if (n == "street-address") {
    return p.street_address();
  }
  if (n == "postal-code") {
    return p.postal_code();
  }
  if (n == "post-office") {
    return p.post_office();
  }
  if (n == "municipality-code") {
    return p.municipality_code();
  }
  if (n == "municipality") {
    return p.municipality();
  }
  if (n == "mother-tongue") {
    return p.mother_tongue();
  }
  if (n == "nationality") {
    return join(p.nationalities());
  }
  if (n == "birth-date") {
    return birth_date(p.hetu());
  }
  if (n == "deceased") {
    return p.deceased() ? "1" : "0";
  }
  if (n == "security-prohibition") {
    return p.security_prohibition() ? "1" : "0";
  }
  return in.status;  // status
}

}  // namespace

bool is_field(const config::HeaderSpec& spec, std::string_view field) {
  const FieldInfo* f = find_field(spec.field);
  return f != nullptr && f->name == field;
}

std::span<const FieldInfo> fields() {
  return kFields;
}

const FieldInfo* find_field(std::string_view name) {
  for (const FieldInfo& f : kFields) {
    // Case-insensitive, as directive names and values are: `VTJHeader Surname X` must not fall through
    // to a path that matches nothing. No field name is also the name of a Henkilo element.
    if (config::iequals(f.name, name)) {
      return &f;
    }
  }
  return nullptr;
}

bool is_valid_path(std::string_view path) {
  if (path.empty()) {
    return false;
  }
  for (const std::string& seg : config::split(path, '/')) {
    if (seg.empty() || !config::is_ascii_alpha(seg[0])) {
      return false;
    }
    for (char c : seg) {
      if (!config::is_ascii_alnum(c) && c != '_') {
        return false;
      }
    }
  }
  return true;
}

bool is_address_path(std::string_view path) {
  for (const std::string& seg : config::split(path, '/')) {
    // Case-insensitive: fail safe against a path that differs only in case. The suffix match also takes
    // Sahkopostiosoite (e-mail address): deliberately so, an e-mail address can lead to the person as
    // well, and withholding too much is the safe side of a security prohibition.
    if (ends_with(seg, "Lahiosoite") || ends_with(seg, "Postiosoite") ||
        config::iequals(seg, "VakinainenAsuinpaikka") || config::iequals(seg, "Kotikunta")) {
      return true;
    }
  }
  return false;
}

std::string birth_date(std::string_view h) {
  if (h.size() != 11) {
    return {};
  }
  for (size_t i : {0, 1, 2, 3, 4, 5, 7, 8, 9}) {
    if (!config::is_ascii_digit(h[i])) {
      return {};
    }
  }
  int century = 0;
  char sign = h[6];
  if (sign == '+') {
    century = 1800;
  } else if (std::string_view("-YXWVU").find(sign) != std::string_view::npos) {
    century = 1900;
  } else if (std::string_view("ABCDEF").find(sign) != std::string_view::npos) {
    century = 2000;
  } else {
    return {};
  }
  int day = two_digits(h.substr(0, 2));
  int month = two_digits(h.substr(2, 2));
  int year = century + two_digits(h.substr(4, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) {
    return {};
  }
  long number = 0;
  for (size_t i : {0, 1, 2, 3, 4, 5, 7, 8, 9}) {
    number = number * 10 + (h[i] - '0');
  }
  if ("0123456789ABCDEFHJKLMNPRSTUVWXY"[number % 31] != h[10]) {
    return {};
  }
  std::string out =
      std::to_string(year) + "-" + std::string(h.substr(2, 2)) + "-" + std::string(h.substr(0, 2));
  return out;
}

std::vector<FieldValue> select(const RenderInput& in, const config::Settings& s) {
  std::vector<config::HeaderSpec> specs;
  if (s.headers.empty()) {
    for (const FieldInfo& f : kFields) {
      specs.push_back({std::string(f.name), s.header_prefix + std::string(f.header_suffix)});
    }
  } else {
    specs = s.headers;
    for (std::string_view always : {"security-prohibition", "status"}) {
      bool listed = false;
      for (const config::HeaderSpec& h : specs) {
        listed = listed || is_field(h, always);
      }
      if (!listed) {
        specs.push_back(
            {std::string(always), s.header_prefix + std::string(find_field(always)->header_suffix)});
      }
    }
  }

  std::vector<FieldValue> out;
  if (in.person == nullptr) {
    // No data: only the outcome.
    std::string status = in.status.empty() ? "unavailable" : in.status;
    for (const config::HeaderSpec& h : specs) {
      if (is_field(h, "status")) {
        out.push_back({"status", h.header, status});
      }
    }
    return out;
  }

  // Anything but an explicit pass withholds (deny never gets here, but fail safe if it does).
  bool withhold = in.person->security_prohibition() && s.prohibition != config::ProhibitionPolicy::Pass;
  RenderInput with_status = in;
  if (with_status.status.empty()) {
    with_status.status = "ok";
  }
  for (const config::HeaderSpec& h : specs) {
    const FieldInfo* f = find_field(h.field);
    if (withhold && (f != nullptr ? f->address : is_address_path(h.field))) {
      continue;
    }
    std::string v = field_value(f, h.field, with_status, *in.person);
    if (!v.empty()) {
      out.push_back({f != nullptr ? std::string(f->name) : h.field, h.header, std::move(v)});
    }
  }
  return out;
}

}  // namespace vtj::render
