// The CLI's --config file (Apache-style directive lines) and the completeness check for querying.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/text.hpp"
#include "vtj/config.hpp"

namespace vtj::config {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// Splits one logical line into words: white space separates, "…" or '…' groups, a backslash inside
// quotes takes the next character literally. Returns the problem, or empty.
std::string tokenize(std::string_view line, std::vector<std::string>& words) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && is_space(line[i])) {
      ++i;
    }
    if (i >= line.size()) {
      return {};
    }
    std::string word;
    if (line[i] == '"' || line[i] == '\'') {
      char q = line[i++];
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == q) {
          closed = true;
          break;
        }
        if (c == '\\' && i < line.size()) {
          c = line[i++];
        }
        word += c;
      }
      if (!closed) {
        return "unterminated quoted argument";
      }
      if (i < line.size() && !is_space(line[i])) {
        return "a quoted argument must be followed by white space";
      }
    } else {
      while (i < line.size() && !is_space(line[i])) {
        word += line[i++];
      }
    }
    words.push_back(std::move(word));
  }
}

}  // namespace

Result<Settings, ConfigError> load_file(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!std::filesystem::is_regular_file(path, ec) || !in) {
    return err(ConfigError{Source{path, 0, {}}, "", "cannot read the configuration file"});
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string base = parent.empty() ? std::filesystem::current_path(ec).string() : parent.string();
  Settings settings;
  std::string raw;
  std::string logical;
  int line_no = 0;
  int start_line = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') {
      raw.pop_back();
    }
    if (logical.empty()) {
      start_line = line_no;
    }
    // A trailing backslash continues the directive on the next line, as in Apache.
    if (!raw.empty() && raw.back() == '\\') {
      raw.pop_back();
      logical += raw + " ";
      continue;
    }
    logical += raw;
    std::string line = std::move(logical);
    logical.clear();
    size_t first = line.find_first_not_of(" \t\f\v");
    if (first == std::string::npos || line[first] == '#') {
      continue;
    }
    std::vector<std::string> words;
    Source where{path, start_line, base};
    if (std::string problem = tokenize(line, words); !problem.empty()) {
      return err(ConfigError{where, "", problem});
    }
    std::string name = words.front();
    words.erase(words.begin());
    if (auto e = apply(settings, name, words, where)) {
      return err(std::move(*e));
    }
  }
  if (!logical.empty()) {
    return err(ConfigError{Source{path, start_line, base}, "", "the last line ends in a continuation"});
  }
  return settings;
}

std::optional<ConfigError> check_complete(const Settings& s) {
  auto missing = [&](Directive d, std::string message) {
    // A missing directive has no line of its own: name the file the others came from.
    Source where;
    for (const Source& at : s.set_at) {
      if (!at.file.empty()) {
        where.file = at.file;
        break;
      }
    }
    return ConfigError{where, std::string(s.name_of(d)), std::move(message)};
  };
  if (s.register_url.empty()) {
    return missing(Directive::RegisterUrl, "not set; querying the register needs the register URL");
  }
  if (s.product.empty()) {
    return missing(Directive::Product, "not set; querying the register needs the product name (SoSoNimi)");
  }
  if (s.username.empty() || s.password.empty()) {
    return missing(Directive::Credentials,
                   "not set; querying the register needs a username and password file");
  }
  if (s.end_user.empty()) {
    return missing(Directive::EndUser, "not set; querying the register needs the end user (Loppukayttaja)");
  }
  if (s.transport == reg::Transport::Soso && istarts_with(s.register_url, "https://")) {
    if (s.client_cert.empty()) {
      return missing(Directive::ClientCertificate,
                     "not set; the direct service needs the customer certificate");
    }
    if (s.register_ca.empty()) {
      return missing(Directive::RegisterCa, "not set; the direct service needs the register's CA");
    }
  }
  if (s.transport == reg::Transport::XRoad && s.xroad_client.instance.empty()) {
    return missing(Directive::XRoadClient, "not set; the xroad transport needs the client identifier");
  }
  return std::nullopt;
}

}  // namespace vtj::config
