#include "vtj/register_query.hpp"

namespace vtj::reg {

namespace {

QueryParams base_query(const config::Settings& s) {
  QueryParams q;
  q.product = s.product;
  q.username = s.username;
  q.password = s.password;
  q.end_user = s.end_user;
  return q;
}

}  // namespace

QueryParams query_for_certificate(const config::Settings& settings,
                                  const identity::CitizenCertificate& cert) {
  QueryParams q = query_for_satu(settings, cert.satu);
  if (settings.certificate_check) {
    // VarmenteenMyontaja takes the issuer's DN or CN; the CN is what the register's own examples name.
    q.issuer = cert.issuer_common_name.empty() ? cert.issuer_name : cert.issuer_common_name;
    q.certificate_base64 = cert.der_base64();
    q.check_validity = true;
    q.check_revocation = true;
  }
  return q;
}

QueryParams query_for_satu(const config::Settings& settings, const identity::Satu& satu) {
  QueryParams q = base_query(settings);
  q.satu = satu.str();
  return q;
}

QueryParams query_for_hetu(const config::Settings& settings, const identity::Hetu& hetu) {
  QueryParams q = base_query(settings);
  q.hetu = hetu.str();
  return q;
}

XRoadHeaders xroad_headers_for(const config::Settings& settings) {
  XRoadHeaders h;
  h.client = settings.xroad_client;
  h.service = settings.xroad_service;
  h.message_id = new_message_id();
  return h;
}

Result<std::string, RequestError> build_request(const config::Settings& settings, const QueryParams& params) {
  if (settings.transport == Transport::XRoad) {
    return build_xroad_request(params, xroad_headers_for(settings));
  }
  return build_soso_request(params);
}

}  // namespace vtj::reg
