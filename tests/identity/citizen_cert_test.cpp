#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "identity/test_pki.hpp"
#include "vtj/identity_cert.hpp"

namespace vtj::identity {
namespace {

using testpki::Attr;
using testpki::CertSpec;
using testpki::kDay;
using testpki::kNow;
using testpki::Pki;

class CitizenCert : public ::testing::Test {
 protected:
  const Pki& pki_ = Pki::get();
  IssuerSet issuers_;

  void SetUp() override {
    ASSERT_TRUE(issuers_.add_data(testpki::to_pem(pki_.citizen_ca.get()), "test citizen CA").ok());
  }

  static CertSpec spec() { return testpki::citizen_spec("12345678N", "Maija Liisa", "MEIKÄLÄINEN"); }

  Result<CitizenCertificate, CertRejection> read(const std::string& data, int64_t now = kNow) const {
    return read_citizen_certificate(data, issuers_, now);
  }
  Result<CitizenCertificate, CertRejection> read_leaf(const CertSpec& s, bool ec = false) const {
    return read(testpki::to_pem(pki_.citizen_leaf(s, ec).get()));
  }
  CertError reason_of(const CertSpec& s) const {
    auto r = read_leaf(s);
    EXPECT_FALSE(r.ok());
    return r.ok() ? CertError::Unparseable : r.error().reason;
  }
};

TEST_F(CitizenCert, ReadsRsaLeafFromPem) {
  auto leaf = pki_.citizen_leaf(spec());
  auto c = read(testpki::to_pem(leaf.get()));
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->satu.str(), "12345678N");
  EXPECT_EQ(c->given_name, "Maija Liisa");
  EXPECT_EQ(c->surname, "MEIKÄLÄINEN");
  EXPECT_EQ(c->common_name, "MEIKÄLÄINEN Maija Liisa 12345678N");
  EXPECT_EQ(c->country, "FI");
  EXPECT_EQ(c->issuer_common_name, "DVV TEST Citizen Certificates - G4R");
  EXPECT_EQ(c->issuer_name, "CN=DVV TEST Citizen Certificates - G4R,O=Digi- ja vaestotietovirasto TEST,C=FI");
  EXPECT_EQ(c->der, testpki::to_der(leaf.get()));
  EXPECT_EQ(c->not_before, kNow - 30 * kDay);
  EXPECT_EQ(c->not_after, kNow + 5 * 365 * kDay);
}

TEST_F(CitizenCert, ReadsEcLeafFromDer) {
  auto leaf = pki_.citizen_leaf(spec(), /*ec=*/true);
  auto c = read(testpki::to_der(leaf.get()));
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->satu.str(), "12345678N");
  EXPECT_EQ(c->der, testpki::to_der(leaf.get()));
}

TEST_F(CitizenCert, Base64IsThePemBody) {
  auto leaf = pki_.citizen_leaf(spec());
  std::string pem = testpki::to_pem(leaf.get());
  std::string body;
  for (char ch : pem.substr(pem.find('\n') + 1, pem.find("-----END") - pem.find('\n') - 1)) {
    if (ch != '\n') {
      body += ch;
    }
  }
  auto c = read(pem);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->der_base64(), body);
}

TEST_F(CitizenCert, PemWithSurroundingTextIsAccepted) {
  std::string pem = testpki::to_pem(pki_.citizen_leaf(spec()).get());
  auto c = read("subject=...\n" + pem + "trailing junk \x01\x02 -----BEGIN nothing\n");
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->satu.str(), "12345678N");
}

TEST_F(CitizenCert, GarbageIsUnparseable) {
  std::string der = testpki::to_der(pki_.citizen_leaf(spec()).get());
  for (const std::string& junk :
       {std::string(), std::string("hello"),
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        der.substr(0, der.size() / 2), der + "x", std::string(300 * 1024, '\x30')}) {
    auto c = read(junk);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().reason, CertError::Unparseable) << c.error().detail;
  }
}

TEST_F(CitizenCert, ImpostorWithSameSubjectButOtherKeyIsRejected) {
  auto leaf =
      testpki::issue(spec(), pki_.leaf_rsa_key.get(), pki_.impostor_ca.get(), pki_.impostor_key.get());
  ASSERT_EQ(0, X509_NAME_cmp(X509_get_issuer_name(leaf.get()), X509_get_subject_name(pki_.citizen_ca.get())));
  auto c = read(testpki::to_pem(leaf.get()));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::IssuerNotAccepted);
  EXPECT_NE(c.error().detail.find("signature does not verify"), std::string::npos) << c.error().detail;
}

TEST_F(CitizenCert, OrganisationCaLeafIsRejected) {
  auto leaf = testpki::issue(spec(), pki_.leaf_rsa_key.get(), pki_.org_ca.get(), pki_.org_ca_key.get());
  auto c = read(testpki::to_pem(leaf.get()));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::IssuerNotAccepted);
  EXPECT_NE(c.error().detail.find("Organisational"), std::string::npos) << c.error().detail;
}

TEST_F(CitizenCert, EmptyIssuerSetAcceptsNothing) {
  auto c = read_citizen_certificate(testpki::to_pem(pki_.citizen_leaf(spec()).get()), IssuerSet(), kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::IssuerNotAccepted);
}

TEST_F(CitizenCert, MissingSerialNumberIsNoSatu) {
  CertSpec s = spec();
  s.subject.erase(s.subject.begin() + 1);
  EXPECT_EQ(reason_of(s), CertError::NoSatu);
}

TEST_F(CitizenCert, BadCheckCharacterIsBadSatuAndMasked) {
  auto c = read_leaf(testpki::citizen_spec("12345678M", "Matti", "MEIKÄLÄINEN"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::BadSatu);
  EXPECT_EQ(c.error().detail.find("12345678M"), std::string::npos) << c.error().detail;
  EXPECT_NE(c.error().detail.find("1234*****"), std::string::npos) << c.error().detail;
}

TEST_F(CitizenCert, SeveralDifferentSerialNumbersAreBadSatu) {
  CertSpec s = spec();
  s.subject.push_back(testpki::printable(NID_serialNumber, "10000350X"));
  EXPECT_EQ(reason_of(s), CertError::BadSatu);
}

TEST_F(CitizenCert, TestRangeSatuOnlyWhenAllowed) {
  std::string pem =
      testpki::to_pem(pki_.citizen_leaf(testpki::citizen_spec("99755053X", "Testi", "TESTAAJA")).get());
  auto strict = read(pem);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().reason, CertError::BadSatu);
  auto lenient = read_citizen_certificate(pem, issuers_, kNow, SatuRange::IncludingTest);
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(lenient->satu.str(), "99755053X");
  // The lenient answer is remembered, but not for the strict question.
  EXPECT_TRUE(read_citizen_certificate(pem, issuers_, kNow, SatuRange::IncludingTest).ok());
  EXPECT_EQ(read(pem).error().reason, CertError::BadSatu);
}

TEST_F(CitizenCert, RememberedCertificateStillExpires) {
  std::string pem = testpki::to_pem(pki_.citizen_leaf(spec()).get());
  auto first = read(pem);
  ASSERT_TRUE(first.ok());
  auto again = read(pem);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->der, first->der);
  EXPECT_EQ(again->common_name, first->common_name);
  EXPECT_EQ(read(pem, kNow + 6 * 365 * kDay).error().reason, CertError::Expired);
  EXPECT_EQ(read(pem, kNow - 31 * kDay).error().reason, CertError::NotYetValid);
  // Another set (without the citizen CA) never sees this set's remembered certificates.
  IssuerSet other;
  ASSERT_TRUE(other.add_data(testpki::to_pem(pki_.org_ca.get()), "org CA").ok());
  EXPECT_EQ(read_citizen_certificate(pem, other, kNow).error().reason, CertError::IssuerNotAccepted);
}

TEST_F(CitizenCert, CopiedSetKeepsAccepting) {
  std::string pem = testpki::to_pem(pki_.citizen_leaf(spec()).get());
  ASSERT_TRUE(read(pem).ok());
  IssuerSet copy = issuers_;
  EXPECT_TRUE(read_citizen_certificate(pem, copy, kNow).ok());
  ASSERT_TRUE(copy.add_data(testpki::to_pem(pki_.org_ca.get()), "org CA").ok());
  EXPECT_TRUE(read_citizen_certificate(pem, copy, kNow).ok());
  IssuerSet moved = std::move(copy);
  EXPECT_TRUE(read_citizen_certificate(pem, moved, kNow).ok());
}

TEST_F(CitizenCert, ValidityPeriod) {
  std::string pem = testpki::to_pem(pki_.citizen_leaf(spec()).get());
  EXPECT_EQ(read(pem, kNow - 31 * kDay).error().reason, CertError::NotYetValid);
  EXPECT_EQ(read(pem, kNow + 6 * 365 * kDay).error().reason, CertError::Expired);
  EXPECT_TRUE(read(pem, kNow - 30 * kDay).ok());
  EXPECT_TRUE(read(pem, kNow + 5 * 365 * kDay).ok());
  CertSpec expired = spec();
  expired.not_before = kNow - 800 * kDay;
  expired.not_after = kNow - kDay;
  EXPECT_EQ(reason_of(expired), CertError::Expired);
}

TEST_F(CitizenCert, SigningCertificateIsRejected) {
  CertSpec s = spec();
  s.extensions[0].second = "critical,nonRepudiation";
  auto c = read_leaf(s);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::KeyUsage);
  EXPECT_NE(c.error().detail.find("nonRepudiation"), std::string::npos);
}

TEST_F(CitizenCert, SigningUsageBesideDigitalSignatureIsRejected) {
  CertSpec s = spec();
  s.extensions[0].second = "critical,digitalSignature,nonRepudiation";
  auto c = read_leaf(s);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::KeyUsage);
}

TEST_F(CitizenCert, MissingKeyUsageIsRejected) {
  CertSpec s = spec();
  s.extensions.erase(s.extensions.begin());
  EXPECT_EQ(reason_of(s), CertError::KeyUsage);
}

TEST_F(CitizenCert, ServerOnlyExtendedKeyUsageIsRejected) {
  CertSpec s = spec();
  s.extensions[2].second = "serverAuth";
  EXPECT_EQ(reason_of(s), CertError::KeyUsage);
}

TEST_F(CitizenCert, CaCertificateIsNotCitizenProfile) {
  CertSpec s = spec();
  s.extensions.emplace_back(NID_basic_constraints, "critical,CA:TRUE");
  s.extensions[0].second = "critical,digitalSignature,keyCertSign,cRLSign";
  EXPECT_EQ(reason_of(s), CertError::NotCitizenProfile);
  CertSpec signer = spec();
  signer.extensions[0].second = "critical,digitalSignature,keyCertSign";
  EXPECT_EQ(reason_of(signer), CertError::NotCitizenProfile);
}

TEST_F(CitizenCert, ChecksRunInTheDocumentedOrder) {
  // Issuer before validity.
  CertSpec expired = spec();
  expired.not_after = kNow - kDay;
  auto foreign = testpki::issue(expired, pki_.leaf_rsa_key.get(), pki_.org_ca.get(), pki_.org_ca_key.get());
  EXPECT_EQ(read(testpki::to_pem(foreign.get())).error().reason, CertError::IssuerNotAccepted);
  // Validity before key usage, key usage before SATU.
  CertSpec all_bad = expired;
  all_bad.subject.erase(all_bad.subject.begin() + 1);
  all_bad.extensions[0].second = "critical,nonRepudiation";
  EXPECT_EQ(reason_of(all_bad), CertError::Expired);
  all_bad.not_after = kNow + kDay;
  EXPECT_EQ(reason_of(all_bad), CertError::KeyUsage);
}

TEST_F(CitizenCert, T61StringNamesAreLatin1) {
  CertSpec s = spec();
  s.subject = {testpki::printable(NID_countryName, "FI"), testpki::printable(NID_serialNumber, "12345678N"),
               Attr{NID_givenName, V_ASN1_T61STRING, "S\xE4rkk\xE4"},
               Attr{NID_surname, V_ASN1_T61STRING, "\xC5KERBL\xD6M"},
               Attr{NID_commonName, V_ASN1_T61STRING, "\xC5KERBL\xD6M S\xE4rkk\xE4 12345678N"}};
  auto c = read_leaf(s);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->given_name, "Särkkä");
  EXPECT_EQ(c->surname, "ÅKERBLÖM");
  EXPECT_EQ(c->common_name, "ÅKERBLÖM Särkkä 12345678N");
}

TEST_F(CitizenCert, Utf8AndBmpStringNames) {
  CertSpec s = spec();
  // "Zdeněk" in UTF-8 (ě is outside Latin-1) and "Łukasz" as a BMPString.
  s.subject[2] = testpki::utf8(NID_givenName, "Zden\xC4\x9Bk");
  s.subject[3] = Attr{NID_surname, V_ASN1_BMPSTRING,
                      std::string("\x01\x41\x00u\x00k\x00"
                                  "a\x00s\x00z",
                                  12)};
  auto c = read_leaf(s);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->given_name, "Zdeněk");
  EXPECT_EQ(c->surname, "Łukasz");
}

TEST_F(CitizenCert, ControlCharactersBecomeReplacementCharacters) {
  // Invalid UTF-8 cannot reach this point: OpenSSL refuses to parse such a name (asn1_text_test covers it).
  CertSpec s = spec();
  s.subject[2] = testpki::utf8(NID_givenName, std::string("A\r\nB\0C", 6));
  auto c = read_leaf(s);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->given_name,
            "A\xEF\xBF\xBD\xEF\xBF\xBD"
            "B\xEF\xBF\xBD"
            "C");
}

TEST_F(CitizenCert, ConcurrentReadsShareOneIssuerSet) {
  std::string rsa = testpki::to_pem(pki_.citizen_leaf(spec()).get());
  std::string ec = testpki::to_der(pki_.citizen_leaf(spec(), true).get());
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        accepted += read((t % 2) != 0 ? rsa : ec).ok() ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(accepted.load(), 100);
}

TEST(CertErrorNames, AreDistinct) {
  EXPECT_STREQ(to_string(CertError::Expired), "certificate expired");
  EXPECT_STRNE(to_string(CertError::NoSatu), to_string(CertError::BadSatu));
}

}  // namespace
}  // namespace vtj::identity
