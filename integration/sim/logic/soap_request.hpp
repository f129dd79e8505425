#pragma once
// From an HTTP request to the person query it carries: which transport (SoSo SOAP 1.1 or 1.2, X-Road
// 4.0), the 13 request fields and, for X-Road, the message headers. What cannot be read as such a query
// is a Rejection, answered the way the real endpoint answers it (plain HTTP error, SOAP Client fault,
// or the X-Road security server's own fault).

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "register_sim.hpp"
#include "vtj/result.hpp"

namespace vtj::sim {

inline constexpr std::string_view kSosoPath = "/sosowebsite/soso.asmx";
inline constexpr std::string_view kXRoadPath = "/";
inline constexpr std::string_view kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12Ns = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kSosoNs = "http://tempuri.org/";
inline constexpr std::string_view kSosoAction = "http://tempuri.org/TeeHenkilonTunnusKysely";
inline constexpr std::string_view kVtjXRoadNs = "http://xml.vrk.fi/ws/vtj/vtjkysely/1";
inline constexpr std::string_view kXRoadNs = "http://x-road.eu/xsd/xroad.xsd";
inline constexpr std::string_view kXRoadIdNs = "http://x-road.eu/xsd/identifiers";

enum class Transport { Soso11, Soso12, XRoad };
inline constexpr size_t kTransports = 3;
const char* to_string(Transport t);  // "soso11", "soso12", "xroad"

// The request fields in the WSDL's order.
enum class FieldId : size_t {
  Product,
  Username,
  Password,
  EndUser,
  Billing,
  Hetu,
  Satu,
  Issuer,
  Certificate,
  CheckValidity,
  CheckRevocation,
  Portal,
  Vara1,
};
inline constexpr size_t kFieldCount = 13;
std::string_view field_name(FieldId id);

struct XRoadIdentifier {
  std::string object_type;
  std::string instance;
  std::string member_class;
  std::string member_code;
  std::string subsystem;
  std::string service_code;
  std::string service_version;
};

struct XRoadHeader {
  XRoadIdentifier client;
  XRoadIdentifier service;
  std::string id;
  std::string user_id;
  std::string issue;
  std::string protocol_version;
  bool has_user_id = false;
  bool has_issue = false;
};

struct Query {
  Transport transport = Transport::Soso11;
  std::array<std::string, kFieldCount> values;  // decoded UTF-8, as sent (not trimmed)
  std::array<bool, kFieldCount> present{};      // whether the element was in the request at all
  // Set when a field repeats or holds elements: the register answers -1805 (not schema-valid).
  std::string schema_problem;
  XRoadHeader xroad;  // X-Road only

  const std::string& value(FieldId id) const { return values[static_cast<size_t>(id)]; }
  bool has(FieldId id) const { return present[static_cast<size_t>(id)]; }
};

struct Rejection {
  enum class Kind {
    Http,        // a plain HTTP error (404, 405, 415) with a text body
    SoapClient,  // SoSo: SOAP Client (1.2: Sender) fault, HTTP 500
    XRoad,       // X-Road security server fault, HTTP 200
  };
  Kind kind = Kind::Http;
  int status = 400;
  Transport transport = Transport::Soso11;
  std::string code;     // X-Road faultcode, e.g. "Client.InvalidSoap"
  std::string message;  // English, for the faultstring or the text body
};

// Reads the query; the request body must outlive nothing (values are copied).
Result<Query, Rejection> parse_request(const HttpRequest& request);

}  // namespace vtj::sim
