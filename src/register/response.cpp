#include "vtj/register_response.hpp"

#include <array>
#include <optional>
#include <utility>

#include "register/xml_reader.hpp"
#include "register/xml_text.hpp"
#include "vtj/identity.hpp"

namespace vtj::reg {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Found:
      return "found";
    case Outcome::NotFound:
      return "not-found";
    case Outcome::Passivated:
      return "passivated";
    case Outcome::Deceased:
      return "deceased";
    case Outcome::NotDisclosable:
      return "not-disclosable";
    case Outcome::CredentialError:
      return "credential-error";
    case Outcome::ProductError:
      return "product-error";
    case Outcome::CertificateRejected:
      return "certificate-rejected";
    case Outcome::RequestRejected:
      return "request-rejected";
    case Outcome::CheckNotPerformed:
      return "check-not-performed";
    case Outcome::RegisterInternal:
      return "register-internal";
    case Outcome::Fault:
      return "fault";
    case Outcome::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* to_string(Envelope envelope) {
  switch (envelope) {
    case Envelope::Bare:
      return "bare";
    case Envelope::Soso:
      return "soso";
    case Envelope::XRoad:
      return "xroad";
    case Envelope::SoapFault:
      return "soap-fault";
  }
  return "unknown";
}

const char* to_string(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::Empty:
      return "empty";
    case ParseErrorKind::TooLarge:
      return "too-large";
    case ParseErrorKind::TooDeep:
      return "too-deep";
    case ParseErrorKind::TooManyElements:
      return "too-many-elements";
    case ParseErrorKind::Doctype:
      return "doctype";
    case ParseErrorKind::Malformed:
      return "malformed";
    case ParseErrorKind::Encoding:
      return "encoding";
    case ParseErrorKind::NotAResponse:
      return "not-a-response";
  }
  return "unknown";
}

Outcome outcome_for_code(std::string_view paluukoodi) {
  // Every code of VTJ-INTERFACE.md's table. 0018 (under 15) is data returned, so it counts as found.
  static constexpr std::array<std::pair<std::string_view, Outcome>, 31> kCodes{{
      {"0000", Outcome::Found},
      {"0018", Outcome::Found},
      {"0001", Outcome::NotFound},
      {"0006", Outcome::NotFound},
      {"0017", Outcome::NotFound},
      {"0002", Outcome::Passivated},
      {"0003", Outcome::CredentialError},
      {"0004", Outcome::CredentialError},
      {"-1500", Outcome::CredentialError},
      {"0005", Outcome::RequestRejected},
      {"0007", Outcome::Deceased},
      {"0008", Outcome::CheckNotPerformed},
      {"0009", Outcome::CheckNotPerformed},
      {"0010", Outcome::ProductError},
      {"0011", Outcome::ProductError},
      {"-1505", Outcome::ProductError},
      {"-1905", Outcome::ProductError},
      {"-1900", Outcome::ProductError},
      {"-1901", Outcome::ProductError},
      {"0012", Outcome::CertificateRejected},
      {"0013", Outcome::CertificateRejected},
      {"0014", Outcome::CertificateRejected},
      {"0015", Outcome::CertificateRejected},
      {"0016", Outcome::CertificateRejected},
      {"0019", Outcome::NotDisclosable},
      {"-1800", Outcome::RegisterInternal},
      {"-1906", Outcome::RegisterInternal},
      {"-1805", Outcome::RequestRejected},
      {"-1902", Outcome::RequestRejected},
      {"-1903", Outcome::RequestRejected},
      {"-1904", Outcome::RequestRejected},
  }};
  std::string_view code = detail::trim_xml_space(paluukoodi);
  for (const auto& [k, v] : kCodes) {
    if (k == code) {
      return v;
    }
  }
  return Outcome::Unknown;
}

namespace {

ParseError not_a_response(std::string detail) {
  return ParseError{ParseErrorKind::NotAResponse, std::move(detail)};
}

// The child named `name`, or nullptr when there is none. A second one fails closed: whichever copy we
// read, the other could be what a client with another parser reads (a Paluukoodi 0001 hidden behind an
// earlier 0000), so the answer is ambiguous and not one the register sends.
Result<const Element*, ParseError> unique_child(const Element& e, std::string_view name) {
  const Element* found = nullptr;
  for (const Element& c : e.children) {
    if (c.name == name) {
      if (found != nullptr) {
        return err(not_a_response("two " + identity::sanitize_for_log(name, 40) + " elements in " +
                                  identity::sanitize_for_log(e.name, 40)));
      }
      found = &c;
    }
  }
  return found;
}

// Error-or-nothing for the readers below.
using Check = std::optional<ParseError>;

Check read_vtj_document(const Element& doc, Response& r) {
  r.product = std::string(doc.attribute("sanomatunnus"));
  r.extracted_at = std::string(doc.attribute("tietojenPoimintaaika"));
  auto p = unique_child(doc, "Paluukoodi");
  if (!p) {
    return p.error();
  }
  if (*p != nullptr) {
    r.code = std::string(detail::trim_xml_space((*p)->attribute("koodi")));
    r.message = (*p)->text;
  }
  // Without a Paluukoodi the code is empty and the outcome Unknown: fail closed, even if a Henkilo is there.
  r.outcome = outcome_for_code(r.code);
  auto criteria = unique_child(doc, "Hakuperusteet");
  if (!criteria) {
    return criteria.error();
  }
  if (*criteria != nullptr) {
    for (auto [name, into] :
         {std::pair{"Henkilotunnus", &r.asked_hetu}, std::pair{"SahkoinenAsiointitunnus", &r.asked_satu}}) {
      auto echo = unique_child(**criteria, name);
      if (!echo) {
        return echo.error();
      }
      if (*echo != nullptr) {
        *into = std::string(detail::trim_xml_space((*echo)->text));
      }
    }
  }
  auto h = unique_child(doc, "Henkilo");
  if (!h) {
    return h.error();
  }
  if (*h != nullptr) {
    auto id = unique_child(**h, "Henkilotunnus");
    if (!id) {
      return id.error();
    }
    if (r.outcome == Outcome::Passivated && *id != nullptr) {
      r.active_hetu = (*id)->text;
    }
    r.person = Person(**h);
  }
  return std::nullopt;
}

void read_soap_fault(const Element& fault, Response& r) {
  r.envelope = Envelope::SoapFault;
  r.outcome = Outcome::Fault;
  // SOAP 1.1: faultcode, faultstring, detail; SOAP 1.2: Code/Value, Reason/Text, Detail.
  r.fault_code = fault.value("faultcode");
  if (r.fault_code.empty()) {
    r.fault_code = fault.value("Code/Value");
  }
  r.fault_string = fault.value("faultstring");
  if (r.fault_string.empty()) {
    r.fault_string = fault.value("Reason/Text");
  }
  for (std::string_view d : {"detail", "Detail"}) {
    if (const Element* det = fault.child(d)) {
      r.fault_detail = det->value("faultDetail");
      if (r.fault_detail.empty()) {
        r.fault_detail = det->text;
      }
      if (r.fault_detail.empty() && !det->children.empty()) {
        r.fault_detail = det->children.front().text;
      }
    }
  }
  r.code = r.fault_code;
  r.message = r.fault_string;
}

Result<Response, ParseError> interpret(const detail::Document& doc, const ParseLimits& limits,
                                       bool allow_nested);

Result<Response, ParseError> read_vtj(const Element& doc, Envelope envelope) {
  Response r;
  r.envelope = envelope;
  if (Check c = read_vtj_document(doc, r)) {
    return err(std::move(*c));
  }
  return r;
}

Result<Response, ParseError> read_soso_result(const Element& result, const ParseLimits& limits,
                                              bool allow_nested) {
  auto doc = unique_child(result, "VTJHenkiloVastaussanoma");
  if (!doc) {
    return err(doc.error());
  }
  if (*doc != nullptr) {
    return read_vtj(**doc, Envelope::Soso);
  }
  // The WSDL types the result as mixed content: some deployments send the document as escaped text.
  // That text is already decoded, so it is read as UTF-8 whatever its declaration says (a .NET string
  // declares utf-16).
  if (allow_nested && result.children.empty() && !result.text.empty() && result.text.front() == '<') {
    auto inner = detail::read_xml(result.text, limits, true, detail::Input::Text);
    if (!inner) {
      return err(inner.error());
    }
    auto r = interpret(*inner, limits, false);
    if (r && r->envelope == Envelope::Bare) {
      r->envelope = Envelope::Soso;
      return r;
    }
  }
  return err(not_a_response("TeeHenkilonTunnusKyselyResult without VTJHenkiloVastaussanoma"));
}

Result<Response, ParseError> read_xroad_response(const Element& body_response) {
  auto resp = unique_child(body_response, "response");
  if (!resp) {
    return err(resp.error());
  }
  if (*resp == nullptr) {
    return err(not_a_response("HenkilonTunnusKyselyResponse without response"));
  }
  auto doc = unique_child(**resp, "VTJHenkiloVastaussanoma");
  auto fc = unique_child(**resp, "faultCode");
  auto fs = unique_child(**resp, "faultString");
  for (const auto* c : {&doc, &fc, &fs}) {
    if (!*c) {
      return err(c->error());
    }
  }
  if (*doc != nullptr) {
    // A document and a fault in one answer: which one the register meant is anybody's guess.
    if (*fc != nullptr && !(*fc)->text.empty()) {
      return err(not_a_response("X-Road response holds both VTJHenkiloVastaussanoma and a faultCode"));
    }
    return read_vtj(**doc, Envelope::XRoad);
  }
  if (*fc != nullptr || *fs != nullptr) {
    Response r;
    r.envelope = Envelope::XRoad;
    r.fault_code = *fc != nullptr ? (*fc)->text : std::string();
    r.fault_string = *fs != nullptr ? (*fs)->text : std::string();
    r.code = r.fault_code;
    r.message = r.fault_string;
    r.outcome = outcome_for_code(r.code);
    return r;
  }
  return err(not_a_response("X-Road response without VTJHenkiloVastaussanoma or faultCode"));
}

bool is_soap_namespace(std::string_view ns) {
  return ns == "http://schemas.xmlsoap.org/soap/envelope/" || ns == "http://www.w3.org/2003/05/soap-envelope";
}

Result<Response, ParseError> read_payload(const Element& payload, const ParseLimits& limits,
                                          bool allow_nested) {
  if (payload.name == "Fault") {
    Response r;
    read_soap_fault(payload, r);
    return r;
  }
  if (payload.name == "TeeHenkilonTunnusKyselyResponse") {
    auto result = unique_child(payload, "TeeHenkilonTunnusKyselyResult");
    if (!result) {
      return err(result.error());
    }
    if (*result == nullptr) {
      return err(not_a_response("TeeHenkilonTunnusKyselyResponse without its Result"));
    }
    return read_soso_result(**result, limits, allow_nested);
  }
  if (payload.name == "HenkilonTunnusKyselyResponse") {
    return read_xroad_response(payload);
  }
  return err(not_a_response("SOAP body holds no person query response"));
}

Result<Response, ParseError> interpret(const detail::Document& doc, const ParseLimits& limits,
                                       bool allow_nested) {
  const Element& root = doc.root;
  if (root.name == "VTJHenkiloVastaussanoma") {
    return read_vtj(root, Envelope::Bare);
  }
  if (root.name != "Envelope") {
    return err(not_a_response("root element is neither Envelope nor VTJHenkiloVastaussanoma"));
  }
  // Namespaces are off (see xml_reader.cpp), so the SOAP namespace is checked here, on the Envelope's
  // own declarations: anything called x:Envelope is not a SOAP message.
  if (!is_soap_namespace(doc.root_namespace)) {
    return err(not_a_response("Envelope outside the SOAP 1.1 and 1.2 namespaces"));
  }
  auto body = unique_child(root, "Body");
  if (!body) {
    return err(body.error());
  }
  if (*body == nullptr || (*body)->children.empty()) {
    return err(not_a_response("SOAP envelope without a Body element"));
  }
  // Exactly one payload: a response beside a Fault (or a second response) is ambiguous.
  if ((*body)->children.size() != 1) {
    return err(not_a_response("SOAP Body with more than one element"));
  }
  std::string xroad_id;
  auto header = unique_child(root, "Header");
  if (!header) {
    return err(header.error());
  }
  if (*header != nullptr) {
    auto id = unique_child(**header, "id");
    if (!id) {
      return err(id.error());
    }
    if (*id != nullptr) {
      xroad_id = (*id)->text;
    }
  }
  auto r = read_payload((*body)->children.front(), limits, allow_nested);
  if (r) {
    r->xroad_id = std::move(xroad_id);
  }
  return r;
}

}  // namespace

Result<Response, ParseError> parse_response(std::string_view bytes, const ParseLimits& limits) {
  auto root = detail::read_xml(bytes, limits);
  if (!root) {
    return err(root.error());
  }
  auto r = interpret(*root, limits, true);
  if (!r) {
    return r;
  }
  // A success without a person would let a request through with no identity at all; a passivation
  // without a valid active code would send a re-query nowhere. Both are malformed answers: fail closed.
  if (r->outcome == Outcome::Found && !r->person) {
    return err(
        not_a_response("success code " + identity::sanitize_for_log(r->code, 16) + " without Henkilo"));
  }
  // A success must name whom it is about: <Henkilo/> alone, or a garbled code, is no identity either.
  if (r->outcome == Outcome::Found && !identity::Hetu::parse(r->person->hetu())) {
    return err(not_a_response("success code " + identity::sanitize_for_log(r->code, 16) +
                              " without a valid Henkilo/Henkilotunnus"));
  }
  if (r->outcome == Outcome::Passivated && !identity::Hetu::parse(r->active_hetu)) {
    return err(not_a_response("0002 without a valid active identity code"));
  }
  return r;
}

}  // namespace vtj::reg
