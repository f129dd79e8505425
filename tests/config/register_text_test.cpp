// Text the register receives (VTJEndUser, the VTJCredentials password, username, product): checked when
// the configuration is read, so the error names the file and line.

#include <gtest/gtest.h>

#include "config/config_fixture.hpp"

namespace vtj::config {
namespace {

using test_support::Config;
using test_support::kSecret;

// Invalid UTF-8 and control characters that the old checks let through.
const char* const kBad[] = {
    "\xE0\x80\x80",      // overlong NUL
    "\xE0\x9F\xBF",      // overlong
    "\xED\xA0\x80",      // surrogate
    "\xF4\x90\x80\x80",  // above U+10FFFF
    "\xF5\x80\x80\x80",  // F5 lead byte
    "\xF7\xBF\xBF\xBF",  // F7 lead byte
    "\xC2\x85",          // C1 NEL
    "\xC2\x9B",          // C1 CSI
    "\xEF\xBF\xBE",      // U+FFFE
    "\xEF\xBF\xBF",      // U+FFFF
    "\x1B",              // ESC
    "\x7F",              // DEL
};

TEST_F(Config, EndUserIsStrictText) {
  for (const char* bad : kBad) {
    std::string e = run("VTJEndUser", {std::string("portal ") + bad});
    EXPECT_EQ(e.rfind("site.conf:7: VTJEndUser: the end user must be non-empty UTF-8 text without control "
                      "characters (",
                      0),
              0u)
        << e;
  }
  EXPECT_EQ(run("VTJEndUser", {"portal\xC2\x85x"}),
            "site.conf:7: VTJEndUser: the end user must be non-empty UTF-8 text without control characters "
            "(control character at character 7), got \"portal\\xC2\\x85x\"");
  EXPECT_EQ(run("VTJEndUser", {"ab\xF5\x80\x80\x80"}),
            "site.conf:7: VTJEndUser: the end user must be non-empty UTF-8 text without control characters "
            "(invalid UTF-8 at byte 3), got \"ab\\xF5\\x80\\x80\\x80\"");
  Settings s;
  EXPECT_EQ(run(s, "VTJEndUser", {"portal\tof Jyväskylä"}), "");  // TAB is allowed
  EXPECT_EQ(s.end_user, "portal\tof Jyväskylä");
}

TEST_F(Config, EndUserLimitCountsCodePoints) {
  std::string fifty;
  for (int i = 0; i < 50; ++i) {
    fifty += "\xF0\x9F\x98\x80";  // U+1F600: 50 code points, 200 bytes
  }
  Settings s;
  EXPECT_EQ(run(s, "VTJEndUser", {fifty}), "");
  EXPECT_EQ(run("VTJEndUser", {fifty + "\xE2\x82\xAC"}),
            "site.conf:7: VTJEndUser: the end user must be at most 50 characters, got 51");
}

TEST_F(Config, PasswordIsStrictTextAndNeverEchoed) {
  for (const char* bad : kBad) {
    std::string file = write("bad-password", std::string(kSecret) + bad + "\n");
    Settings s;
    std::string e = run(s, "VTJCredentials", {"portal", "bad-password"});
    EXPECT_EQ(e, "site.conf:7: VTJCredentials: password file \"" + file +
                     "\" must hold UTF-8 text without control characters on its first line");
    EXPECT_EQ(e.find(kSecret), std::string::npos);
    EXPECT_EQ(s.password, "");
  }
  write("tab-password", std::string(kSecret) + "\tx\n");
  Settings s;
  EXPECT_EQ(run(s, "VTJCredentials", {"portal", "tab-password"}), "");
  EXPECT_EQ(s.password, std::string(kSecret) + "\tx");
}

TEST_F(Config, UsernameAndProductAreValidUtf8) {
  EXPECT_EQ(run("VTJCredentials", {"port\xE0\x80\x80", "password"}),
            "site.conf:7: VTJCredentials: the username must be non-empty printable UTF-8 text, got "
            "\"port\\xE0\\x80\\x80\"");
  EXPECT_NE(run("VTJCredentials", {"portal\xC2\x85", "password"}), "");
  EXPECT_NE(run("VTJProduct", {"PERUS\xF5\x80\x80\x80"}), "");
  EXPECT_NE(run("VTJProduct", {"PERUS\xC2\x9B"}), "");
  EXPECT_EQ(run("VTJProduct", {"Perustiedot Jyväskylä"}), "");
}

}  // namespace
}  // namespace vtj::config
