#include "vtj/register_response.hpp"

#include <array>
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

// The first element child whose local name is `name`, looking through nothing else.
const Element* first_child(const Element& e, std::string_view name) {
  return e.child(name);
}

void read_vtj_document(const Element& doc, Response& r) {
  r.product = std::string(doc.attribute("sanomatunnus"));
  r.extracted_at = std::string(doc.attribute("tietojenPoimintaaika"));
  if (const Element* p = doc.child("Paluukoodi")) {
    r.code = std::string(detail::trim_xml_space(p->attribute("koodi")));
    r.message = p->text;
  }
  // Without a Paluukoodi the code is empty and the outcome Unknown: fail closed, even if a Henkilo is there.
  r.outcome = outcome_for_code(r.code);
  if (const Element* h = doc.child("Henkilo")) {
    if (r.outcome == Outcome::Passivated) {
      r.active_hetu = h->value("Henkilotunnus");
    }
    r.person = Person(*h);
  }
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

Result<Response, ParseError> interpret(const Element& root, const ParseLimits& limits, bool allow_nested);

Result<Response, ParseError> read_soso_result(const Element& result, const ParseLimits& limits,
                                              bool allow_nested) {
  if (const Element* doc = first_child(result, "VTJHenkiloVastaussanoma")) {
    Response r;
    r.envelope = Envelope::Soso;
    read_vtj_document(*doc, r);
    return r;
  }
  // The WSDL types the result as mixed content: some deployments send the document as escaped text.
  if (allow_nested && result.children.empty() && !result.text.empty() && result.text.front() == '<') {
    auto inner = detail::read_xml(result.text, limits);
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
  const Element* resp = body_response.child("response");
  if (resp == nullptr) {
    return err(not_a_response("HenkilonTunnusKyselyResponse without response"));
  }
  Response r;
  r.envelope = Envelope::XRoad;
  if (const Element* doc = resp->child("VTJHenkiloVastaussanoma")) {
    read_vtj_document(*doc, r);
    return r;
  }
  const Element* fc = resp->child("faultCode");
  const Element* fs = resp->child("faultString");
  if (fc != nullptr || fs != nullptr) {
    r.fault_code = fc != nullptr ? fc->text : std::string();
    r.fault_string = fs != nullptr ? fs->text : std::string();
    r.code = r.fault_code;
    r.message = r.fault_string;
    r.outcome = outcome_for_code(r.code);
    return r;
  }
  return err(not_a_response("X-Road response without VTJHenkiloVastaussanoma or faultCode"));
}

Result<Response, ParseError> interpret(const Element& root, const ParseLimits& limits, bool allow_nested) {
  if (root.name == "VTJHenkiloVastaussanoma") {
    Response r;
    r.envelope = Envelope::Bare;
    read_vtj_document(root, r);
    return r;
  }
  if (root.name != "Envelope") {
    return err(not_a_response("root element is neither Envelope nor VTJHenkiloVastaussanoma"));
  }
  const Element* body = root.child("Body");
  if (body == nullptr || body->children.empty()) {
    return err(not_a_response("SOAP envelope without a Body element"));
  }
  const Element& payload = body->children.front();
  if (payload.name == "Fault") {
    Response r;
    read_soap_fault(payload, r);
    return r;
  }
  if (payload.name == "TeeHenkilonTunnusKyselyResponse") {
    const Element* result = payload.child("TeeHenkilonTunnusKyselyResult");
    if (result == nullptr) {
      return err(not_a_response("TeeHenkilonTunnusKyselyResponse without its Result"));
    }
    return read_soso_result(*result, limits, allow_nested);
  }
  if (payload.name == "HenkilonTunnusKyselyResponse") {
    return read_xroad_response(payload);
  }
  return err(not_a_response("SOAP body holds no person query response"));
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
    return err(not_a_response("success code " + identity::sanitize_for_log(r->code, 16) + " without Henkilo"));
  }
  if (r->outcome == Outcome::Passivated && !identity::Hetu::parse(r->active_hetu)) {
    return err(not_a_response("0002 without a valid active identity code"));
  }
  return r;
}

}  // namespace vtj::reg
