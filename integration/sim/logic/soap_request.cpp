#include "soap_request.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "text/ascii.hpp"
#include "utf8.hpp"
#include "xml_scan.hpp"

namespace vtj::sim {

const char* to_string(Transport t) {
  switch (t) {
    case Transport::Soso11:
      return "soso11";
    case Transport::Soso12:
      return "soso12";
    case Transport::XRoad:
      return "xroad";
  }
  return "soso11";
}

std::string_view field_name(FieldId id) {
  static constexpr std::array<std::string_view, kFieldCount> kNames{
      "SoSoNimi",
      "Kayttajatunnus",
      "Salasana",
      "Loppukayttaja",
      "Laskutustiedot",
      "Henkilotunnus",
      "SahkoinenAsiointitunnus",
      "VarmenteenMyontaja",
      "X509Certificate",
      "VarmenteenVoimassaolotarkistus",
      "VarmenteenSulkulistatarkistus",
      "Tunnistusportaali",
      "Vara1",
  };
  return kNames[static_cast<size_t>(id)];
}

namespace {

// The real service's SOAP stack refuses anything much larger; a query is under 4 KB with a certificate.
constexpr size_t kMaxBody = 512 * 1024;

std::string_view unquote(std::string_view s) {
  s = text::trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

struct ContentType {
  std::string_view media;
  std::string_view charset;
  std::string_view action;
};

ContentType parse_content_type(std::string_view v) {
  ContentType ct;
  size_t semi = v.find(';');
  ct.media = text::trim(v.substr(0, semi));
  while (semi != std::string_view::npos) {
    v.remove_prefix(semi + 1);
    semi = v.find(';');
    std::string_view param = text::trim(v.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    std::string_view name = text::trim(param.substr(0, eq));
    std::string_view value = unquote(param.substr(eq + 1));
    if (text::iequals(name, "charset")) {
      ct.charset = value;
    } else if (text::iequals(name, "action")) {
      ct.action = value;
    }
  }
  return ct;
}

// The encoding the XML declaration names, or empty.
std::string_view declared_encoding(std::string_view body) {
  if (body.substr(0, 5) != "<?xml") {
    return {};
  }
  std::string_view decl = body.substr(0, body.find("?>"));
  size_t at = decl.find("encoding");
  if (at == std::string_view::npos) {
    return {};
  }
  decl.remove_prefix(at + 8);
  decl = text::trim(decl);
  if (decl.empty() || decl.front() != '=') {
    return {};
  }
  decl = text::trim(decl.substr(1));
  if (decl.empty() || (decl.front() != '"' && decl.front() != '\'')) {
    return {};
  }
  size_t end = decl.find(decl.front(), 1);
  return end == std::string_view::npos ? std::string_view{} : decl.substr(1, end - 1);
}

Rejection http(int status, std::string message) {
  Rejection r;
  r.kind = Rejection::Kind::Http;
  r.status = status;
  r.message = std::move(message);
  return r;
}

Rejection soap_client(Transport t, std::string message) {
  Rejection r;
  r.kind = t == Transport::XRoad ? Rejection::Kind::XRoad : Rejection::Kind::SoapClient;
  r.status = t == Transport::XRoad ? 200 : 500;
  r.transport = t;
  r.code = t == Transport::XRoad ? "Client.InvalidSoap" : "";
  r.message = std::move(message);
  return r;
}

Rejection xroad_fault(std::string code, std::string message) {
  Rejection r = soap_client(Transport::XRoad, std::move(message));
  r.code = std::move(code);
  return r;
}

// The 13 fields under `parent`, in namespace `ns`; an element of another name or namespace is ignored
// (as the register's deserialiser ignores it), so a misspelt field reads as a missing one.
void read_fields(const XmlDoc& doc, const XmlNode& parent, std::string_view ns, Query& q) {
  for (const XmlNode* c = doc.first_child(parent); c != nullptr; c = doc.next(*c)) {
    if (doc.ns(*c) != ns) {
      continue;
    }
    for (size_t i = 0; i < kFieldCount; ++i) {
      if (c->local != field_name(static_cast<FieldId>(i))) {
        continue;
      }
      if (q.present[i]) {
        q.schema_problem = std::string(c->local) + " appears twice";
      } else if (c->first_child >= 0) {
        q.schema_problem = std::string(c->local) + " holds elements";
      }
      q.present[i] = true;
      q.values[i] = c->text;
    }
  }
}

void read_identifier(const XmlDoc& doc, const XmlNode& n, XRoadIdentifier& id) {
  if (const XmlAttr* t = doc.attribute(n, "objectType")) {
    id.object_type = t->value;
  }
  std::pair<std::string_view, std::string*> parts[] = {
      {"xRoadInstance", &id.instance},   {"memberClass", &id.member_class},
      {"memberCode", &id.member_code},   {"subsystemCode", &id.subsystem},
      {"serviceCode", &id.service_code}, {"serviceVersion", &id.service_version},
  };
  for (const XmlNode* c = doc.first_child(n); c != nullptr; c = doc.next(*c)) {
    for (auto& [name, field] : parts) {
      if (c->local == name && doc.ns(*c) == kXRoadIdNs) {
        *field = text::trim(c->text);
      }
    }
  }
}

// X-Road 4.0's rules for the message headers (VTJ-INTERFACE.md): client, id and protocolVersion 4.0 are
// mandatory, and exactly one service, here the person query's.
std::optional<Rejection> read_xroad_header(const XmlDoc& doc, const XmlNode* header, XRoadHeader& h) {
  if (header == nullptr) {
    return xroad_fault("Client.MissingHeaderField", "Required field 'client' is missing");
  }
  int clients = 0, services = 0, central = 0, ids = 0, versions = 0;
  for (const XmlNode* c = doc.first_child(*header); c != nullptr; c = doc.next(*c)) {
    if (doc.ns(*c) != kXRoadNs) {
      continue;
    }
    if (c->local == "client") {
      ++clients;
      read_identifier(doc, *c, h.client);
    } else if (c->local == "service") {
      ++services;
      read_identifier(doc, *c, h.service);
    } else if (c->local == "centralService") {
      ++central;
    } else if (c->local == "id") {
      ++ids;
      h.id = text::trim(c->text);
    } else if (c->local == "userId") {
      h.has_user_id = true;
      h.user_id = c->text;
    } else if (c->local == "issue") {
      h.has_issue = true;
      h.issue = c->text;
    } else if (c->local == "protocolVersion") {
      ++versions;
      h.protocol_version = text::trim(c->text);
    }
  }
  if (clients != 1 || h.client.instance.empty() || h.client.member_class.empty() ||
      h.client.member_code.empty()) {
    return xroad_fault("Client.MissingHeaderField", "Required field 'client' is missing or incomplete");
  }
  if (ids != 1 || h.id.empty()) {
    return xroad_fault("Client.MissingHeaderField", "Required field 'id' is missing");
  }
  if (versions != 1 || h.protocol_version.empty()) {
    return xroad_fault("Client.MissingHeaderField", "Required field 'protocolVersion' is missing");
  }
  if (h.protocol_version != "4.0") {
    return xroad_fault("Client.InvalidProtocolVersion",
                       "Unsupported protocol version '" + h.protocol_version + "'");
  }
  if (services + central != 1 || services != 1 || h.service.instance.empty() ||
      h.service.member_class.empty() || h.service.member_code.empty() || h.service.service_code.empty()) {
    return xroad_fault("Client.MissingHeaderField", "Required field 'service' is missing or incomplete");
  }
  if (h.service.service_code != "HenkilonTunnusKysely") {
    return xroad_fault("Server.ServerProxy.UnknownService",
                       "Unknown service code '" + h.service.service_code + "'");
  }
  return std::nullopt;
}

// The transport an endpoint and Content-Type make, or the HTTP error for them.
Result<Transport, Rejection> choose_transport(const HttpRequest& request, const ContentType& ct) {
  bool soso = request.path == kSosoPath;
  if (!soso && request.path != kXRoadPath) {
    return err(http(404, "Not Found"));
  }
  if (request.method != "POST") {
    return err(http(405, "Method Not Allowed"));
  }
  if (soso && text::iequals(ct.media, "application/soap+xml")) {
    if (!ct.action.empty() && ct.action != kSosoAction) {
      return err(soap_client(
          Transport::Soso12,
          "Server did not recognize the value of HTTP Header SOAPAction: " + std::string(ct.action) + "."));
    }
    return Transport::Soso12;
  }
  if (!text::iequals(ct.media, "text/xml")) {
    return err(http(415, "Unsupported Media Type: expected text/xml" +
                             std::string(soso ? " or application/soap+xml" : "")));
  }
  if (!soso) {
    return Transport::XRoad;
  }
  std::string_view action = unquote(request.header("soapaction"));
  if (action != kSosoAction) {
    return err(soap_client(
        Transport::Soso11,
        "Server did not recognize the value of HTTP Header SOAPAction: " + std::string(action) + "."));
  }
  return Transport::Soso11;
}

}  // namespace

Result<Query, Rejection> parse_request(const HttpRequest& request) {
  ContentType ct = parse_content_type(request.header("content-type"));
  auto transport = choose_transport(request, ct);
  if (!transport) {
    return err(transport.error());
  }
  Transport t = *transport;
  if (request.body.size() > kMaxBody) {
    return err(soap_client(t, "Request too large"));
  }
  std::string_view encoding = declared_encoding(request.body);
  if (encoding.empty()) {
    encoding = ct.charset;
  }
  std::string converted;
  std::string_view body = request.body;
  if (text::iequals(encoding, "iso-8859-1") || text::iequals(encoding, "latin1")) {
    converted.reserve(body.size() + body.size() / 8);
    for (char c : body) {
      append_utf8(converted, static_cast<unsigned char>(c));
    }
    body = converted;
  } else if (!encoding.empty() && !text::iequals(encoding, "utf-8") && !text::iequals(encoding, "us-ascii")) {
    return err(soap_client(t, "Unsupported encoding '" + std::string(encoding) + "'"));
  } else if (!valid_utf8(body)) {
    return err(soap_client(t, "The request is not valid UTF-8"));
  }
  auto doc = scan_xml(body);
  if (!doc) {
    return err(soap_client(t, "Malformed request: " + doc.error()));
  }
  const XmlNode& root = doc->nodes.front();
  std::string_view soap_ns = t == Transport::Soso12 ? kSoap12Ns : kSoap11Ns;
  if (root.local != "Envelope" || doc->ns(root) != soap_ns) {
    return err(soap_client(
        t, t == Transport::Soso12 ? "Expected a SOAP 1.2 Envelope" : "Expected a SOAP 1.1 Envelope"));
  }
  const XmlNode* header = nullptr;
  const XmlNode* body_node = nullptr;
  for (const XmlNode* c = doc->first_child(root); c != nullptr; c = doc->next(*c)) {
    if (doc->ns(*c) == soap_ns && c->local == "Header" && header == nullptr && body_node == nullptr) {
      header = c;
    } else if (doc->ns(*c) == soap_ns && c->local == "Body" && body_node == nullptr) {
      body_node = c;
    } else {
      return err(soap_client(t, "Unexpected element '" + std::string(c->local) + "' in the Envelope"));
    }
  }
  if (body_node == nullptr || body_node->first_child < 0) {
    return err(soap_client(t, "Malformed SOAP message: body missing"));
  }
  const XmlNode& operation = *doc->first_child(*body_node);
  if (operation.next_sibling >= 0) {
    return err(soap_client(t, "More than one element in the SOAP Body"));
  }
  Query q;
  q.transport = t;
  if (t == Transport::XRoad) {
    if (auto problem = read_xroad_header(*doc, header, q.xroad)) {
      return err(std::move(*problem));
    }
    if (operation.local != "HenkilonTunnusKysely" || doc->ns(operation) != kVtjXRoadNs) {
      return err(soap_client(t, "Body element '" + std::string(operation.local) +
                                    "' is not the service's HenkilonTunnusKysely"));
    }
    const XmlNode* req = doc->child(operation, "request");
    if (req != nullptr && doc->ns(*req) == kVtjXRoadNs) {
      read_fields(*doc, *req, kVtjXRoadNs, q);
    }
    return q;
  }
  if (operation.local != "TeeHenkilonTunnusKysely" || doc->ns(operation) != kSosoNs) {
    return err(soap_client(
        t, "The simulator answers TeeHenkilonTunnusKysely only, not '" + std::string(operation.local) + "'"));
  }
  read_fields(*doc, operation, kSosoNs, q);
  return q;
}

}  // namespace vtj::sim
