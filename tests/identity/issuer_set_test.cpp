#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "identity/test_pki.hpp"
#include "vtj/identity_cert.hpp"

namespace vtj::identity {
namespace {

const std::string kFineid = std::string(VTJ_SOURCE_DIR) + "/certs/fineid/";

// One private folder per test process: the plain and the sanitized test binaries run side by side.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vtj-identity-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) {
      path_ = tmpl;
    }
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string temp_file(const std::string& name, const std::string& content) {
  static TempDir dir;
  std::string path = (dir.path() / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(IssuerSet, ShippedCitizenListHoldsExactlyTheThreeCitizenCas) {
  IssuerSet set;
  auto r = set.add_file(kFineid + "citizen-issuers.pem");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.value());
  ASSERT_EQ(set.size(), 3u);
  std::vector<std::string> names = set.subject_names();
  EXPECT_NE(names[0].find("CN=VRK Gov. CA for Citizen Certificates - G3"), std::string::npos) << names[0];
  EXPECT_NE(names[1].find("CN=DVV Citizen Certificates - G4R"), std::string::npos) << names[1];
  EXPECT_NE(names[2].find("CN=DVV Citizen Certificates - G4E"), std::string::npos) << names[2];
  for (const std::string& n : names) {
    EXPECT_EQ(n.find("Organisational"), std::string::npos) << n;
  }
  // Adding the organisation CA grows the set: it was not in the shipped list.
  auto org = set.add_file(kFineid + "dvv-organisational-certificates-g4r.pem");
  ASSERT_TRUE(org.ok()) << org.error();
  EXPECT_TRUE(org.value());
  EXPECT_EQ(set.size(), 4u);
}

TEST(IssuerSet, AddingTheSameCaTwiceIsANoOp) {
  IssuerSet set;
  ASSERT_TRUE(set.add_file(kFineid + "dvv-citizen-certificates-g4r.pem").ok());
  auto again = set.add_file(kFineid + "citizen-issuers.pem");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value());
  EXPECT_EQ(set.size(), 3u);
  auto third = set.add_file(kFineid + "dvv-citizen-certificates-g4r.pem");
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third.value());
  EXPECT_EQ(set.size(), 3u);
}

TEST(IssuerSet, ReadsDer) {
  IssuerSet set;
  auto r = set.add_file(kFineid + "dvv-gov-root-ca-g3-rsa.der");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(set.size(), 1u);
}

TEST(IssuerSet, ErrorsNameTheFile) {
  IssuerSet set;
  auto missing = set.add_file("/nonexistent/ca.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("/nonexistent/ca.pem"), std::string::npos);
  EXPECT_NE(missing.error().find("cannot be opened"), std::string::npos);

  std::string junk = temp_file("junk.pem", "this is not a certificate\n");
  auto bad = set.add_file(junk);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find(junk), std::string::npos) << bad.error();

  std::string broken_second = temp_file(
      "broken.pem", testpki::to_pem(testpki::Pki::get().citizen_ca.get()) +
                        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
  auto second = set.add_file(broken_second);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("number 2"), std::string::npos) << second.error();
  EXPECT_TRUE(set.empty());
}

TEST(IssuerSet, RefusesALeafAsIssuer) {
  const auto& pki = testpki::Pki::get();
  auto leaf = pki.citizen_leaf(testpki::citizen_spec("12345678N", "Matti", "MEIKÄLÄINEN"));
  IssuerSet set;
  auto r = set.add_data(testpki::to_pem(leaf.get()), "leaf.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("leaf.pem"), std::string::npos);
  EXPECT_NE(r.error().find("not a CA"), std::string::npos) << r.error();
  EXPECT_EQ(r.error().find("12345678N"), std::string::npos) << r.error();
  EXPECT_TRUE(set.empty());
}

TEST(IssuerSet, CopiesShareEntriesButNotLaterAdditions) {
  IssuerSet a;
  ASSERT_TRUE(a.add_file(kFineid + "dvv-citizen-certificates-g4r.pem").ok());
  IssuerSet b = a;
  ASSERT_TRUE(a.add_file(kFineid + "dvv-citizen-certificates-g4e.pem").ok());
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(b.size(), 1u);
  IssuerSet c = std::move(a);
  EXPECT_EQ(c.size(), 2u);
}

TEST(IssuerSet, RealCitizenIssuerNameWithAnotherKeyIsRejected) {
  // A certificate claiming the real "DVV Citizen Certificates - G4R" as issuer, signed by a test key.
  IssuerSet shipped;
  ASSERT_TRUE(shipped.add_file(kFineid + "citizen-issuers.pem").ok());
  const auto& pki = testpki::Pki::get();
  FILE* f = fopen((kFineid + "dvv-citizen-certificates-g4r.pem").c_str(), "r");
  ASSERT_NE(f, nullptr);
  testpki::CertPtr real_g4r(PEM_read_X509(f, nullptr, nullptr, nullptr));
  fclose(f);
  ASSERT_TRUE(real_g4r);
  auto forged = testpki::issue(testpki::citizen_spec("12345678N", "Matti", "MEIKÄLÄINEN"),
                               pki.leaf_rsa_key.get(), real_g4r.get(), pki.impostor_key.get());
  auto c = read_citizen_certificate(testpki::to_pem(forged.get()), shipped, testpki::kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, CertError::IssuerNotAccepted);
  EXPECT_NE(c.error().detail.find("DVV Citizen Certificates - G4R"), std::string::npos) << c.error().detail;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(FuzzSeeds, AreInTheProfileOfTheFuzzCa) {
  // tests/fuzz/cert_fuzz.cpp embeds fuzz_ca.pem; its seeds must get past the issuer check to be useful.
  const std::string dir = std::string(VTJ_SOURCE_DIR) + "/tests/fuzz/corpus/cert_fuzz/";
  IssuerSet set;
  ASSERT_TRUE(set.add_file(dir + "fuzz_ca.pem").ok());
  const int64_t fuzz_now = 1830000000;
  for (const char* leaf : {"citizen_leaf.der", "citizen_leaf.pem"}) {
    auto c = read_citizen_certificate(slurp(dir + leaf), set, fuzz_now);
    ASSERT_TRUE(c.ok()) << leaf << ": " << c.error().detail;
    EXPECT_EQ(c->given_name, "Särkkä");
  }
  EXPECT_EQ(read_citizen_certificate(slurp(dir + "signing_leaf.der"), set, fuzz_now).error().reason,
            CertError::KeyUsage);
  EXPECT_EQ(read_citizen_certificate(slurp(dir + "fuzz_ca.pem"), set, fuzz_now).error().reason,
            CertError::NotCitizenProfile);
}

}  // namespace
}  // namespace vtj::identity
