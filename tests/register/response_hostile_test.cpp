// Hostile and broken input: each refused with its typed error, quickly, without deep recursion.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "register/test_util.hpp"
#include "register/xml_reader.hpp"
#include "vtj/register_response.hpp"

namespace vtj::reg {
namespace {

using test::seconds_for;

constexpr double kQuick = 2.0;  // seconds: generous, machines are noisy

ParseErrorKind refused(std::string_view bytes, const ParseLimits& limits = {}) {
  auto r = parse_response(bytes, limits);
  EXPECT_FALSE(r.ok());
  return r.ok() ? ParseErrorKind::Empty : r.error().kind;
}

const char* kResponseTail =
    "<VTJHenkiloVastaussanoma sanomatunnus=\"X\"><Paluukoodi koodi=\"0000\">ok</Paluukoodi>"
    "<Henkilo><Henkilotunnus>010190-999W</Henkilotunnus></Henkilo></VTJHenkiloVastaussanoma>";

TEST(ResponseHostile, ExternalEntityRefused) {
  std::string doc =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<VTJHenkiloVastaussanoma><Paluukoodi koodi=\"0000\">&x;</Paluukoodi></VTJHenkiloVastaussanoma>";
  EXPECT_EQ(refused(doc), ParseErrorKind::Doctype);
}

TEST(ResponseHostile, BillionLaughsRefused) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) {
      doc += i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
    }
    doc += "\">";
  }
  doc += "]><lolz>&lol9;</lolz>";
  double t = seconds_for([&] { EXPECT_EQ(refused(doc), ParseErrorKind::Doctype); });
  EXPECT_LT(t, kQuick);
}

TEST(ResponseHostile, DoctypeAloneRefused) {
  EXPECT_EQ(refused(std::string("<!DOCTYPE VTJHenkiloVastaussanoma>") + kResponseTail),
            ParseErrorKind::Doctype);
  EXPECT_EQ(refused("<!DOCTYPE x SYSTEM \"http://example.invalid/x.dtd\"><x/>"), ParseErrorKind::Doctype);
}

// The second line: with the byte scan switched off, Xerces itself refuses every DOCTYPE.
TEST(ResponseHostile, ParserRefusesDoctypeWithoutByteScan) {
  for (std::string doc :
       {std::string("<!DOCTYPE VTJHenkiloVastaussanoma>") + kResponseTail,
        std::string("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    "<r>&x;</r>"),
        std::string("<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]><r>&b;</r>")}) {
    auto r = detail::read_xml(doc, {}, /*byte_prescan=*/false);
    ASSERT_FALSE(r.ok()) << doc;
    EXPECT_EQ(r.error().kind, ParseErrorKind::Doctype) << r.error().detail;
  }
}

TEST(ResponseHostile, UndeclaredEntityIsMalformed) {
  EXPECT_EQ(refused("<VTJHenkiloVastaussanoma>&x;</VTJHenkiloVastaussanoma>"), ParseErrorKind::Malformed);
}

TEST(ResponseHostile, DeepNestingRefusedQuickly) {
  std::string doc;
  const int depth = 100000;
  doc.reserve(depth * 7 + 16);
  for (int i = 0; i < depth; ++i) {
    doc += "<a>";
  }
  for (int i = 0; i < depth; ++i) {
    doc += "</a>";
  }
  double t = seconds_for([&] { EXPECT_EQ(refused(doc), ParseErrorKind::TooDeep); });
  EXPECT_LT(t, kQuick);
  // Unclosed nesting is refused the same way, before the scanner finds the missing end tags.
  std::string open_only(depth * 3, ' ');
  for (int i = 0; i < depth; ++i) {
    open_only.replace(static_cast<size_t>(i) * 3, 3, "<a>");
  }
  EXPECT_EQ(refused(open_only), ParseErrorKind::TooDeep);
}

TEST(ResponseHostile, DepthLimitIsExact) {
  ParseLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(detail::read_xml("<a><b><c/></b></a>", limits).ok());
  auto r = detail::read_xml("<a><b><c><d/></c></b></a>", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ParseErrorKind::TooDeep);
}

TEST(ResponseHostile, FiftyMegabytesRefusedBeforeParsing) {
  std::string doc(50u * 1024 * 1024, 'a');
  doc.replace(0, 3, "<a>");
  double t = seconds_for([&] { EXPECT_EQ(refused(doc), ParseErrorKind::TooLarge); });
  EXPECT_LT(t, 0.1);  // the size check comes first: no byte is scanned
}

TEST(ResponseHostile, ManySiblingsRefused) {
  std::string doc = "<r>";
  for (int i = 0; i < 200000; ++i) {
    doc += "<a/>";
  }
  doc += "</r>";
  ASSERT_LT(doc.size(), ParseLimits{}.max_bytes);
  double t = seconds_for([&] { EXPECT_EQ(refused(doc), ParseErrorKind::TooManyElements); });
  EXPECT_LT(t, kQuick);
}

TEST(ResponseHostile, Utf16Refused) {
  std::string ascii = std::string("<?xml version=\"1.0\" encoding=\"UTF-16\"?>") + kResponseTail;
  std::string le = "\xFF\xFE";
  std::string be = "\xFE\xFF";
  std::string le_no_bom;
  for (char c : ascii) {
    le += c;
    le += '\0';
    be += '\0';
    be += c;
    le_no_bom += c;
    le_no_bom += '\0';
  }
  EXPECT_EQ(refused(le), ParseErrorKind::Encoding);
  EXPECT_EQ(refused(be), ParseErrorKind::Encoding);
  EXPECT_EQ(refused(le_no_bom), ParseErrorKind::Encoding);
  // Declared UTF-16 but written in single bytes: still not an accepted encoding.
  EXPECT_EQ(refused(ascii), ParseErrorKind::Encoding);
}

TEST(ResponseHostile, OtherEncodingsRefused) {
  EXPECT_EQ(refused(std::string("<?xml version=\"1.0\" encoding=\"windows-1252\"?>") + kResponseTail),
            ParseErrorKind::Encoding);
  EXPECT_EQ(refused(std::string("<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?>") + kResponseTail),
            ParseErrorKind::Encoding);
  // Declared (or defaulted to) UTF-8 but holding a Latin-1 byte.
  EXPECT_EQ(refused("<VTJHenkiloVastaussanoma>L\xF6ytyi</VTJHenkiloVastaussanoma>"),
            ParseErrorKind::Encoding);
}

TEST(ResponseHostile, Latin1AliasesAccepted) {
  for (const char* name : {"ISO-8859-1", "iso-8859-1", "ISO8859-1", "ISO_8859-1", "latin1", "Latin-1", "L1",
                           "CP819", "ISO-IR-100"}) {
    std::string doc = std::string("<?xml version=\"1.0\" encoding='") + name +
                      "'?><VTJHenkiloVastaussanoma><Paluukoodi koodi=\"0000\">L\xF6ytyi</Paluukoodi>"
                      "<Henkilo><Henkilotunnus>020501A999T</"
                      "Henkilotunnus><NykyinenSukunimi><Sukunimi>J\xE4ppinen</Sukunimi>"
                      "</NykyinenSukunimi></Henkilo>"
                      "</VTJHenkiloVastaussanoma>";
    auto r = parse_response(doc);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().detail;
    EXPECT_EQ(r->message, "Löytyi") << name;
    EXPECT_EQ(r->person->surname(), "Jäppinen") << name;
  }
  auto ascii = parse_response(std::string("<?xml version=\"1.0\" encoding=\"US-ASCII\"?>") + kResponseTail);
  EXPECT_TRUE(ascii.ok());
}

TEST(ResponseHostile, Utf8BomAccepted) {
  auto r =
      parse_response(std::string("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>") + kResponseTail);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->outcome, Outcome::Found);
}

TEST(ResponseHostile, TruncatedDocument) {
  std::string doc = test::read_sample("evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml");
  for (size_t cut : {doc.size() / 2, doc.size() - 20, size_t{60}}) {
    EXPECT_EQ(refused(doc.substr(0, cut)), ParseErrorKind::Malformed) << cut;
  }
}

TEST(ResponseHostile, GarbageAndEmpty) {
  EXPECT_EQ(refused(""), ParseErrorKind::Empty);
  EXPECT_EQ(refused(" \r\n\t "), ParseErrorKind::Empty);
  EXPECT_EQ(refused("HTTP/1.1 502 Bad Gateway"), ParseErrorKind::Malformed);
  EXPECT_EQ(refused("{\"not\": \"xml\"}"), ParseErrorKind::Malformed);
  EXPECT_EQ(refused("<a></b>"), ParseErrorKind::Malformed);
  EXPECT_EQ(refused("<a/><b/>"), ParseErrorKind::Malformed);
  EXPECT_EQ(refused(std::string("<a>\0</a>", 8)), ParseErrorKind::Malformed);
  EXPECT_EQ(refused("<html><body>Service Unavailable</body></html>"), ParseErrorKind::NotAResponse);
}

TEST(ResponseHostile, ErrorDetailsMaskIdentityCodes) {
  // Xerces quotes the element names in its message; one of them carries a hetu.
  auto r = parse_response("<VTJHenkiloVastaussanoma><X010190-9998></Y></VTJHenkiloVastaussanoma>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("X010190-****"), std::string::npos) << r.error().detail;
  EXPECT_EQ(r.error().detail.find("010190-9998"), std::string::npos) << r.error().detail;
}

TEST(ResponseHostile, ManyParsesFromManyThreads) {
  std::string doc = test::read_sample("evaka_PERUSSANOMA3_020501A999T_Albert_Kristian_Jappinen.xml");
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto r = parse_response(doc);
        if (r.ok() && r->person && r->person->surname() == "Jäppinen") {
          ++good;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(good.load(), 200);
}

}  // namespace
}  // namespace vtj::reg
