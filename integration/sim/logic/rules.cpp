#include "rules.hpp"

#include <algorithm>

#include "cert_check.hpp"
#include "text/ascii.hpp"
#include "utf8.hpp"
#include "vtj/identity.hpp"

namespace vtj::sim {

namespace {

constexpr size_t kMaxEndUserChars = 50;
// What the register ignores around a field value.
constexpr std::string_view kSpace = " \t\r\n";

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
  return out;
}

// The decision, complete with its code (moved out: the caller returns it at once).
Decision with(Decision& d, std::string code, std::string notice = {}) {
  d.code = std::move(code);
  d.notice = std::move(notice);
  return std::move(d);
}

// The criteria echo for a code reached before any lookup: what was asked was not searched for.
void not_searched(Decision& d) {
  d.hetu_criterion = d.hetu_echo.empty() ? Criterion::NotUsed : Criterion::NotFound;
  d.satu_criterion = d.satu_echo.empty() ? Criterion::NotUsed : Criterion::NotFound;
}

// The criterion the lookup used, set to c.
void mark(Decision& d, bool by_hetu, Criterion c) {
  (by_hetu ? d.hetu_criterion : d.satu_criterion) = c;
}

}  // namespace

Flag parse_flag(std::string_view value) {
  std::string_view v = text::trim(value, kSpace);
  if (v.empty() || v == "0" || text::iequals(v, "false") || text::iequals(v, "E")) {
    return Flag::Clear;
  }
  if (v == "1" || text::iequals(v, "true") || text::iequals(v, "K")) {
    return Flag::Set;
  }
  return Flag::Invalid;
}

Decision decide(const Query& q, const Dataset& data, const CertificateChecker& certificates,
                std::time_t now) {
  Decision d;
  d.hetu_echo = text::trim(q.value(FieldId::Hetu), kSpace);
  d.satu_echo = text::trim(q.value(FieldId::Satu), kSpace);
  not_searched(d);
  std::string_view product_name = text::trim(q.value(FieldId::Product), kSpace);
  d.sanomatunnus = upper(product_name);
  if (!q.schema_problem.empty()) {
    return with(d, "-1805");
  }
  // An empty SoSoNimi names no product of the permit, so it is "product not found" like any unknown name.
  d.product = data.find_product(product_name);
  if (d.product == nullptr) {
    return with(d, "-1900");
  }
  d.sanomatunnus = upper(d.product->name);
  if (text::trim(q.value(FieldId::Username), kSpace).empty()) {
    return with(d, "0004");
  }
  if (q.value(FieldId::Password).empty()) {
    return with(d, "0003");
  }
  if (q.value(FieldId::Username) != data.username || q.value(FieldId::Password) != data.password) {
    return with(d, "-1500");
  }
  std::string_view end_user = text::trim(q.value(FieldId::EndUser), kSpace);
  if (end_user.empty()) {
    return with(d, "-1904");
  }
  if (utf8_chars(end_user) > kMaxEndUserChars) {
    return with(d, "-1902", "Loppukäyttäjä on yli 50 merkkiä pitkä");
  }
  bool by_hetu = !d.hetu_echo.empty();
  if (d.hetu_echo.empty() == d.satu_echo.empty()) {
    return with(d, "0005",
                by_hetu ? "Anna hakuperusteeksi joko henkilötunnus tai sähköinen asiointitunnus, ei molempia"
                        : "Hakuperuste puuttuu: henkilötunnus tai sähköinen asiointitunnus");
  }
  if (by_hetu && !identity::Hetu::parse(d.hetu_echo)) {
    return with(d, "0005", "Henkilötunnus on virheellinen");
  }
  if (!by_hetu && !identity::Satu::parse(d.satu_echo, identity::SatuRange::IncludingTest)) {
    return with(d, "0005", "Sähköinen asiointitunnus on virheellinen");
  }
  Flag validity = parse_flag(q.value(FieldId::CheckValidity));
  Flag revocation = parse_flag(q.value(FieldId::CheckRevocation));
  if (validity == Flag::Invalid) {
    return with(d, "0005", "VarmenteenVoimassaolotarkistus: tuntematon arvo");
  }
  if (revocation == Flag::Invalid) {
    return with(d, "0005", "VarmenteenSulkulistatarkistus: tuntematon arvo");
  }
  std::string_view certificate = text::trim(q.value(FieldId::Certificate), kSpace);
  std::string cert_satu;
  if (certificate.empty()) {
    // A check was asked for but there is nothing to check: "check requested but not performed".
    if (validity == Flag::Set) {
      return with(d, "0009");
    }
    if (revocation == Flag::Set) {
      return with(d, "0008");
    }
  } else {
    CertificateVerdict v =
        certificates.check(certificate, validity == Flag::Set, revocation == Flag::Set, now);
    if (!v.code.empty()) {
      return with(d, v.code);
    }
    if (!by_hetu && v.satu != d.satu_echo) {
      return with(d, "0016");
    }
    cert_satu = std::move(v.satu);
  }

  const PersonRecord* p = by_hetu ? data.find_hetu(d.hetu_echo) : data.find_satu(d.satu_echo);
  if (p == nullptr) {
    return with(d, "0001");
  }
  d.person = p;
  if (!p->passivated_to.empty()) {
    mark(d, by_hetu, Criterion::Passive);
    d.henkilo = Decision::Henkilo::IdOnly;
    d.henkilo_hetu = p->passivated_to;
    return with(d, "0002", by_hetu ? "" : "Sähköinen asiointitunnus on passivoitu");
  }
  // Asked by hetu with a certificate: the certificate must be the person's.
  if (by_hetu && !certificate.empty() && cert_satu != p->satu) {
    mark(d, by_hetu, Criterion::Found);
    return with(d, "0016");
  }
  if (!p->code.empty()) {
    bool none = p->code == "0001" || p->code == "0006";
    mark(d, by_hetu, none ? Criterion::NotFound : Criterion::Found);
    if (p->code == "0007") {
      // Deceased, data withheld: the identity code alone, so the customer can tell whom it concerns.
      d.henkilo = Decision::Henkilo::IdOnly;
      d.henkilo_hetu = p->hetu;
    } else if (p->code == "0018" || p->code == "0000") {
      d.henkilo = Decision::Henkilo::Full;  // under 15: data returned all the same
    }
    return with(d, p->code);
  }
  mark(d, by_hetu, Criterion::Found);
  d.henkilo = Decision::Henkilo::Full;
  return with(d, "0000");
}

}  // namespace vtj::sim
