#include "vtj/config.hpp"

#include <gtest/gtest.h>

#include "config/config_fixture.hpp"

namespace vtj::config {
namespace {

using test_support::Config;
using test_support::kSecret;
namespace fs = std::filesystem;

TEST_F(Config, Defaults) {
  Settings s;
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.transport, reg::Transport::Soso);
  EXPECT_EQ(s.connect_timeout_ms, 2000);
  EXPECT_EQ(s.total_timeout_ms, 10000);
  EXPECT_TRUE(s.certificate_check);
  EXPECT_EQ(s.cache.kind, CacheSpec::Kind::Shm);
  EXPECT_EQ(s.cache.shm_bytes, 64u << 20);
  EXPECT_EQ(s.cache_ttl, 600);
  EXPECT_EQ(s.not_found_ttl, 60);
  EXPECT_EQ(s.header_prefix, "VTJ-");
  EXPECT_EQ(s.encoding, Encoding::Percent);
  EXPECT_EQ(s.spoof_policy, SpoofPolicy::Strip);
  EXPECT_EQ(s.prohibition, ProhibitionPolicy::Withhold);
  EXPECT_EQ(s.on_error, ErrorPolicy::Deny);
  EXPECT_EQ(s.xroad_service.member_code, "0245437-2");
  EXPECT_EQ(s.xroad_service.service_version, "v1");
  EXPECT_TRUE(s.explicitly_set.none());
}

TEST_F(Config, TableIsConsistent) {
  EXPECT_EQ(directives().size(), kDirectiveCount);
  for (size_t i = 0; i < directives().size(); ++i) {
    const DirectiveInfo& d = directives()[i];
    EXPECT_EQ(static_cast<size_t>(d.id), i);
    EXPECT_EQ(find_directive(d.name), &d);
    EXPECT_EQ(find_directive(d.snake_name), &d);
    EXPECT_LE(d.min_args, d.max_args);
    EXPECT_FALSE(d.help.empty());
  }
  EXPECT_EQ(find_directive("vtjregisterurl")->id, Directive::RegisterUrl);
  EXPECT_EQ(find_directive("VTJCACHETTL")->id, Directive::CacheTtl);
  EXPECT_EQ(find_directive("vtj_on_register_error")->id, Directive::OnRegisterError);
  EXPECT_EQ(find_directive("VTJFoo"), nullptr);
}

TEST_F(Config, UnknownDirectiveAndArgumentCount) {
  EXPECT_EQ(run("VTJFoo", {"x"}), "site.conf:7: VTJFoo: unknown directive \"VTJFoo\"");
  EXPECT_EQ(run("VTJ", {}), "site.conf:7: VTJ: takes 1 argument (On|Off), got 0");
  EXPECT_EQ(run("VTJTimeout", {"1"}),
            "site.conf:7: VTJTimeout: takes 2 arguments (connect-ms total-ms), got 1");
  EXPECT_EQ(run("VTJCacheTTL", {"1", "2", "3"}),
            "site.conf:7: VTJCacheTTL: takes 1 to 2 arguments (seconds [not-found-seconds]), got 3");
}

TEST_F(Config, OnOff) {
  Settings s;
  EXPECT_EQ(run(s, "VTJ", {"on"}), "");
  EXPECT_TRUE(s.enabled);
  EXPECT_TRUE(s.is_set(Directive::Vtj));
  EXPECT_EQ(run(s, "vtj", {"OFF"}), "");
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(run(s, "VTJCertificateCheck", {"Off"}), "");
  EXPECT_FALSE(s.certificate_check);
  EXPECT_EQ(run(s, "VTJ", {"yes"}), "site.conf:7: VTJ: expected On or Off, got \"yes\"");
}

TEST_F(Config, RegisterUrl) {
  Settings s;
  EXPECT_EQ(run(s, "VTJRegisterURL", {"https://vtj.example.fi/sosowebsite/soso.asmx"}), "");
  EXPECT_EQ(s.register_url, "https://vtj.example.fi/sosowebsite/soso.asmx");
  EXPECT_EQ(run(s, "VTJRegisterURL", {"HTTP://ss.local:8080/"}), "");
  EXPECT_EQ(run(s, "VTJRegisterURL", {"http://[::1]:8080/"}), "");
  EXPECT_EQ(run("VTJRegisterURL", {"ftp://x/"}),
            "site.conf:7: VTJRegisterURL: expected an http:// or https:// URL, got \"ftp://x/\"");
  EXPECT_EQ(run("VTJRegisterURL", {"https:///path"}),
            "site.conf:7: VTJRegisterURL: the URL has no host: \"https:///path\"");
  EXPECT_NE(run("VTJRegisterURL", {"https://host:99999/"}), "");
  EXPECT_NE(run("VTJRegisterURL", {"https://host:/"}), "");
  EXPECT_NE(run("VTJRegisterURL", {"https://ho st/"}), "");
  std::string e = run("VTJRegisterURL", {std::string("https://u:") + kSecret + "@host/"});
  EXPECT_NE(e, "");
  EXPECT_EQ(e.find(kSecret), std::string::npos);
}

TEST_F(Config, EnumsAreCaseInsensitive) {
  Settings s;
  EXPECT_EQ(run(s, "VTJTransport", {"XRoad"}), "");
  EXPECT_EQ(s.transport, reg::Transport::XRoad);
  EXPECT_EQ(run(s, "VTJHeaderEncoding", {"UTF8"}), "");
  EXPECT_EQ(s.encoding, Encoding::Utf8);
  EXPECT_EQ(run(s, "VTJHeaderEncoding", {"base64"}), "");
  EXPECT_EQ(s.encoding, Encoding::Base64);
  EXPECT_EQ(run(s, "VTJHeaderEncoding", {"latin1"}), "");
  EXPECT_EQ(s.encoding, Encoding::Latin1);
  EXPECT_EQ(run(s, "VTJSpoofPolicy", {"reject"}), "");
  EXPECT_EQ(s.spoof_policy, SpoofPolicy::Reject);
  EXPECT_EQ(run(s, "VTJSecurityProhibition", {"Deny"}), "");
  EXPECT_EQ(s.prohibition, ProhibitionPolicy::Deny);
  EXPECT_EQ(run(s, "VTJSecurityProhibition", {"pass"}), "");
  EXPECT_EQ(s.prohibition, ProhibitionPolicy::Pass);
  EXPECT_EQ(run(s, "VTJOnRegisterError", {"stale"}), "");
  EXPECT_EQ(s.on_error, ErrorPolicy::Stale);
  EXPECT_EQ(run(s, "VTJOnRegisterError", {"pass"}), "");
  EXPECT_EQ(s.on_error, ErrorPolicy::Pass);
  EXPECT_EQ(run("VTJTransport", {"rest"}),
            "site.conf:7: VTJTransport: expected one of soso, xroad, got \"rest\"");
  EXPECT_EQ(run("VTJHeaderEncoding", {"ascii"}),
            "site.conf:7: VTJHeaderEncoding: expected one of percent, utf8, base64, latin1, got \"ascii\"");
  EXPECT_NE(run("VTJSpoofPolicy", {"ignore"}), "");
  EXPECT_NE(run("VTJSecurityProhibition", {"hide"}), "");
  EXPECT_NE(run("VTJOnRegisterError", {"retry"}), "");
}

TEST_F(Config, FilesResolveRelativeToBaseDir) {
  Settings s;
  EXPECT_EQ(run(s, "VTJClientCertificate", {"cert.pem", "key.pem"}), "");
  EXPECT_EQ(s.client_cert, path("cert.pem"));
  EXPECT_EQ(s.client_key, path("key.pem"));
  EXPECT_EQ(run(s, "VTJClientCertificate", {path("cert.pem")}), "");
  EXPECT_EQ(s.client_key, "");
  EXPECT_EQ(run(s, "VTJRegisterCA", {"ca.pem"}), "");
  EXPECT_EQ(s.register_ca, path("ca.pem"));
  EXPECT_EQ(run("VTJRegisterCA", {"missing.pem"}),
            "site.conf:7: VTJRegisterCA: CA file \"" + path("missing.pem") + "\" is not a readable file");
  EXPECT_NE(run("VTJClientCertificate", {"cert.pem", "nokey.pem"}), "");
  EXPECT_NE(run("VTJRegisterCA", {dir_.string()}), "");  // a directory is not a file
}

TEST_F(Config, CredentialsReadThePasswordFile) {
  Settings s;
  EXPECT_EQ(run(s, "VTJCredentials", {"portal", "password"}), "");
  EXPECT_EQ(s.username, "portal");
  EXPECT_EQ(s.password, kSecret);  // first line, CR/LF removed
  EXPECT_EQ(s.password_file, path("password"));
  EXPECT_EQ(run("VTJCredentials", {"portal", "empty-password"}),
            "site.conf:7: VTJCredentials: password file \"" + path("empty-password") + "\" is empty");
  EXPECT_EQ(run("VTJCredentials", {"portal", "nope"}),
            "site.conf:7: VTJCredentials: password file \"" + path("nope") + "\" cannot be read");
  EXPECT_NE(run("VTJCredentials", {"", "password"}), "");
}

TEST_F(Config, PasswordNeverInDescriptionOrErrors) {
  Settings s;
  ASSERT_EQ(run(s, "VTJCredentials", {"portal", "password"}), "");
  std::string d = s.describe_redacted();
  EXPECT_EQ(d.find(kSecret), std::string::npos);
  EXPECT_NE(d.find("VTJCredentials portal"), std::string::npos);
  EXPECT_NE(d.find("redacted"), std::string::npos);
  // Later errors with the password loaded do not leak it either.
  for (const std::string& e : {run(s, "VTJTimeout", {"x", "y"}), run(s, "VTJCredentials", {"", "password"}),
                               run(s, "VTJCredentials", {"portal", "empty-password"})}) {
    EXPECT_NE(e, "");
    EXPECT_EQ(e.find(kSecret), std::string::npos) << e;
  }
  EXPECT_EQ(s.password, kSecret);  // a failed directive leaves the settings as they were
}

TEST_F(Config, ProductAndEndUser) {
  Settings s;
  EXPECT_EQ(run(s, "VTJProduct", {"PERUSSANOMA3"}), "");
  EXPECT_EQ(s.product, "PERUSSANOMA3");
  EXPECT_EQ(run(s, "VTJEndUser", {"portal of Jyväskylä"}), "");
  EXPECT_EQ(s.end_user, "portal of Jyväskylä");
  std::string fifty;
  for (int i = 0; i < 50; ++i) {
    fifty += "ä";  // 50 code points, 100 bytes
  }
  EXPECT_EQ(run(s, "VTJEndUser", {fifty}), "");
  EXPECT_EQ(run("VTJEndUser", {fifty + "x"}),
            "site.conf:7: VTJEndUser: the end user must be at most 50 characters, got 51");
  EXPECT_NE(run("VTJEndUser", {""}), "");
  EXPECT_NE(run("VTJEndUser", {"a\nb"}), "");
  EXPECT_NE(run("VTJEndUser", {"\xFF"}), "");
  EXPECT_NE(run("VTJProduct", {""}), "");
}

TEST_F(Config, XRoadIdentifiers) {
  Settings s;
  EXPECT_EQ(run(s, "VTJXRoadClient", {"FI/MUN/0123456-7/portal"}), "");
  EXPECT_EQ(s.xroad_client.instance, "FI");
  EXPECT_EQ(s.xroad_client.member_class, "MUN");
  EXPECT_EQ(s.xroad_client.member_code, "0123456-7");
  EXPECT_EQ(s.xroad_client.subsystem, "portal");
  EXPECT_EQ(run(s, "VTJXRoadService", {"FI-TEST/GOV/0245437-2/VTJkysely/HenkilonTunnusKysely"}), "");
  EXPECT_EQ(s.xroad_service.instance, "FI-TEST");
  EXPECT_EQ(s.xroad_service.service_code, "HenkilonTunnusKysely");
  EXPECT_EQ(s.xroad_service.service_version, "");
  EXPECT_EQ(run("VTJXRoadClient", {"FI/MUN/0123456-7"}),
            "site.conf:7: VTJXRoadClient: expected INSTANCE/CLASS/CODE/SUBSYSTEM with non-empty parts, got "
            "\"FI/MUN/0123456-7\"");
  EXPECT_NE(run("VTJXRoadClient", {"FI//0123456-7/portal"}), "");
  EXPECT_NE(run("VTJXRoadService", {"FI/GOV/0245437-2/VTJkysely"}), "");
  EXPECT_NE(run("VTJXRoadService", {"FI/GOV/0245437-2/VTJkysely/A/v1/extra"}), "");
}

TEST_F(Config, Timeout) {
  Settings s;
  EXPECT_EQ(run(s, "VTJTimeout", {"500", "3000"}), "");
  EXPECT_EQ(s.connect_timeout_ms, 500);
  EXPECT_EQ(s.total_timeout_ms, 3000);
  EXPECT_EQ(
      run("VTJTimeout", {"abc", "1000"}),
      "site.conf:7: VTJTimeout: connect timeout must be a positive number of milliseconds, got \"abc\"");
  EXPECT_EQ(run("VTJTimeout", {"100", "0"}),
            "site.conf:7: VTJTimeout: total timeout must be a positive number of milliseconds, got \"0\"");
  EXPECT_EQ(run("VTJTimeout", {"5000", "1000"}),
            "site.conf:7: VTJTimeout: connect timeout (5000 ms) exceeds the total timeout (1000 ms)");
  EXPECT_NE(run("VTJTimeout", {"-1", "1000"}), "");
  EXPECT_NE(run("VTJTimeout", {"99999999999999999999", "1000"}), "");
}

TEST_F(Config, CitizenIssuersRepeat) {
  Settings s;
  EXPECT_EQ(run(s, "VTJCitizenIssuer", {"issuer1.pem"}), "");
  EXPECT_EQ(run(s, "VTJCitizenIssuer", {"issuer2.pem"}), "");
  EXPECT_EQ(s.citizen_issuers, (std::vector<std::string>{path("issuer1.pem"), path("issuer2.pem")}));
  EXPECT_NE(run("VTJCitizenIssuer", {"issuer3.pem"}), "");
}

TEST_F(Config, Cache) {
  Settings s;
  EXPECT_EQ(run(s, "VTJCache", {"shm:128M"}), "");
  EXPECT_EQ(s.cache.kind, CacheSpec::Kind::Shm);
  EXPECT_EQ(s.cache.shm_bytes, 128u << 20);
  EXPECT_EQ(run(s, "VTJCache", {"shm:2g"}), "");
  EXPECT_EQ(s.cache.shm_bytes, size_t{2} << 30);
  EXPECT_EQ(run(s, "VTJCache", {"shm:1024K"}), "");
  EXPECT_EQ(s.cache.shm_bytes, 1u << 20);
  EXPECT_EQ(run(s, "VTJCache", {"redis://cache.local:6380/2"}), "");
  EXPECT_EQ(s.cache.kind, CacheSpec::Kind::Redis);
  EXPECT_EQ(s.cache.redis_host, "cache.local");
  EXPECT_EQ(s.cache.redis_port, 6380);
  EXPECT_EQ(s.cache.redis_db, 2);
  EXPECT_EQ(run(s, "VTJCache", {"redis://127.0.0.1:6379"}), "");
  EXPECT_EQ(s.cache.redis_db, 0);
  EXPECT_EQ(run(s, "VTJCache", {"none"}), "");
  EXPECT_EQ(s.cache.kind, CacheSpec::Kind::None);
  EXPECT_EQ(run("VTJCache", {"shm:512K"}),
            "site.conf:7: VTJCache: shared memory cache must be at least 1M, got \"shm:512K\"");
  EXPECT_NE(run("VTJCache", {"shm:"}), "");
  EXPECT_NE(run("VTJCache", {"shm:12Q"}), "");
  EXPECT_NE(run("VTJCache", {"shm:99999999999G"}), "");
  EXPECT_NE(run("VTJCache", {"redis://:6379"}), "");
  EXPECT_EQ(run("VTJCache", {std::string("redis://:") + kSecret + "@host:6379"}),
            "site.conf:7: VTJCache: the Redis URL must not carry user credentials");
  EXPECT_NE(run("VTJCache", {"redis://host:0"}), "");
  EXPECT_NE(run("VTJCache", {"redis://host:6379/x"}), "");
  EXPECT_EQ(run("VTJCache", {"memcache://x"}),
            "site.conf:7: VTJCache: expected shm:SIZE, redis://HOST:PORT[/DB] or none, got \"memcache://x\"");
}

TEST_F(Config, CacheKeyAndTtl) {
  Settings s;
  EXPECT_EQ(run(s, "VTJCacheKey", {"cache.key"}), "");
  EXPECT_EQ(s.cache_key_file, path("cache.key"));
  EXPECT_EQ(run("VTJCacheKey", {"short.key"}),
            "site.conf:7: VTJCacheKey: key file \"" + path("short.key") + "\" must hold at least 32 bytes");
  EXPECT_NE(run("VTJCacheKey", {"none.key"}), "");
  EXPECT_EQ(run(s, "VTJCacheTTL", {"300"}), "");
  EXPECT_EQ(s.cache_ttl, 300);
  EXPECT_EQ(s.not_found_ttl, 60);
  EXPECT_EQ(run(s, "VTJCacheTTL", {"0", "30"}), "");
  EXPECT_EQ(s.cache_ttl, 0);
  EXPECT_EQ(s.not_found_ttl, 30);
  EXPECT_EQ(run("VTJCacheTTL", {"ten"}),
            "site.conf:7: VTJCacheTTL: cache TTL must be a number of seconds, got \"ten\"");
  EXPECT_NE(run("VTJCacheTTL", {"10", "-5"}), "");
}

TEST_F(Config, HeadersAndPrefix) {
  Settings s;
  EXPECT_EQ(run(s, "VTJHeaderPrefix", {"X-Citizen-"}), "");
  EXPECT_EQ(s.header_prefix, "X-Citizen-");
  EXPECT_EQ(run("VTJHeaderPrefix", {"Bad Prefix"}),
            "site.conf:7: VTJHeaderPrefix: the prefix must be a valid header name (letters, digits, -), got "
            "\"Bad Prefix\"");
  EXPECT_NE(run("VTJHeaderPrefix", {""}), "");
  EXPECT_EQ(run(s, "VTJHeader", {"surname", "X-Last"}), "");
  EXPECT_EQ(run(s, "VTJHeader", {"Kotikunta/KuntaR", "X-Kommun"}), "");
  ASSERT_EQ(s.headers.size(), 2u);
  EXPECT_EQ(s.headers[1].field, "Kotikunta/KuntaR");
  EXPECT_EQ(s.headers[1].header, "X-Kommun");
  EXPECT_EQ(run("VTJHeader", {"Kotikunta/../x", "X-A"}),
            "site.conf:7: VTJHeader: expected a field name (hetu, surname, ...) or a path of element names "
            "such as Kotikunta/KuntaR, got \"Kotikunta/../x\"");
  EXPECT_NE(run("VTJHeader", {"surname", "X:Last"}), "");
  EXPECT_NE(run("VTJHeader", {"surname", "X-Last\r\nEvil: 1"}), "");
  EXPECT_NE(run("VTJHeader", {"given-names/", "X-A"}), "");
  EXPECT_EQ(run("VTJHeader", {"hetu", "authorization"}),
            "site.conf:7: VTJHeader: the header name must not be a standard HTTP header (Authorization), got "
            "\"authorization\"");
}

TEST_F(Config, ConfigErrorFormatting) {
  EXPECT_EQ((ConfigError{Source{"a.conf", 3, ""}, "VTJ", "m"}).to_string(), "a.conf:3: VTJ: m");
  EXPECT_EQ((ConfigError{Source{"a.conf", 0, ""}, "", "m"}).to_string(), "a.conf: m");
  EXPECT_EQ((ConfigError{Source{}, "VTJ", "m"}).to_string(), "VTJ: m");
}

TEST_F(Config, MergeChildWins) {
  Settings parent;
  ASSERT_EQ(run(parent, "VTJ", {"On"}), "");
  ASSERT_EQ(run(parent, "VTJProduct", {"P1"}), "");
  ASSERT_EQ(run(parent, "VTJHeader", {"surname", "X-Last"}), "");
  ASSERT_EQ(run(parent, "VTJCitizenIssuer", {"issuer1.pem"}), "");
  Settings child;
  ASSERT_EQ(run(child, "VTJ", {"Off"}), "");
  ASSERT_EQ(run(child, "VTJTimeout", {"100", "200"}), "");
  ASSERT_EQ(run(child, "VTJHeader", {"hetu", "X-Id"}), "");

  Settings m = merge(parent, child);
  EXPECT_FALSE(m.enabled);               // child set it
  EXPECT_EQ(m.product, "P1");            // inherited
  EXPECT_EQ(m.connect_timeout_ms, 100);  // child set it
  EXPECT_EQ(m.total_timeout_ms, 200);
  ASSERT_EQ(m.headers.size(), 1u);  // the child's list replaces the parent's
  EXPECT_EQ(m.headers[0].header, "X-Id");
  EXPECT_EQ(m.citizen_issuers.size(), 1u);
  EXPECT_TRUE(m.is_set(Directive::Product));
  EXPECT_TRUE(m.is_set(Directive::Timeout));
  EXPECT_FALSE(m.is_set(Directive::Cache));

  // An unset child value does not reset the parent's to the default.
  Settings empty;
  Settings m2 = merge(parent, empty);
  EXPECT_TRUE(m2.enabled);
  EXPECT_EQ(m2.headers.size(), 1u);
}

}  // namespace
}  // namespace vtj::config
