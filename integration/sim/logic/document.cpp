#include "document.hpp"

#include <string>

namespace vtj::sim {

namespace {

constexpr std::string_view kVtjNs = "http://xml.vrk.fi/schema/vtjkysely";
constexpr std::string_view kHenkilotiedotNs = "http://xml.vrk.fi/schema/vtj/henkilotiedot/1";

void criterion_attributes(XmlOut& out, Criterion c, bool soso) {
  CriterionTexts t = criterion_texts(c);
  // Attribute order as each sample has it.
  if (!soso) {
    out.raw(" hakuperustePaluukoodi=\"");
    out.raw(t.code);
    out.raw("\"");
  }
  out.raw(" hakuperusteTekstiE=\"");
  out.attr(t.en);
  out.raw("\" hakuperusteTekstiR=\"");
  out.attr(t.sv);
  out.raw("\" hakuperusteTekstiS=\"");
  out.attr(t.fi);
  out.raw("\"");
  if (soso) {
    out.raw(" hakuperustePaluukoodi=\"");
    out.raw(t.code);
    out.raw("\"");
  }
}

void criterion(XmlOut& out, std::string_view prefix, std::string_view name, Criterion c,
               std::string_view value) {
  out.raw("<");
  out.raw(prefix);
  out.raw(name);
  criterion_attributes(out, c, !prefix.empty());
  out.raw(">");
  out.text(value);
  out.close(name);
}

}  // namespace

void write_document(XmlOut& out, const Decision& d, const Stamp& stamp, size_t padding) {
  std::string_view prefix = out.prefix();
  bool soso = !prefix.empty();
  if (soso) {
    out.raw("<ns2:VTJHenkiloVastaussanoma versio=\"1.0\" sanomatunnus=\"");
    out.attr(d.sanomatunnus);
    out.raw("\" tietojenPoimintaaika=\"");
    out.raw(stamp.compact_view());
    out.raw("\" xmlns:ns2=\"");
    out.raw(kVtjNs);
    out.raw("\" xmlns=\"http://tempuri.org/\">");
  } else {
    out.raw("<VTJHenkiloVastaussanoma xmlns=\"");
    out.raw(kVtjNs);
    out.raw("\" xmlns:vtj=\"");
    out.raw(kHenkilotiedotNs);
    out.raw("\" sanomatunnus=\"");
    out.attr(d.sanomatunnus);
    out.raw("\" tietojenPoimintaaika=\"");
    out.raw(stamp.compact_view());
    out.raw("\" versio=\"1.0\" xsi:schemaLocation=\"");
    out.raw(kVtjNs);
    out.raw(" ");
    out.attr(d.sanomatunnus);
    out.raw(".xsd\">");
  }
  out.open("Asiakasinfo");
  out.open("InfoS");
  out.raw(stamp.info_view());
  if (padding > 0) {
    // Filler text, the one place a long free text can legitimately sit.
    constexpr std::string_view kFiller = " Simulaattorin ylisuuri vastaus.";
    std::string& b = out.buffer();
    b.reserve(b.size() + padding + 4096);
    for (size_t n = 0; n < padding; n += kFiller.size()) {
      b.append(kFiller);
    }
  }
  out.close("InfoS");
  out.leaf("InfoR", stamp.info_view());
  out.leaf("InfoE", stamp.info_view());
  out.close("Asiakasinfo");

  out.raw("<");
  out.raw(prefix);
  out.raw("Paluukoodi koodi=\"");
  out.attr(d.code);
  out.raw("\">");
  out.text(d.notice.empty() ? code_message(d.code) : std::string_view(d.notice));
  out.close("Paluukoodi");

  out.open("Hakuperusteet");
  criterion(out, prefix, "Henkilotunnus", d.hetu_criterion, d.hetu_echo);
  criterion(out, prefix, "SahkoinenAsiointitunnus", d.satu_criterion, d.satu_echo);
  out.close("Hakuperusteet");

  if (d.henkilo == Decision::Henkilo::Full && d.person != nullptr && d.product != nullptr) {
    write_henkilo(out, *d.person, d.product->shape);
  } else if (d.henkilo == Decision::Henkilo::IdOnly) {
    write_henkilo_id(out, d.henkilo_hetu);
  }
  out.close("VTJHenkiloVastaussanoma");
}

void write_henkilo_id(XmlOut& out, std::string_view hetu) {
  out.open("Henkilo");
  out.raw("<");
  out.raw(out.prefix());
  out.raw("Henkilotunnus voimassaolokoodi=\"1\">");
  out.text(hetu);
  out.close("Henkilotunnus");
  out.close("Henkilo");
}

}  // namespace vtj::sim
