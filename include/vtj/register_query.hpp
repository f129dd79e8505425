#pragma once
// From configuration and identity to the register request: which fields a query carries, and which
// transport's document it is. Shared by the CLI and the server modules so both ask the same question.

#include <optional>
#include <string>

#include "vtj/config.hpp"
#include "vtj/identity.hpp"
#include "vtj/identity_cert.hpp"
#include "vtj/register_request.hpp"
#include "vtj/register_response.hpp"
#include "vtj/result.hpp"

namespace vtj::reg {

// A citizen who logged in with a certificate is asked for by SATU. With VTJCertificateCheck On the query
// also carries the certificate (base64 DER) and its issuer's name, with both check flags set, so the
// register checks validity and revocation itself (and answers 0012/0013 for an expired or revoked one).
QueryParams query_for_certificate(const config::Settings& settings, const identity::CitizenCertificate& cert);
QueryParams query_for_satu(const config::Settings& settings, const identity::Satu& satu);
QueryParams query_for_hetu(const config::Settings& settings, const identity::Hetu& hetu);

// X-Road headers from VTJXRoadClient / VTJXRoadService, with a fresh message id; userId names the end
// user (VTJEndUser, the same value as Loppukayttaja).
XRoadHeaders xroad_headers_for(const config::Settings& settings);

// The request document for VTJTransport: SOAP 1.1 SoSo, or SOAP 1.1 with the X-Road headers.
Result<std::string, RequestError> build_request(const config::Settings& settings, const QueryParams& params);

// Whether an answer belongs to the query it came back for. A short reason (identity codes masked) when it
// does not: a Found answer asked by hetu naming another Henkilo/Henkilotunnus; a Found answer asked by
// SATU that names another SATU (in Henkilo/SahkoinenAsiointitunnus or the Hakuperusteet echo) or names
// none at all (the register echoes the criteria; products without the person's SATU still carry the echo);
// or a Passivated answer whose "new active" hetu is the very one asked (a re-query would loop). nullopt
// when nothing is amiss.
std::optional<std::string> answer_mismatch(const QueryParams& asked, const Response& answer);

}  // namespace vtj::reg
