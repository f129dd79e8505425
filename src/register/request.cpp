#include "vtj/register_request.hpp"

#include <openssl/rand.h>

#include <array>
#include <optional>
#include <random>
#include <string_view>

#include "register/xml_text.hpp"
#include "text/utf8.hpp"

namespace vtj::reg {

const char* to_string(RequestError error) {
  switch (error) {
    case RequestError::MissingProduct:
      return "product (SoSoNimi) is missing";
    case RequestError::MissingCredentials:
      return "username or password is missing";
    case RequestError::MissingEndUser:
      return "end user (Loppukayttaja) is missing";
    case RequestError::EndUserTooLong:
      return "end user (Loppukayttaja) is longer than 50 characters";
    case RequestError::NoIdentifier:
      return "exactly one of hetu and SATU must be given";
    case RequestError::InvalidCharacter:
      return "a value holds a control character or is not UTF-8";
    case RequestError::MissingXRoadId:
      return "X-Road client or service identifier is incomplete";
  }
  return "invalid request";
}

namespace {

constexpr std::string_view kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSoap12Ns = "http://www.w3.org/2003/05/soap-envelope";
constexpr std::string_view kSosoNs = "http://tempuri.org/";
constexpr std::string_view kVtjXRoadNs = "http://xml.vrk.fi/ws/vtj/vtjkysely/1";

bool blank(std::string_view s) {
  return detail::trim_xml_space(s).empty();
}

// UTF-8 without control characters: C0 other than TAB/LF/CR, DEL, C1 (U+0080..U+009F), and the
// non-characters U+FFFE/U+FFFF, none of which a register field can legitimately hold.
// Register fields may hold line breaks (sent as character references); nothing else that is a control.
bool acceptable_text(std::string_view s) {
  return text::check_text(s, /*allow_line_breaks=*/true).fault == text::TextFault::None;
}

void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;  // a literal CR would be normalised away by the receiver
      default:
        out.push_back(c);
    }
  }
}

// <prefix:name>escaped value</prefix:name>; the empty pair (not <x/>) as the published request does.
void append_element(std::string& out, std::string_view prefix, std::string_view name,
                    std::string_view value) {
  out += '<';
  out += prefix;
  out += name;
  out += '>';
  append_escaped(out, value);
  out += "</";
  out += prefix;
  out += name;
  out += '>';
}

std::optional<RequestError> validate(const QueryParams& p) {
  if (blank(p.product)) {
    return RequestError::MissingProduct;
  }
  if (blank(p.username) || p.password.empty()) {
    return RequestError::MissingCredentials;
  }
  if (blank(p.end_user)) {
    return RequestError::MissingEndUser;
  }
  for (const std::string* v : {&p.product, &p.username, &p.password, &p.end_user, &p.billing, &p.hetu,
                               &p.satu, &p.issuer, &p.certificate_base64, &p.portal}) {
    if (!acceptable_text(*v)) {
      return RequestError::InvalidCharacter;
    }
  }
  if (detail::utf8_code_points(p.end_user) > kMaxEndUserChars) {
    return RequestError::EndUserTooLong;
  }
  if (blank(p.hetu) == blank(p.satu)) {
    return RequestError::NoIdentifier;
  }
  return std::nullopt;
}

// The 13 fields, in the order of the WSDL sequence, each with `prefix` ("" for a default namespace).
void append_fields(std::string& out, std::string_view prefix, const QueryParams& p) {
  std::string_view hetu = blank(p.hetu) ? std::string_view{} : detail::trim_xml_space(p.hetu);
  std::string_view satu = blank(p.satu) ? std::string_view{} : detail::trim_xml_space(p.satu);
  append_element(out, prefix, "SoSoNimi", p.product);
  append_element(out, prefix, "Kayttajatunnus", p.username);
  append_element(out, prefix, "Salasana", p.password);
  append_element(out, prefix, "Loppukayttaja", p.end_user);
  append_element(out, prefix, "Laskutustiedot", p.billing);
  append_element(out, prefix, "Henkilotunnus", hetu);
  append_element(out, prefix, "SahkoinenAsiointitunnus", satu);
  append_element(out, prefix, "VarmenteenMyontaja", p.issuer);
  append_element(out, prefix, "X509Certificate", p.certificate_base64);
  append_element(out, prefix, "VarmenteenVoimassaolotarkistus", p.check_validity ? "1" : "");
  append_element(out, prefix, "VarmenteenSulkulistatarkistus", p.check_revocation ? "1" : "");
  append_element(out, prefix, "Tunnistusportaali", p.portal);
  append_element(out, prefix, "Vara1", "");
}

Result<std::string, RequestError> build_soso(const QueryParams& p, std::string_view soap_ns) {
  if (auto e = validate(p)) {
    return err(*e);
  }
  std::string out;
  out.reserve(1024 + p.certificate_base64.size());
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope xmlns:soap=\"";
  out += soap_ns;
  out += "\"><soap:Body><TeeHenkilonTunnusKysely xmlns=\"";
  out += kSosoNs;
  out += "\">";
  append_fields(out, "", p);
  out += "</TeeHenkilonTunnusKysely></soap:Body></soap:Envelope>";
  return out;
}

bool complete_client(const XRoadId& id) {
  return !blank(id.instance) && !blank(id.member_class) && !blank(id.member_code) && !blank(id.subsystem);
}

bool complete_service(const XRoadId& id) {
  return !blank(id.instance) && !blank(id.member_class) && !blank(id.member_code) && !blank(id.service_code);
}

bool acceptable_id(const XRoadId& id) {
  for (const std::string* v : {&id.instance, &id.member_class, &id.member_code, &id.subsystem,
                               &id.service_code, &id.service_version}) {
    if (!acceptable_text(*v)) {
      return false;
    }
  }
  return true;
}

void append_identifier(std::string& out, std::string_view element, std::string_view object_type,
                       const XRoadId& id, bool service) {
  out += "<xrd:";
  out += element;
  out += " id:objectType=\"";
  out += object_type;
  out += "\">";
  append_element(out, "id:", "xRoadInstance", id.instance);
  append_element(out, "id:", "memberClass", id.member_class);
  append_element(out, "id:", "memberCode", id.member_code);
  if (!blank(id.subsystem)) {
    append_element(out, "id:", "subsystemCode", id.subsystem);
  }
  if (service) {
    append_element(out, "id:", "serviceCode", id.service_code);
    if (!blank(id.service_version)) {
      append_element(out, "id:", "serviceVersion", id.service_version);
    }
  }
  out += "</xrd:";
  out += element;
  out += '>';
}

}  // namespace

Result<std::string, RequestError> build_soso_request(const QueryParams& params) {
  return build_soso(params, kSoap11Ns);
}

Result<std::string, RequestError> build_soso12_request(const QueryParams& params) {
  return build_soso(params, kSoap12Ns);
}

Result<std::string, RequestError> build_xroad_request(const QueryParams& p, const XRoadHeaders& h) {
  if (auto e = validate(p)) {
    return err(*e);
  }
  if (!complete_client(h.client) || !complete_service(h.service)) {
    return err(RequestError::MissingXRoadId);
  }
  if (!acceptable_id(h.client) || !acceptable_id(h.service) || !acceptable_text(h.message_id) ||
      !acceptable_text(h.user_id) || !acceptable_text(h.issue)) {
    return err(RequestError::InvalidCharacter);
  }
  std::string out;
  out.reserve(2048 + p.certificate_base64.size());
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"";
  out += kSoap11Ns;
  out +=
      "\" xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\" xmlns:id=\"http://x-road.eu/xsd/identifiers\""
      " xmlns:vtj=\"";
  out += kVtjXRoadNs;
  out += "\"><SOAP-ENV:Header>";
  append_identifier(out, "client", "SUBSYSTEM", h.client, false);
  append_identifier(out, "service", "SERVICE", h.service, true);
  append_element(out, "xrd:", "id", blank(h.message_id) ? new_message_id() : h.message_id);
  if (!blank(h.user_id)) {
    append_element(out, "xrd:", "userId", h.user_id);
  }
  if (!blank(h.issue)) {
    append_element(out, "xrd:", "issue", h.issue);
  }
  append_element(out, "xrd:", "protocolVersion", "4.0");
  out += "</SOAP-ENV:Header><SOAP-ENV:Body><vtj:HenkilonTunnusKysely><vtj:request>";
  append_fields(out, "vtj:", p);
  out += "</vtj:request></vtj:HenkilonTunnusKysely></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  return out;
}

std::string soso_soap_action() {
  return "\"http://tempuri.org/TeeHenkilonTunnusKysely\"";
}
std::string soso_content_type() {
  return "text/xml; charset=utf-8";
}
std::string soso12_content_type() {
  return "application/soap+xml; charset=utf-8; action=\"http://tempuri.org/TeeHenkilonTunnusKysely\"";
}
std::string xroad_soap_action() {
  return "\"\"";
}
std::string xroad_content_type() {
  return "text/xml; charset=utf-8";
}

std::string new_message_id() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // OpenSSL's generator failing is near impossible; an id only needs to be unique, not secret.
    std::random_device rd;
    for (auto& x : b) {
      x = static_cast<unsigned char>(rd());
    }
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out.push_back('-');
    }
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0F]);
  }
  return out;
}

}  // namespace vtj::reg
