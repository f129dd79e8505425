// The register's checks of a citizen certificate sent in X509Certificate (0012-0016, 0008), with a PKI
// made in the test.

#include <gtest/gtest.h>

#include "sim_test_pki.hpp"
#include "sim_test_util.hpp"

namespace vtj::sim {
namespace {

using test::Via;
namespace pki = testpki;

struct Material {
  pki::Ca citizen = pki::make_ca("DVV TEST Citizen Certificates - G4R", pki::KeyPtr(EVP_RSA_gen(2048)));
  pki::Ca citizen_ec = pki::make_ca("DVV TEST Citizen Certificates - G4E", pki::KeyPtr(EVP_EC_gen("P-256")));
  // Same name and key type as the real one (OpenSSL's issuer check already tells key types apart): only
  // the signature can unmask it.
  pki::Ca impostor = pki::make_ca("DVV TEST Citizen Certificates - G4R", pki::KeyPtr(EVP_RSA_gen(2048)));
  pki::Ca organisation =
      pki::make_ca("DVV TEST Organisational Certificates", pki::KeyPtr(EVP_EC_gen("P-256")));
  pki::KeyPtr leaf_key{EVP_EC_gen("P-256")};

  std::string cert(const pki::Ca& ca, const std::string& satu, long serial, long from = -30,
                   long to = 365) const {
    return pki::base64_der(pki::make_citizen(ca, leaf_key.get(), satu, serial, from, to).get());
  }

  static const Material& get() {
    static const Material m;
    return m;
  }
};

class Certificates : public ::testing::TestWithParam<Via> {
 protected:
  void SetUp() override {
    const Material& m = Material::get();
    Options o = test::default_options();
    o.citizen_ca_files = {
        pki::write_pem(dir_.file("citizen-issuers.pem"), {m.citizen.cert.get(), m.citizen_ec.cert.get()})};
    o.crl_files = {pki::write_crl(dir_.file("citizen-crl.pem"), pki::make_crl(m.citizen, {1003, 77}).get())};
    reg_ = test::load_register(o);
    ASSERT_NE(reg_, nullptr);
  }

  std::string code(const std::string& certificate, bool validity = true, bool revocation = true,
                   const reg::QueryParams& base = test::by_satu("10000101W")) {
    reg::QueryParams p = base;
    p.certificate_base64 = certificate;
    p.issuer = "CN=DVV TEST Citizen Certificates - G4R,O=Simulaattorin testi-CA,C=FI";
    p.check_validity = validity;
    p.check_revocation = revocation;
    return test::ask(*reg_, GetParam(), p).code;
  }

  pki::TempDir dir_;
  std::unique_ptr<Register> reg_;
};

TEST_P(Certificates, AGoodCertificatePassesEveryCheck) {
  const Material& m = Material::get();
  std::string good = m.cert(m.citizen, "10000101W", 1001);
  EXPECT_EQ(code(good), "0000");
  EXPECT_EQ(code(good), "0000");  // and again, from the checker's cache
  EXPECT_EQ(code(good, false, false), "0000");
  // Base64 broken into lines (as PEM bodies are) is still the same certificate.
  std::string wrapped;
  for (size_t i = 0; i < good.size(); i += 64) {
    wrapped += good.substr(i, 64) + "\n";
  }
  EXPECT_EQ(code(wrapped), "0000");
}

TEST_P(Certificates, WhatIsNotACertificate) {
  EXPECT_EQ(code("bm90IGEgY2VydGlmaWNhdGU="), "0014");  // base64 of "not a certificate"
  EXPECT_EQ(code("this is not base64!"), "0014");
  EXPECT_EQ(code("-----BEGIN CERTIFICATE-----"), "0014");
  const Material& m = Material::get();
  std::string good = m.cert(m.citizen, "10000101W", 1001);
  EXPECT_EQ(code(good.substr(0, good.size() - 8)), "0014");  // cut short
}

TEST_P(Certificates, OnlyTheApprovedCitizenCAs) {
  const Material& m = Material::get();
  EXPECT_EQ(code(m.cert(m.impostor, "10000101W", 1001)), "0015");  // same name, another key
  EXPECT_EQ(code(m.cert(m.organisation, "10000101W", 1001)), "0015");
  EXPECT_EQ(code(m.cert(m.impostor, "10000101W", 1001), false, false), "0015");   // whatever the flags
  EXPECT_EQ(code(m.cert(m.citizen_ec, "10000101W", 2001), true, false), "0000");  // the second CA of the file
}

TEST_P(Certificates, ValidityIsCheckedWhenAsked) {
  const Material& m = Material::get();
  std::string expired = m.cert(m.citizen, "10000101W", 1002, -400, -1);
  EXPECT_EQ(code(expired), "0012");
  EXPECT_EQ(code(expired, false, true), "0000");
  std::string future = m.cert(m.citizen, "10000101W", 1004, 10, 400);
  EXPECT_EQ(code(future, true, false), "0012");
  reg::Response r = test::ask(*reg_, GetParam(), [&] {
    reg::QueryParams p = test::by_satu("10000101W");
    p.certificate_base64 = expired;
    p.check_validity = true;
    return p;
  }());
  EXPECT_EQ(r.outcome, reg::Outcome::CertificateRejected);
  EXPECT_FALSE(r.person);
}

TEST_P(Certificates, RevocationIsCheckedWhenAskedAgainstTheIssuersList) {
  const Material& m = Material::get();
  std::string revoked = m.cert(m.citizen, "10000101W", 1003);
  EXPECT_EQ(code(revoked), "0013");
  EXPECT_EQ(code(revoked, true, false), "0000");
  // No list of the G4E CA is at hand: the check was asked for but cannot be made.
  EXPECT_EQ(code(m.cert(m.citizen_ec, "10000101W", 1003), false, true), "0008");
}

TEST_P(Certificates, TheCertificateMustBeThePersons) {
  const Material& m = Material::get();
  std::string other = m.cert(m.citizen, "10000102X", 1005);
  EXPECT_EQ(code(other), "0016");
  EXPECT_EQ(code(m.cert(m.citizen, "", 1006)), "0016");  // no serialNumber at all
  // Asked by hetu: the certificate's SATU must be that person's.
  EXPECT_EQ(code(m.cert(m.citizen, "10000101W", 1001), true, true, test::by_hetu("010190-901R")), "0000");
  EXPECT_EQ(code(other, true, true, test::by_hetu("010190-901R")), "0016");
}

TEST_P(Certificates, FlagsMaySayTrueOrK) {
  const Material& m = Material::get();
  HttpRequest r = test::request_via(GetParam(), [&] {
    reg::QueryParams p = test::by_satu("10000101W");
    p.certificate_base64 = m.cert(m.citizen, "10000101W", 1003);
    return p;
  }());
  std::string prefix = GetParam() == Via::XRoad ? "vtj:" : "";
  test::tamper(r, "<" + prefix + "VarmenteenSulkulistatarkistus></",
               "<" + prefix + "VarmenteenSulkulistatarkistus>K</");
  EXPECT_EQ(test::parse(reg_->answer(r)).code, "0013");
}

INSTANTIATE_TEST_SUITE_P(Transports, Certificates, ::testing::ValuesIn(test::kAllVias),
                         [](const auto& info) { return std::string(test::to_string(info.param)); });

TEST(CertificateSetup, WithoutCitizenCAsEveryIssuerIsApproved) {
  const Material& m = Material::get();
  auto reg = test::load_register();
  ASSERT_NE(reg, nullptr);
  reg::QueryParams p = test::by_satu("10000101W");
  p.certificate_base64 = m.cert(m.impostor, "10000101W", 1001);
  p.check_validity = true;
  EXPECT_EQ(test::ask(*reg, Via::Soso11, p).code, "0000");
  p.check_revocation = true;
  EXPECT_EQ(test::ask(*reg, Via::Soso11, p).code, "0008");  // and no list to check against
}

TEST(CertificateSetup, BadFilesAreLoadErrors) {
  const Material& m = Material::get();
  pki::TempDir dir;
  Options o = test::default_options();
  o.citizen_ca_files = {pki::write_pem(dir.file("ca.pem"), {m.citizen.cert.get()})};
  o.crl_files = {pki::write_crl(dir.file("foreign-crl.pem"), pki::make_crl(m.organisation, {1}).get())};
  auto r = Register::load(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            dir.file("foreign-crl.pem") + ": a revocation list not signed by any of the citizen CAs");
  o.crl_files = {};
  o.citizen_ca_files = {dir.file("missing.pem")};
  ASSERT_FALSE(Register::load(o));
  std::ofstream(dir.file("empty.pem")) << "nothing here\n";
  o.citizen_ca_files = {dir.file("empty.pem")};
  auto empty = Register::load(o);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(), dir.file("empty.pem") + ": no certificate in the file");
}

}  // namespace
}  // namespace vtj::sim
