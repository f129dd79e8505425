// Answers in ISO-8859-1: the declaration, the charset, Latin-1 bytes, and characters outside Latin-1 as
// character references that the core's parser turns back into the letters.

#include <gtest/gtest.h>

#include "sim_test_util.hpp"

namespace vtj::sim {
namespace {

using test::Via;

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

TEST(Encoding, ALatin1PersonIsAnsweredInLatin1) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    Reply reply = reg->answer(test::request_via(via, test::by_satu("100001095")));
    EXPECT_NE(reply.content_type.find("charset=ISO-8859-1"), std::string::npos) << reply.content_type;
    EXPECT_TRUE(reply.body.starts_with("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"));
    EXPECT_TRUE(contains(reply.body, "\xD6ster-\xC4ij\xE4l\xE4"));  // Öster-Äijälä in Latin-1 bytes
    EXPECT_TRUE(contains(reply.body, "\xC5sa M\xE4rta"));
    EXPECT_TRUE(contains(reply.body, "L\xF6ytyi"));  // the register's own texts too
    EXPECT_FALSE(contains(reply.body, "\xC3"));      // no UTF-8 lead byte of Latin-1 letters anywhere
    reg::Response r = test::parse(reply);
    ASSERT_TRUE(r.person);
    EXPECT_EQ(r.person->surname(), "Öster-Äijälä");
    EXPECT_EQ(r.person->given_names(), "Åsa Märta");
    EXPECT_EQ(r.person->street_address(), "Pyhäjärventie 5 ö");
    EXPECT_EQ(r.person->tree().value("Aidinkieli/KieliS"), "ruotsi");
  }
}

TEST(Encoding, LettersOutsideLatin1TravelAsCharacterReferences) {
  Options o = test::default_options();
  o.encoding = ResponseEncoding::Latin1;
  auto reg = test::load_register(o);
  ASSERT_NE(reg, nullptr);
  for (Via via : test::kAllVias) {
    SCOPED_TRACE(test::to_string(via));
    Reply reply = reg->answer(test::request_via(via, test::by_hetu("070777-910C")));
    EXPECT_NE(reply.content_type.find("charset=ISO-8859-1"), std::string::npos);
    EXPECT_TRUE(contains(reply.body, "Dvo&#345;\xE1k-&#352;&#357;astn\xE1"));
    EXPECT_TRUE(contains(reply.body, "Zde&#328;ka &#321;ucja"));
    EXPECT_TRUE(contains(reply.body, "t&#353;ekki"));
    reg::Response r = test::parse(reply);
    ASSERT_TRUE(r.person);
    EXPECT_EQ(r.person->surname(), "Dvořák-Šťastná");
    EXPECT_EQ(r.person->given_names(), "Zdeňka Łucja");
    EXPECT_EQ(r.person->calling_name(), "Zdeňka");
  }
}

TEST(Encoding, Utf8ByDefaultAndWhenForced) {
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  Reply reply = reg->answer(test::request_via(Via::Soso11, test::by_hetu("070777-910C")));
  EXPECT_EQ(reply.content_type, "text/xml; charset=utf-8");
  EXPECT_TRUE(reply.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
  EXPECT_TRUE(contains(reply.body, "Dvořák-Šťastná"));
  Reply x = reg->answer(test::request_via(Via::XRoad, test::by_hetu("070777-910C")));
  EXPECT_EQ(x.content_type, "text/xml; charset=utf-8");
  EXPECT_TRUE(x.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  Reply s12 = reg->answer(test::request_via(Via::Soso12, test::by_hetu("070777-910C")));
  EXPECT_EQ(s12.content_type, "application/soap+xml; charset=utf-8");
  EXPECT_TRUE(contains(s12.body, "xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""));

  Options o = test::default_options();
  o.encoding = ResponseEncoding::Utf8;
  auto forced = test::load_register(o);
  ASSERT_NE(forced, nullptr);
  Reply latin1_person = forced->answer(test::request_via(Via::Soso11, test::by_hetu("060666-9092")));
  EXPECT_EQ(latin1_person.content_type, "text/xml; charset=utf-8");
  EXPECT_TRUE(contains(latin1_person.body, "Öster-Äijälä"));
}

}  // namespace
}  // namespace vtj::sim
