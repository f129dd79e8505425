#pragma once
// Building the person query (TeeHenkilonTunnusKysely / HenkilonTunnusKysely) for both transports: the
// direct SoSo SOAP service (1.1 or 1.2) and X-Road 4.0. Every value is validated and XML-escaped.

#include <string>

#include "vtj/register_types.hpp"
#include "vtj/result.hpp"

namespace vtj::reg {

// The 13 request fields of VTJ-INTERFACE.md (Vara1 is always sent empty).
struct QueryParams {
  std::string product;             // SoSoNimi (mandatory)
  std::string username;            // Kayttajatunnus (mandatory)
  std::string password;            // Salasana (mandatory)
  std::string end_user;            // Loppukayttaja (mandatory, at most 50 characters)
  std::string billing;             // Laskutustiedot
  std::string hetu;                // Henkilotunnus: exactly one of hetu / satu
  std::string satu;                // SahkoinenAsiointitunnus
  std::string issuer;              // VarmenteenMyontaja (DN or CN of the citizen certificate's issuer)
  std::string certificate_base64;  // X509Certificate (DER, base64)
  // VarmenteenVoimassaolotarkistus / VarmenteenSulkulistatarkistus. The WSDLs type both as plain
  // xsd:string; the register's own convention for flags ("Kuollut", "TurvakieltoTieto") is "1" for yes
  // and empty for no, and unused fields travel empty, so a set flag is rendered "1" and a clear one empty.
  bool check_validity = false;
  bool check_revocation = false;
  std::string portal;  // Tunnistusportaali
};

struct XRoadHeaders {
  XRoadId client;          // objectType SUBSYSTEM: instance, member class, member code, subsystem
  XRoadId service;         // objectType SERVICE: ... plus service code and (optional) version
  std::string message_id;  // id; when empty, a fresh new_message_id() is used
  std::string user_id;     // userId, sent when set
  std::string issue;       // issue, sent when set
};

enum class RequestError {
  MissingProduct,
  MissingCredentials,
  MissingEndUser,
  EndUserTooLong,
  NoIdentifier,      // neither or both of hetu / satu
  InvalidCharacter,  // a control character other than TAB/LF/CR, or bytes that are not UTF-8
  MissingXRoadId,    // an X-Road client or service identifier lacks a mandatory part
};
const char* to_string(RequestError error);

inline constexpr unsigned kMaxEndUserChars = 50;

// SOAP 1.1 envelope for TeeHenkilonTunnusKysely in http://tempuri.org/.
Result<std::string, RequestError> build_soso_request(const QueryParams& params);
// The same body in a SOAP 1.2 envelope.
Result<std::string, RequestError> build_soso12_request(const QueryParams& params);
// SOAP 1.1 with the X-Road 4.0 headers; body HenkilonTunnusKysely/request in
// http://xml.vrk.fi/ws/vtj/vtjkysely/1.
Result<std::string, RequestError> build_xroad_request(const QueryParams& params, const XRoadHeaders& headers);

// HTTP header values, quotes included where the header needs them.
std::string soso_soap_action();     // "\"http://tempuri.org/TeeHenkilonTunnusKysely\""
std::string soso_content_type();    // text/xml; charset=utf-8
std::string soso12_content_type();  // application/soap+xml; charset=utf-8; action="..."
std::string xroad_soap_action();    // "\"\"" (X-Road sends an empty SOAPAction)
std::string xroad_content_type();   // text/xml; charset=utf-8

// A random UUID version 4 (RFC 4122) from OpenSSL's CSPRNG, lower-case hex: an X-Road message id.
std::string new_message_id();

}  // namespace vtj::reg
