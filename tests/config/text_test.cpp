// The text helpers: strict UTF-8 text checks, tokens, message quoting, and that no character class in
// config or render depends on the process locale.

#include "config/text.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/latin1_locale.hpp"

namespace vtj::config {
namespace {

constexpr size_t npos = std::string::npos;

TEST(Text, CheckedTextCountsCodePoints) {
  EXPECT_EQ(checked_text("portal"), 6u);
  EXPECT_EQ(checked_text("Jyväskylä"), 9u);
  EXPECT_EQ(checked_text("\xE2\x82\xAC"), 1u);      // U+20AC
  EXPECT_EQ(checked_text("\xF0\x9F\x98\x80"), 1u);  // U+1F600
  EXPECT_EQ(checked_text("\xF4\x8F\xBF\xBD"), 1u);  // U+10FFFD, the last valid plane
  EXPECT_EQ(checked_text("a\tb"), 3u);              // TAB is text
  EXPECT_EQ(checked_text(""), 0u);
}

TEST(Text, CheckedTextRefusesInvalidUtf8) {
  for (const char* bad : {
           "\xC0\xAF",          // overlong '/'
           "\xC1\xBF",          // overlong
           "\xE0\x80\x80",      // overlong NUL
           "\xE0\x9F\xBF",      // overlong U+07FF
           "\xF0\x8F\xBF\xBF",  // overlong U+FFFF
           "\xED\xA0\x80",      // surrogate U+D800
           "\xED\xBF\xBF",      // surrogate U+DFFF
           "\xF4\x90\x80\x80",  // U+110000
           "\xF5\x80\x80\x80",  // F5-F7 lead bytes
           "\xF7\xBF\xBF\xBF",
           "\xF8\x88\x80\x80\x80",
           "\xFE",
           "\xFF",
           "\x80",      // lone continuation byte
           "\xC3",      // truncated
           "\xE2\x82",  // truncated
           "\xC3\x28",  // bad continuation
           "\xE4",
           "\xC4",  // Latin-1 ä, Ä
       }) {
    std::string problem;
    EXPECT_EQ(checked_text(std::string("ok") + bad, &problem), npos) << quote(bad);
    EXPECT_EQ(problem, "invalid UTF-8 at byte 3") << quote(bad);
  }
}

TEST(Text, CheckedTextRefusesControlsAndNoncharacters) {
  for (const std::string& bad :
       {std::string("\0", 1), std::string("\x01"), std::string("\n"), std::string("\r"), std::string("\x1B"),
        std::string("\x1F"), std::string("\x7F"), std::string("\xC2\x80"), std::string("\xC2\x85"),
        std::string("\xC2\x9F")}) {
    std::string problem;
    EXPECT_EQ(checked_text("ä" + bad + "x", &problem), npos) << quote(bad);
    EXPECT_EQ(problem, "control character at character 2") << quote(bad);
  }
  std::string problem;
  EXPECT_EQ(checked_text("ab\xEF\xBF\xBE", &problem), npos);
  EXPECT_EQ(problem, "noncharacter at character 3");
  EXPECT_EQ(checked_text("\xEF\xBF\xBF"), npos);
  EXPECT_EQ(checked_text("\xC2\xA0"), 1u);      // U+00A0, just past C1
  EXPECT_EQ(checked_text("\xEF\xBF\xBD"), 1u);  // U+FFFD
}

TEST(Text, QuoteEscapesWhatIsNotText) {
  EXPECT_EQ(quote("Jyväskylä"), "\"Jyväskylä\"");
  EXPECT_EQ(quote("a\r\n\"\\"), "\"a\\x0D\\x0A\\x22\\x5C\"");
  EXPECT_EQ(quote("a\xC2\x85z"), "\"a\\xC2\\x85z\"");  // C1 control
  EXPECT_EQ(quote("\xE4\xE0\x80\x80"), "\"\\xE4\\xE0\\x80\\x80\"");
  EXPECT_EQ(quote(std::string(81, 'x')), "\"" + std::string(80, 'x') + "\"...");
  // Never cut inside a character.
  EXPECT_EQ(quote(std::string(79, 'x') + "ä"), "\"" + std::string(79, 'x') + "\"...");
}

TEST(Text, AsciiClassesIgnoreTheLocale) {
  test_support::Latin1Locale latin1;
  for (int b = 0x80; b <= 0xFF; ++b) {
    char c = static_cast<char>(b);
    EXPECT_FALSE(is_ascii_alpha(c) || is_ascii_digit(c) || is_ascii_alnum(c)) << b;
    EXPECT_EQ(ascii_lower(c), c) << b;
    EXPECT_EQ(ascii_upper(c), c) << b;
    EXPECT_FALSE(is_token(std::string("X-") + c)) << b;
  }
  EXPECT_FALSE(iequals("\xC4", "\xE4"));
  EXPECT_TRUE(iequals("Surname", "SURNAME"));
}

TEST(Text, TokenIsTchars) {
  EXPECT_TRUE(is_token("VTJ-Given-Names"));
  EXPECT_TRUE(is_token("x!#$%&'*+-.^_`|~9"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("X Last"));
  EXPECT_FALSE(is_token("X:Last"));
  EXPECT_FALSE(is_token("X-\xE4"));
  EXPECT_FALSE(is_token("X-\xC3\xA4"));
}

// A line that includes a locale-dependent header or calls a <cctype> classification (isalnum(...),
// std::tolower (...)); std::regex is avoided here for GCC 12's false warnings under the sanitizers.
bool uses_locale_classification(std::string_view line) {
  for (std::string_view header : {"<cctype>", "<ctype.h>", "<cwctype>", "<wctype.h>", "<locale>"}) {
    if (line.find("#include") != std::string_view::npos && line.find(header) != std::string_view::npos) {
      return true;
    }
  }
  for (std::string_view fn : {"isalnum", "isalpha", "isdigit", "isxdigit", "isspace", "isblank", "isupper",
                              "islower", "isprint", "isgraph", "ispunct", "iscntrl", "tolower", "toupper"}) {
    for (size_t at = line.find(fn); at != std::string_view::npos; at = line.find(fn, at + 1)) {
      bool word_start = at == 0 || !(is_ascii_alnum(line[at - 1]) || line[at - 1] == '_');
      size_t next = line.find_first_not_of(' ', at + fn.size());
      if (word_start && next != std::string_view::npos && line[next] == '(') {
        return true;
      }
    }
  }
  return false;
}

// <cctype> follows the process locale (a web server may run under fi_FI.ISO-8859-1); config and render
// classify with the ASCII helpers of config/text.hpp only. This check fails as soon as one comes back.
TEST(Text, NoLocaleDependentClassificationInConfigOrRender) {
  EXPECT_TRUE(uses_locale_classification("    if (std::isalnum(u) != 0 || c == '-') {"));
  EXPECT_TRUE(uses_locale_classification("c = tolower (c);"));
  EXPECT_TRUE(uses_locale_classification("#include <cctype>"));
  EXPECT_FALSE(uses_locale_classification("if (is_ascii_alnum(c)) {"));
  EXPECT_FALSE(uses_locale_classification("// plain ASCII ranges, never <cctype>"));

  namespace fs = std::filesystem;
  const fs::path root = VTJ_SOURCE_DIR;
  std::vector<fs::path> files = {root / "include/vtj/config.hpp", root / "include/vtj/render.hpp"};
  for (const char* dir : {"src/config", "src/render"}) {
    for (const fs::directory_entry& e : fs::directory_iterator(root / dir)) {
      files.push_back(e.path());
    }
  }
  for (const fs::path& f : files) {
    std::ifstream in(f);
    ASSERT_TRUE(in) << f;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      EXPECT_FALSE(uses_locale_classification(line)) << f.string() << ":" << n << ": " << line;
    }
  }
}

}  // namespace
}  // namespace vtj::config
