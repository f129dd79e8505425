#include "envelope.hpp"

#include <openssl/evp.h>

#include "document.hpp"
#include "xml_out.hpp"

namespace vtj::sim {

namespace {

void declaration(XmlOut& out) {
  out.raw("<?xml version=\"1.0\" encoding=\"");
  out.raw(out.latin1() ? "ISO-8859-1" : "utf-8");
  out.raw("\"?>");
}

std::string content_type(Transport t, bool latin1) {
  std::string ct = t == Transport::Soso12 ? "application/soap+xml; charset=" : "text/xml; charset=";
  ct += charset_name(latin1);
  return ct;
}

// An ASMX service's answer: the document is the Result element's child (VTJ-INTERFACE.md).
void soso_answer(std::string& body, const AnswerInput& in) {
  XmlOut env(body, in.latin1);
  bool soap12 = in.query.transport == Transport::Soso12;
  declaration(env);
  env.raw("<soap:Envelope xmlns:soap=\"");
  env.raw(soap12 ? kSoap12Ns : kSoap11Ns);
  env.raw(
      "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
      "<soap:Body><TeeHenkilonTunnusKyselyResponse "
      "xmlns=\"http://tempuri.org/\"><TeeHenkilonTunnusKyselyResult>");
  XmlOut doc(body, in.latin1, "ns2:", true);
  write_document(doc, in.decision, in.stamp, in.padding);
  env.raw("</TeeHenkilonTunnusKyselyResult></TeeHenkilonTunnusKyselyResponse></soap:Body></soap:Envelope>");
}

// The X-Road headers echoed as the register's WCF stack writes them (the evaka answer): each header
// declares its own namespaces, identifiers under the prefix a:.
void xroad_identifier(XmlOut& out, std::string_view element, const XRoadIdentifier& id, bool service) {
  out.raw("<h:");
  out.raw(element);
  out.raw(
      " xmlns=\"http://x-road.eu/xsd/xroad.xsd\" xmlns:a=\"http://x-road.eu/xsd/identifiers\""
      " xmlns:h=\"http://x-road.eu/xsd/xroad.xsd\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" a:objectType=\"");
  out.attr(id.object_type.empty() ? (service ? "SERVICE" : "SUBSYSTEM") : std::string_view(id.object_type));
  out.raw("\">");
  XmlOut a(out.buffer(), out.latin1(), "a:");
  a.leaf("xRoadInstance", id.instance);
  a.leaf("memberClass", id.member_class);
  a.leaf("memberCode", id.member_code);
  if (!id.subsystem.empty()) {
    a.leaf("subsystemCode", id.subsystem);
  }
  if (service) {
    a.leaf("serviceCode", id.service_code);
    if (!id.service_version.empty()) {
      a.leaf("serviceVersion", id.service_version);
    }
  }
  out.raw("</h:");
  out.raw(element);
  out.raw(">");
}

void xroad_header(XmlOut& out, std::string_view name, std::string_view value, std::string_view attrs = {}) {
  out.raw("<h:");
  out.raw(name);
  out.raw(" xmlns=\"http://x-road.eu/xsd/xroad.xsd\" xmlns:h=\"http://x-road.eu/xsd/xroad.xsd\"");
  out.raw(attrs);
  if (value.empty()) {
    out.raw("/>");
    return;
  }
  out.raw(">");
  out.text(value);
  out.raw("</h:");
  out.raw(name);
  out.raw(">");
}

void xroad_answer(std::string& body, const AnswerInput& in) {
  XmlOut out(body, in.latin1);
  const XRoadHeader& h = in.query.xroad;
  out.raw("<?xml version=\"1.0\" encoding=\"");
  out.raw(in.latin1 ? "ISO-8859-1" : "UTF-8");
  out.raw("\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>");
  xroad_identifier(out, "client", h.client, false);
  xroad_header(out, "id", h.id);
  xroad_header(out, "requestHash", request_hash(in.request_body),
               " algorithmId=\"http://www.w3.org/2001/04/xmlenc#sha512\"");
  if (h.has_issue) {
    xroad_header(out, "issue", h.issue);
  }
  xroad_header(out, "protocolVersion", h.protocol_version);
  xroad_identifier(out, "service", h.service, true);
  if (h.has_user_id) {
    xroad_header(out, "userId", h.user_id);
  }
  out.raw(
      "</s:Header><s:Body xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><HenkilonTunnusKyselyResponse xmlns=\"");
  out.raw(kVtjXRoadNs);
  out.raw("\"><request>");
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!in.query.present[i]) {
      continue;
    }
    auto id = static_cast<FieldId>(i);
    // The echo never carries the password.
    out.leaf(field_name(id),
             id == FieldId::Password ? std::string_view{} : std::string_view(in.query.values[i]));
  }
  out.raw("</request><response>");
  const std::string& code = in.decision.code;
  if (code == "0001" || code == "0006") {
    // "Not found" travels as faultCode/faultString instead of a document on this route.
    out.leaf("faultCode", code);
    out.leaf("faultString", code_message(code));
  } else {
    write_document(out, in.decision, in.stamp, in.padding);
  }
  out.raw("</response></HenkilonTunnusKyselyResponse></s:Body></s:Envelope>");
}

}  // namespace

Reply answer_reply(const AnswerInput& in) {
  Reply r;
  r.status = 200;
  r.content_type = content_type(in.query.transport, in.latin1);
  r.body.reserve(in.query.transport == Transport::XRoad ? 10240 : 8192);
  if (in.query.transport == Transport::XRoad) {
    xroad_answer(r.body, in);
  } else {
    soso_answer(r.body, in);
  }
  return r;
}

std::string request_hash(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Fetched once: OpenSSL 3 looks an implicit EVP_sha512() up in its provider on every use.
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  EVP_Digest(body.data(), body.size(), digest, &len, sha512 != nullptr ? sha512 : EVP_sha512(), nullptr);
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace vtj::sim
