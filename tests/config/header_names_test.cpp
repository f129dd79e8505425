// VTJHeaderPrefix and VTJHeader names against the standard request headers the module must never own.

#include "config/header_names.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "config/config_fixture.hpp"
#include "config/latin1_locale.hpp"
#include "vtj/render.hpp"

namespace vtj::config {
namespace {

using test_support::Config;

// A few names of each family and every single name of the list: none may be scrubbed under an accepted
// prefix.
const char* const kStandard[] = {"Accept",
                                 "Accept-Encoding",
                                 "Accept-Language",
                                 "Authorization",
                                 "Cache-Control",
                                 "Connection",
                                 "Content-Length",
                                 "Content-Type",
                                 "Cookie",
                                 "Date",
                                 "Expect",
                                 "Forwarded",
                                 "From",
                                 "Host",
                                 "If-Match",
                                 "If-None-Match",
                                 "If-Modified-Since",
                                 "Keep-Alive",
                                 "Origin",
                                 "Pragma",
                                 "Proxy-Authorization",
                                 "Proxy-Connection",
                                 "Range",
                                 "Referer",
                                 "Sec-Fetch-Mode",
                                 "Sec-CH-UA",
                                 "TE",
                                 "Trailer",
                                 "Transfer-Encoding",
                                 "Upgrade",
                                 "User-Agent",
                                 "Via",
                                 "Warning",
                                 "X-Forwarded-For",
                                 "X-Forwarded-Proto",
                                 "X-Real-IP"};

TEST_F(Config, PrefixMustNotCoverAStandardHeader) {
  EXPECT_EQ(
      run("VTJHeaderPrefix", {"Co"}),
      "site.conf:7: VTJHeaderPrefix: the prefix must not cover a standard HTTP header (Connection), got "
      "\"Co\"");
  EXPECT_EQ(run("VTJHeaderPrefix", {"Cook"}),
            "site.conf:7: VTJHeaderPrefix: the prefix must not cover a standard HTTP header (Cookie), got "
            "\"Cook\"");
  for (const char* bad : {"X-",
                          "x_",
                          "Acc",
                          "Accept",
                          "Accept-",
                          "Au",
                          "content_",
                          "If-",
                          "Sec-",
                          "Sec-VTJ-",
                          "Proxy-VTJ-",
                          "Content-VTJ-",
                          "X-Forwarded-",
                          "X-Forwarded-VTJ-",
                          "X-Real",
                          "Us",
                          "TE",
                          "te",
                          "Tr",
                          "Host",
                          "Ho",
                          "Or",
                          "Via",
                          "Ra",
                          "Re",
                          "Fo",
                          "Fr"}) {
    std::string e = run("VTJHeaderPrefix", {bad});
    EXPECT_NE(e.find("must not cover a standard HTTP header"), std::string::npos) << bad << ": " << e;
  }
}

TEST_F(Config, PrefixAtLeastTwoCharacters) {
  EXPECT_EQ(run("VTJHeaderPrefix", {"V"}),
            "site.conf:7: VTJHeaderPrefix: the prefix must be at least 2 characters, got \"V\"");
  EXPECT_NE(run("VTJHeaderPrefix", {"-"}), "");
  EXPECT_NE(run("VTJHeaderPrefix", {""}), "");
}

TEST_F(Config, AcceptedPrefixesScrubNoStandardHeader) {
  for (const char* good : {"VTJ-", "vtj_", "VTJ", "X-Citizen-", "X-VTJ-", "Citizen-", "Kansalainen-"}) {
    Settings s;
    ASSERT_EQ(run(s, "VTJHeaderPrefix", {good}), "") << good;
    EXPECT_EQ(s.header_prefix, good);
    for (const char* h : kStandard) {
      EXPECT_FALSE(render::collides(h, s)) << good << " scrubs " << h;
    }
  }
}

TEST_F(Config, PrefixWithLatin1LetterIsRefused) {
  test_support::Latin1Locale latin1;  // where <cctype> would take 0xE4 for a letter
  EXPECT_EQ(run("VTJHeaderPrefix", {"VTJ\xE4-"}),
            "site.conf:7: VTJHeaderPrefix: the prefix must be a valid header name (letters, digits, -), got "
            "\"VTJ\\xE4-\"");
  EXPECT_NE(run("VTJHeaderPrefix", {"VTJ\xC4-"}), "");
}

TEST_F(Config, HeaderNameMustNotBeAStandardHeader) {
  for (const char* bad : kStandard) {
    std::string e = run("VTJHeader", {"hetu", bad});
    EXPECT_NE(e.find("must not be a standard HTTP header"), std::string::npos) << bad << ": " << e;
  }
  EXPECT_EQ(run("VTJHeader", {"hetu", "content_md5"}),
            "site.conf:7: VTJHeader: the header name must not be a standard HTTP header (Content-*), got "
            "\"content_md5\"");
  EXPECT_EQ(run("VTJHeader", {"hetu", "COOKIE"}),
            "site.conf:7: VTJHeader: the header name must not be a standard HTTP header (Cookie), got "
            "\"COOKIE\"");
  for (const char* good : {"X-Last", "X-Hetu", "Cookies-Accepted", "X-Forwarded", "Citizen-Id", "Hostname"}) {
    EXPECT_EQ(run("VTJHeader", {"hetu", good}), "") << good;
  }
}

TEST_F(Config, HeaderNameWithLatin1LetterIsRefused) {
  test_support::Latin1Locale latin1;
  EXPECT_EQ(run("VTJHeader", {"surname", "X-Sukunimi-\xE4"}),
            "site.conf:7: VTJHeader: the header name must be a valid header name (letters, digits, -), got "
            "\"X-Sukunimi-\\xE4\"");
  EXPECT_NE(run("VTJHeader", {"surname", "X-\xC4"}), "");
  EXPECT_NE(run("VTJHeader", {"surname", "X-\xC3\xA4"}), "");
}

TEST_F(Config, DocsListEveryReservedHeader) {
  std::ifstream in(std::string(VTJ_SOURCE_DIR) + "/docs/directives.md");
  ASSERT_TRUE(in);
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const std::string& r : reserved_headers()) {
    EXPECT_NE(doc.find("`" + r + "`"), std::string::npos) << r;
  }
}

}  // namespace
}  // namespace vtj::config
