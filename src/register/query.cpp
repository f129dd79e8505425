#include "vtj/register_query.hpp"

#include <vector>

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

// An identifier for a reason text: masked, and on one printable line whatever the register sent.
std::string masked(std::string_view id) {
  return identity::sanitize_for_log(identity::mask_identifier(id), 40);
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
  // X-Road's userId names the end user on whose behalf the query is made.
  h.user_id = settings.end_user;
  return h;
}

std::optional<std::string> answer_mismatch(const QueryParams& asked, const Response& answer) {
  if (answer.outcome == Outcome::Found) {
    if (!answer.person) {
      return "found answer without a person";
    }
    if (!asked.hetu.empty() && answer.person->hetu() != asked.hetu) {
      return "answer is for " + masked(answer.person->hetu()) + ", asked for " + masked(asked.hetu);
    }
    if (!asked.satu.empty()) {
      // Every copy must agree: a second, different SATU is no less a different person. And an answer
      // asked by SATU must name it somewhere (the person's own, or the register's echo of the
      // criteria): a hetu alone cannot tie the answer to the certificate it was asked for.
      std::vector<std::string> named = answer.person->tree().values("SahkoinenAsiointitunnus");
      if (!answer.asked_satu.empty()) {
        named.push_back(answer.asked_satu);
      }
      if (named.empty()) {
        return "the answer names no SATU, asked for " + masked(asked.satu);
      }
      for (const std::string& satu : named) {
        if (satu != asked.satu) {
          return "answer is for SATU " + masked(satu) + ", asked for " + masked(asked.satu);
        }
      }
    }
  }
  if (answer.outcome == Outcome::Passivated && !asked.hetu.empty() && answer.active_hetu == asked.hetu) {
    return "passivation names the asked " + masked(asked.hetu) + " as the active code";
  }
  return std::nullopt;
}

Result<std::string, RequestError> build_request(const config::Settings& settings, const QueryParams& params) {
  if (settings.transport == Transport::XRoad) {
    return build_xroad_request(params, xroad_headers_for(settings));
  }
  return build_soso_request(params);
}

}  // namespace vtj::reg
