// Settings as a whole: merging a location over its parent, the redacted description, error text.

#include <sstream>

#include "vtj/config.hpp"

namespace vtj::config {

namespace {

// Copies the value(s) one directive sets.
void copy_directive(Settings& to, const Settings& from, Directive d) {
  switch (d) {
    case Directive::Vtj:
      to.enabled = from.enabled;
      break;
    case Directive::RegisterUrl:
      to.register_url = from.register_url;
      break;
    case Directive::Transport:
      to.transport = from.transport;
      break;
    case Directive::ClientCertificate:
      to.client_cert = from.client_cert;
      to.client_key = from.client_key;
      break;
    case Directive::RegisterCa:
      to.register_ca = from.register_ca;
      break;
    case Directive::Credentials:
      to.username = from.username;
      to.password = from.password;
      to.password_file = from.password_file;
      break;
    case Directive::Product:
      to.product = from.product;
      break;
    case Directive::EndUser:
      to.end_user = from.end_user;
      break;
    case Directive::XRoadClient:
      to.xroad_client = from.xroad_client;
      break;
    case Directive::XRoadService:
      to.xroad_service = from.xroad_service;
      break;
    case Directive::Timeout:
      to.connect_timeout_ms = from.connect_timeout_ms;
      to.total_timeout_ms = from.total_timeout_ms;
      break;
    case Directive::CitizenIssuer:
      to.citizen_issuers = from.citizen_issuers;
      break;
    case Directive::CertificateCheck:
      to.certificate_check = from.certificate_check;
      break;
    case Directive::Cache:
      to.cache = from.cache;
      break;
    case Directive::CacheKey:
      to.cache_key_file = from.cache_key_file;
      break;
    case Directive::CacheTtl:
      to.cache_ttl = from.cache_ttl;
      to.not_found_ttl = from.not_found_ttl;
      break;
    case Directive::HeaderPrefix:
      to.header_prefix = from.header_prefix;
      break;
    case Directive::Header:
      to.headers = from.headers;
      break;
    case Directive::HeaderEncoding:
      to.encoding = from.encoding;
      break;
    case Directive::SpoofPolicy:
      to.spoof_policy = from.spoof_policy;
      break;
    case Directive::SecurityProhibition:
      to.prohibition = from.prohibition;
      break;
    case Directive::OnRegisterError:
      to.on_error = from.on_error;
      break;
  }
}

std::string xroad_text(const reg::XRoadId& id, bool service) {
  std::string s = id.instance + "/" + id.member_class + "/" + id.member_code + "/" + id.subsystem;
  if (service) {
    s += "/" + id.service_code;
    if (!id.service_version.empty()) {
      s += "/" + id.service_version;
    }
  }
  return s;
}

std::string cache_text(const CacheSpec& c) {
  switch (c.kind) {
    case CacheSpec::Kind::None:
      return "none";
    case CacheSpec::Kind::Redis:
      return "redis://" + c.redis_host + ":" + std::to_string(c.redis_port) + "/" +
             std::to_string(c.redis_db);
    case CacheSpec::Kind::Shm:
      break;
  }
  if (c.shm_bytes % (1 << 30) == 0) {
    return "shm:" + std::to_string(c.shm_bytes >> 30) + "G";
  }
  if (c.shm_bytes % (1 << 20) == 0) {
    return "shm:" + std::to_string(c.shm_bytes >> 20) + "M";
  }
  return "shm:" + std::to_string(c.shm_bytes >> 10) + "K";
}

std::string value_text(const Settings& s, Directive d) {
  switch (d) {
    case Directive::Vtj:
      return s.enabled ? "On" : "Off";
    case Directive::RegisterUrl:
      return s.register_url;
    case Directive::Transport:
      return s.transport == reg::Transport::XRoad ? "xroad" : "soso";
    case Directive::ClientCertificate:
      return s.client_cert.empty() ? "" : s.client_cert + (s.client_key.empty() ? "" : " " + s.client_key);
    case Directive::RegisterCa:
      return s.register_ca;
    case Directive::Credentials:
      // The password itself never leaves Settings; only where it came from.
      return s.username.empty() ? "" : s.username + " " + s.password_file + " (password redacted)";
    case Directive::Product:
      return s.product;
    case Directive::EndUser:
      return s.end_user.empty() ? "" : "\"" + s.end_user + "\"";
    case Directive::XRoadClient:
      return s.xroad_client.instance.empty() ? "" : xroad_text(s.xroad_client, false);
    case Directive::XRoadService:
      return xroad_text(s.xroad_service, true);
    case Directive::Timeout:
      return std::to_string(s.connect_timeout_ms) + " " + std::to_string(s.total_timeout_ms);
    case Directive::CitizenIssuer: {
      std::string out;
      for (const std::string& f : s.citizen_issuers) {
        out += (out.empty() ? "" : " ") + f;
      }
      return out;
    }
    case Directive::CertificateCheck:
      return s.certificate_check ? "On" : "Off";
    case Directive::Cache:
      return cache_text(s.cache);
    case Directive::CacheKey:
      return s.cache_key_file.empty() ? "(random per start)" : s.cache_key_file;
    case Directive::CacheTtl:
      return std::to_string(s.cache_ttl) + " " + std::to_string(s.not_found_ttl);
    case Directive::HeaderPrefix:
      return s.header_prefix;
    case Directive::Header: {
      if (s.headers.empty()) {
        return "(the default set)";
      }
      std::string out;
      for (const HeaderSpec& h : s.headers) {
        out += (out.empty() ? "" : ", ") + h.field + " " + h.header;
      }
      return out;
    }
    case Directive::HeaderEncoding:
      return std::string(to_string(s.encoding));
    case Directive::SpoofPolicy:
      return std::string(to_string(s.spoof_policy));
    case Directive::SecurityProhibition:
      return std::string(to_string(s.prohibition));
    case Directive::OnRegisterError:
      return std::string(to_string(s.on_error));
  }
  return {};
}

}  // namespace

Settings merge(const Settings& parent, const Settings& child) {
  Settings out = parent;
  for (size_t i = 0; i < kDirectiveCount; ++i) {
    if (child.explicitly_set.test(i)) {
      copy_directive(out, child, static_cast<Directive>(i));
      out.set_at[i] = child.set_at[i];
    }
  }
  out.explicitly_set = parent.explicitly_set | child.explicitly_set;
  out.snake_names = parent.snake_names || child.snake_names;
  return out;
}

std::string_view Settings::name_of(Directive d) const {
  return snake_names ? info(d).snake_name : info(d).name;
}

std::string Settings::describe_redacted() const {
  std::ostringstream out;
  for (const DirectiveInfo& d : directives()) {
    std::string v = value_text(*this, d.id);
    out << d.name << " " << (v.empty() ? "(unset)" : v);
    if (!is_set(d.id)) {
      out << "  # default";
    }
    out << "\n";
  }
  return out.str();
}

std::string ConfigError::to_string() const {
  // A stream rather than += chains: GCC 12 at -O3 warns falsely (-Wrestrict) on the latter.
  std::ostringstream out;
  if (!where.file.empty()) {
    out << where.file;
    if (where.line > 0) {
      out << ':' << where.line;
    }
    out << ": ";
  }
  if (!directive.empty()) {
    out << directive << ": ";
  }
  out << message;
  return out.str();
}

}  // namespace vtj::config
