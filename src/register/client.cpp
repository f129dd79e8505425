#include "vtj/register_client.hpp"

#include "vtj/identity.hpp"
#include "vtj/register_query.hpp"

namespace vtj::reg {

namespace {

QueryError query_error(QueryErrorKind kind, std::string detail, int queries, long http_status = 0) {
  QueryError e;
  e.kind = kind;
  e.detail = std::move(detail);
  e.queries = queries;
  e.http_status = http_status;
  return e;
}

std::string masked(std::string_view id) {
  return identity::sanitize_for_log(identity::mask_identifier(id), 40);
}

}  // namespace

const char* to_string(QueryErrorKind kind) {
  switch (kind) {
    case QueryErrorKind::Request:
      return "request";
    case QueryErrorKind::Transport:
      return "transport";
    case QueryErrorKind::HttpStatus:
      return "http-status";
    case QueryErrorKind::Malformed:
      return "malformed";
    case QueryErrorKind::Mismatch:
      return "mismatch";
  }
  return "unknown";
}

std::string QueryError::to_string() const {
  std::string s = reg::to_string(kind);
  if (transport) {
    s += std::string(" (") + reg::to_string(*transport) + ")";
  }
  if (http_status != 0 && kind == QueryErrorKind::HttpStatus) {
    s += " " + std::to_string(http_status);
  }
  return s + ": " + detail;
}

RegisterClient::RegisterClient(const config::Settings& settings, std::unique_ptr<HttpTransport> transport)
    : settings_(settings), transport_(std::move(transport)) {}

Result<std::unique_ptr<RegisterClient>, QueryError> RegisterClient::create(const config::Settings& settings) {
  TransportSettings t;
  t.url = settings.register_url;
  t.client_cert = settings.client_cert;
  t.client_key = settings.client_key;
  t.ca_file = settings.register_ca;
  t.connect_timeout_ms = settings.connect_timeout_ms;
  t.total_timeout_ms = settings.total_timeout_ms;
  t.max_response_bytes = ParseLimits{}.max_bytes;
  auto transport = HttpTransport::create(t);
  if (!transport) {
    QueryError e = query_error(QueryErrorKind::Transport, transport.error().detail, 0);
    e.transport = transport.error().kind;
    return err(std::move(e));
  }
  return std::unique_ptr<RegisterClient>(new RegisterClient(settings, std::move(transport.value())));
}

Result<QueryAnswer, QueryError> RegisterClient::exchange(const QueryParams& params, Deadline deadline) {
  const bool xroad = settings_.transport == Transport::XRoad;
  std::string message_id;
  Result<std::string, RequestError> doc = err(RequestError::NoIdentifier);
  if (xroad) {
    XRoadHeaders headers = xroad_headers_for(settings_);
    message_id = headers.message_id;
    doc = build_xroad_request(params, headers);
  } else {
    doc = build_soso_request(params);
  }
  if (!doc) {
    return err(query_error(QueryErrorKind::Request,
                           std::string("cannot build the register request: ") + reg::to_string(doc.error()),
                           0));
  }

  const std::string content_type = xroad ? xroad_content_type() : soso_content_type();
  const std::string action = xroad ? xroad_soap_action() : soso_soap_action();
  auto reply = transport_->post(*doc, {{"Content-Type", content_type}, {"SOAPAction", action}}, deadline);
  if (!reply) {
    QueryError e = query_error(QueryErrorKind::Transport, reply.error().detail, reply.error().attempts);
    e.transport = reply.error().kind;
    return err(std::move(e));
  }
  const HttpReply& http = reply.value();

  auto parsed = parse_response(http.body);
  // SOAP services answer faults with HTTP 500 and X-Road with 200: the body decides. An error status
  // whose body is no SOAP answer at all is reported as the status.
  if (!parsed) {
    if (http.status != 200) {
      return err(
          query_error(QueryErrorKind::HttpStatus,
                      "the register answered HTTP " + std::to_string(http.status) + " without a SOAP answer",
                      http.attempts, http.status));
    }
    return err(query_error(QueryErrorKind::Malformed,
                           std::string("the body is no register answer (") +
                               reg::to_string(parsed.error().kind) + ")" +
                               (parsed.error().detail.empty() ? "" : ": " + parsed.error().detail),
                           http.attempts, http.status));
  }
  Response& response = parsed.value();
  if (http.status != 200 && response.envelope != Envelope::SoapFault) {
    return err(query_error(QueryErrorKind::HttpStatus,
                           "the register answered HTTP " + std::to_string(http.status) + " with a " +
                               reg::to_string(response.envelope) + " document",
                           http.attempts, http.status));
  }
  // Over X-Road the message id ties the answer to this request (a security server may be reached over
  // plain HTTP): an answer without it, or with another, is not this query's. The security server's own
  // SOAP faults carry no body to misattribute.
  if (xroad && response.envelope != Envelope::SoapFault && response.xroad_id != message_id) {
    return err(query_error(QueryErrorKind::Mismatch,
                           response.xroad_id.empty() ? "the X-Road answer carries no message id"
                                                     : "the X-Road answer carries another message id",
                           http.attempts, http.status));
  }
  if (auto mismatch = answer_mismatch(params, response)) {
    return err(query_error(QueryErrorKind::Mismatch, *mismatch, http.attempts, http.status));
  }

  QueryAnswer answer;
  answer.response = std::move(response);
  answer.queries = http.attempts;
  answer.seconds = http.seconds;
  answer.new_connection = http.new_connection;
  return answer;
}

Result<QueryAnswer, QueryError> RegisterClient::query(const QueryParams& params) {
  // One VTJTimeout for the whole question: a 0002 re-query shares it, never doubles it.
  const Deadline deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.total_timeout_ms);
  auto first = exchange(params, deadline);
  if (!first || first->response.outcome != Outcome::Passivated) {
    return first;
  }
  // 0002: the identifier asked is passivated and the answer names the active hetu (the parser refuses a
  // 0002 without a valid one). Ask once more with it; the certificate belonged to the old identifier.
  QueryParams next = params;
  next.hetu = first->response.active_hetu;
  next.satu.clear();
  next.issuer.clear();
  next.certificate_base64.clear();
  next.check_validity = false;
  next.check_revocation = false;
  auto second = exchange(next, deadline);
  if (!second) {
    QueryError e = std::move(second.error());
    e.queries += first->queries;
    return err(std::move(e));
  }
  if (second->response.outcome == Outcome::Passivated) {
    return err(query_error(QueryErrorKind::Mismatch,
                           "the active identifier " + masked(next.hetu) + " named by 0002 is passivated too",
                           first->queries + second->queries));
  }
  second->requeried = true;
  second->passivated_from = masked(params.hetu.empty() ? params.satu : params.hetu);
  second->queries += first->queries;
  second->seconds += first->seconds;
  second->new_connection = second->new_connection || first->new_connection;
  return second;
}

}  // namespace vtj::reg
