// load_file(), check_complete() and the directive reference in docs/.

#include "vtj/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "config/config_fixture.hpp"

namespace vtj::config {
namespace {

using test_support::Config;
using test_support::kSecret;
namespace fs = std::filesystem;

TEST_F(Config, LoadFile) {
  std::string conf = write("vtj.conf",
                           "# the register\n"
                           "\n"
                           "   VTJ On\n"
                           "VTJRegisterURL https://vtj.example.fi/sosowebsite/soso.asmx\n"
                           "VTJClientCertificate cert.pem key.pem\n"
                           "VTJRegisterCA \"ca.pem\"\n"
                           "VTJCredentials portal password\n"
                           "VTJProduct PERUSSANOMA3\n"
                           "VTJEndUser \"portal of \\\"X\\\"\"\r\n"
                           "VTJTimeout 1000 \\\n"
                           "           5000\n"
                           "\tVTJHeader given-names 'X-First'\n"
                           "VTJCitizenIssuer issuer1.pem\n"
                           "VTJCitizenIssuer issuer2.pem\n");
  auto r = load_file(conf);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const Settings& s = *r;
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.client_cert, path("cert.pem"));
  EXPECT_EQ(s.client_key, path("key.pem"));
  EXPECT_EQ(s.register_ca, path("ca.pem"));
  EXPECT_EQ(s.password, kSecret);
  EXPECT_EQ(s.end_user, "portal of \"X\"");
  EXPECT_EQ(s.connect_timeout_ms, 1000);
  EXPECT_EQ(s.total_timeout_ms, 5000);
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.headers[0].header, "X-First");
  EXPECT_EQ(s.citizen_issuers.size(), 2u);
  EXPECT_EQ(s.set_at[static_cast<size_t>(Directive::Product)].line, 8);
  EXPECT_FALSE(check_complete(s).has_value());
  EXPECT_EQ(s.describe_redacted().find(kSecret), std::string::npos);
}

TEST_F(Config, LoadFileErrorsNameFileAndLine) {
  std::string conf = write("bad.conf", "# comment\nVTJ On\n\nVTJTimeout abc 1000\n");
  auto r = load_file(conf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(),
            conf + ":4: VTJTimeout: connect timeout must be a positive number of milliseconds, got \"abc\"");

  r = load_file(write("unknown.conf", "VTJ On\nSSLEngine on\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), path("unknown.conf") + ":2: SSLEngine: unknown directive \"SSLEngine\"");

  r = load_file(write("quote.conf", "VTJEndUser \"unterminated\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), path("quote.conf") + ":1: unterminated quoted argument");

  r = load_file(path("absent.conf"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), path("absent.conf") + ": cannot read the configuration file");
}

TEST_F(Config, LoadFileRelativeToConfigDirectory) {
  fs::create_directory(dir_ / "sub");
  write("sub/local.pem", "x");
  auto r = load_file(write("sub/site.conf", "VTJRegisterCA local.pem\nVTJCitizenIssuer ../issuer1.pem\n"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->register_ca, path("sub/local.pem"));
  EXPECT_EQ(r->citizen_issuers[0], path("issuer1.pem"));
}

TEST_F(Config, CheckComplete) {
  Settings s;
  auto e = check_complete(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->directive, "VTJRegisterURL");
  ASSERT_EQ(run(s, "VTJRegisterURL", {"https://vtj.example.fi/soso.asmx"}), "");
  ASSERT_EQ(run(s, "VTJProduct", {"P"}), "");
  ASSERT_EQ(run(s, "VTJCredentials", {"u", "password"}), "");
  ASSERT_EQ(run(s, "VTJEndUser", {"portal"}), "");
  e = check_complete(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->directive, "VTJClientCertificate");
  EXPECT_EQ(e->where.file, "site.conf");
  ASSERT_EQ(run(s, "VTJClientCertificate", {"cert.pem"}), "");
  EXPECT_EQ(check_complete(s)->directive, "VTJRegisterCA");
  ASSERT_EQ(run(s, "VTJRegisterCA", {"ca.pem"}), "");
  EXPECT_FALSE(check_complete(s).has_value());

  Settings x = s;
  ASSERT_EQ(run(x, "VTJTransport", {"xroad"}), "");
  EXPECT_EQ(check_complete(x)->directive, "VTJXRoadClient");
  ASSERT_EQ(run(x, "VTJXRoadClient", {"FI/MUN/0123456-7/portal"}), "");
  EXPECT_FALSE(check_complete(x).has_value());

  // X-Road over plain HTTP to the security server needs no client certificate.
  Settings h;
  ASSERT_EQ(run(h, "VTJTransport", {"xroad"}), "");
  ASSERT_EQ(run(h, "VTJRegisterURL", {"http://ss.local/"}), "");
  ASSERT_EQ(run(h, "VTJProduct", {"P"}), "");
  ASSERT_EQ(run(h, "VTJCredentials", {"u", "password"}), "");
  ASSERT_EQ(run(h, "VTJEndUser", {"portal"}), "");
  ASSERT_EQ(run(h, "VTJXRoadClient", {"FI/MUN/0123456-7/portal"}), "");
  EXPECT_FALSE(check_complete(h).has_value());
}

// `name` as Markdown writes code (push_back, not operator+: GCC 12 -O3 warns falsely on the latter).
std::string code(std::string_view name) {
  std::string out;
  out.push_back('`');
  out.append(name);
  out.push_back('`');
  return out;
}

TEST_F(Config, DocsListEveryDirective) {
  std::ifstream in(std::string(VTJ_SOURCE_DIR) + "/docs/directives.md");
  ASSERT_TRUE(in) << "docs/directives.md is missing";
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const DirectiveInfo& d : directives()) {
    EXPECT_NE(doc.find(code(d.name)), std::string::npos) << d.name;
    EXPECT_NE(doc.find(code(d.snake_name)), std::string::npos) << d.snake_name;
    EXPECT_NE(doc.find(std::string(d.default_value)), std::string::npos) << d.name;
  }
}

}  // namespace
}  // namespace vtj::config
