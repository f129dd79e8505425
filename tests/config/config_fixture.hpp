#pragma once
// A temporary directory with the files directives name (certificates, password, cache keys).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "vtj/config.hpp"

namespace vtj::config::test_support {

namespace fs = std::filesystem;

constexpr const char* kSecret = "s3cr3t-Passw0rd!";

class Config : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vtj-config-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    write("cert.pem", "-----BEGIN CERTIFICATE-----\n");
    write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
    write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    write("issuer1.pem", "x");
    write("issuer2.pem", "x");
    write("password", std::string(kSecret) + "\r\nsecond line\n");
    write("empty-password", "");
    write("cache.key", std::string(32, 'k'));
    write("short.key", std::string(31, 'k'));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Applies one directive; returns the error text, or "" on success.
  std::string run(Settings& s, const std::string& name, std::vector<std::string> args) {
    auto e = apply(s, name, args, Source{"site.conf", 7, dir_.string()});
    return e ? e->to_string() : "";
  }
  std::string run(const std::string& name, std::vector<std::string> args) {
    Settings s;
    return run(s, name, std::move(args));
  }

  fs::path dir_;
};

}  // namespace vtj::config::test_support
