// The directive table: the single source of names, argument counts, defaults and help texts.

#include "config/text.hpp"
#include "vtj/config.hpp"

namespace vtj::config {

namespace {

constexpr std::string_view kEverywhere = "server, virtual host, directory";
constexpr std::string_view kServer = "server, virtual host";

using D = Directive;

constexpr DirectiveInfo kTable[] = {
    {D::Vtj, "VTJ", "vtj", 1, 1, false, "On|Off", "Off", kEverywhere,
     "resolve the citizen for this location"},
    {D::RegisterUrl, "VTJRegisterURL", "vtj_register_url", 1, 1, false, "URL", "", kEverywhere,
     "the register endpoint: https:// for the direct service; for X-Road, the organisation's own security "
     "server, http:// or https:// as that server is set up"},
    {D::Transport, "VTJTransport", "vtj_transport", 1, 1, false, "soso|xroad", "soso", kEverywhere,
     "direct SOAP service, or through X-Road"},
    {D::ClientCertificate, "VTJClientCertificate", "vtj_client_certificate", 1, 2, false,
     "cert.pem [key.pem]", "", kEverywhere,
     "the customer's certificate for mutual TLS (required for the direct service; for X-Road, when the "
     "security server asks for one)"},
    {D::RegisterCa, "VTJRegisterCA", "vtj_register_ca", 1, 1, false, "ca.pem", "", kEverywhere,
     "trust anchors for the register's server certificate (hostname is always verified)"},
    {D::Credentials, "VTJCredentials", "vtj_credentials", 2, 2, false, "username password-file", "",
     kEverywhere, "Kayttajatunnus, and the file holding Salasana (first line)"},
    {D::Product, "VTJProduct", "vtj_product", 1, 1, false, "name", "", kEverywhere,
     "SoSoNimi, the product named in the data permit"},
    {D::EndUser, "VTJEndUser", "vtj_end_user", 1, 1, false, "text", "", kEverywhere,
     "Loppukayttaja (at most 50 characters)"},
    {D::XRoadClient, "VTJXRoadClient", "vtj_xroad_client", 1, 1, false, "INSTANCE/CLASS/CODE/SUBSYSTEM", "",
     kEverywhere, "X-Road client identifier (xroad transport)"},
    {D::XRoadService, "VTJXRoadService", "vtj_xroad_service", 1, 1, false,
     "INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/VERSION]", "FI/GOV/0245437-2/VTJkysely/HenkilonTunnusKysely/v1",
     kEverywhere, "X-Road service identifier"},
    {D::Timeout, "VTJTimeout", "vtj_timeout", 2, 2, false, "connect-ms total-ms", "2000 10000", kEverywhere,
     "register query time limits"},
    {D::CitizenIssuer, "VTJCitizenIssuer", "vtj_citizen_issuer", 1, 1, true, "CA certificate file", "",
     kEverywhere,
     "accepted issuers of citizen certificates (repeatable); a certificate from another issuer is rejected"},
    {D::CertificateCheck, "VTJCertificateCheck", "vtj_certificate_check", 1, 1, false, "On|Off", "On",
     kEverywhere,
     "ask the register to check the certificate's validity and revocation (sends the certificate and "
     "issuer)"},
    {D::Cache, "VTJCache", "vtj_cache", 1, 1, false, "shm:SIZE|redis://HOST:PORT[/DB]|none", "shm:64M",
     kServer, "where resolved persons are kept"},
    {D::CacheKey, "VTJCacheKey", "vtj_cache_key", 1, 1, false, "key-file", "random per start", kServer,
     "secret (at least 32 bytes) for cache key HMAC and value encryption; the same file on every node of a "
     "cluster"},
    {D::CacheTtl, "VTJCacheTTL", "vtj_cache_ttl", 1, 2, false, "seconds [not-found-seconds]", "600 60",
     kEverywhere, "how long a resolved (and a not-found) answer is reused"},
    {D::HeaderPrefix, "VTJHeaderPrefix", "vtj_header_prefix", 1, 1, false, "prefix", "VTJ-", kEverywhere,
     "prefix of the default header names, and of what is scrubbed"},
    {D::Header, "VTJHeader", "vtj_header", 2, 2, true, "field-or-path header-name", "the default set",
     kEverywhere, "add a header (repeatable); the first VTJHeader replaces the default set"},
    {D::HeaderEncoding, "VTJHeaderEncoding", "vtj_header_encoding", 1, 1, false, "percent|utf8|base64|latin1",
     "percent", kEverywhere, "how values are written into headers"},
    {D::SpoofPolicy, "VTJSpoofPolicy", "vtj_spoof_policy", 1, 1, false, "strip|reject", "strip", kEverywhere,
     "client-sent headers that collide with the module's: remove (and log), or answer 400"},
    {D::SecurityProhibition, "VTJSecurityProhibition", "vtj_security_prohibition", 1, 1, false,
     "withhold|pass|deny", "withhold", kEverywhere,
     "for a person under a security prohibition: omit address and municipality fields, pass them, or answer "
     "403"},
    {D::OnRegisterError, "VTJOnRegisterError", "vtj_on_register_error", 1, 1, false, "deny|pass|stale",
     "deny", kEverywhere,
     "register unreachable, timed out, or answering an error: 503 with Retry-After; continue without person "
     "headers; or use an expired cache entry if one exists, else deny"},
};

static_assert(std::size(kTable) == kDirectiveCount, "one table row per Directive");

}  // namespace

std::span<const DirectiveInfo> directives() {
  return kTable;
}

const DirectiveInfo* find_directive(std::string_view name) {
  for (const DirectiveInfo& d : kTable) {
    if (iequals(d.name, name) || iequals(d.snake_name, name)) {
      return &d;
    }
  }
  return nullptr;
}

const DirectiveInfo& info(Directive id) {
  return kTable[static_cast<size_t>(id)];
}

std::string_view to_string(Encoding e) {
  switch (e) {
    case Encoding::Percent:
      return "percent";
    case Encoding::Utf8:
      return "utf8";
    case Encoding::Base64:
      return "base64";
    case Encoding::Latin1:
      return "latin1";
  }
  return "percent";
}

std::string_view to_string(SpoofPolicy p) {
  return p == SpoofPolicy::Reject ? "reject" : "strip";
}

std::string_view to_string(ProhibitionPolicy p) {
  switch (p) {
    case ProhibitionPolicy::Withhold:
      return "withhold";
    case ProhibitionPolicy::Pass:
      return "pass";
    case ProhibitionPolicy::Deny:
      return "deny";
  }
  return "withhold";
}

std::string_view to_string(ErrorPolicy p) {
  switch (p) {
    case ErrorPolicy::Deny:
      return "deny";
    case ErrorPolicy::Pass:
      return "pass";
    case ErrorPolicy::Stale:
      return "stale";
  }
  return "deny";
}

}  // namespace vtj::config
