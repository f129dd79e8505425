#pragma once
// Switches the process to a Latin-1 locale for the length of a test, when the system has one: there
// glibc's <cctype> calls 0xC4 and 0xE4 letters, so code that classifies through <cctype> lets them pass.
// Tests run their checks in the "C" locale and again under this one when it is active.

#include <cctype>
#include <clocale>
#include <string>

namespace vtj::config::test_support {

class Latin1Locale {
 public:
  Latin1Locale() {
    const char* current = std::setlocale(LC_ALL, nullptr);
    saved_ = current != nullptr ? current : "C";
    for (const char* name : {"fi_FI.ISO-8859-1", "fi_FI.iso88591", "fi_FI", "sv_FI.ISO-8859-1",
                             "de_DE.ISO-8859-1", "de_DE.iso88591", "en_US.ISO-8859-1", "en_US.iso88591"}) {
      if (std::setlocale(LC_ALL, name) != nullptr && std::isalpha(0xE4) != 0) {
        active_ = true;
        return;
      }
    }
    std::setlocale(LC_ALL, saved_.c_str());
  }
  ~Latin1Locale() { std::setlocale(LC_ALL, saved_.c_str()); }
  Latin1Locale(const Latin1Locale&) = delete;
  Latin1Locale& operator=(const Latin1Locale&) = delete;

  bool active() const { return active_; }

 private:
  std::string saved_;
  bool active_ = false;
};

}  // namespace vtj::config::test_support
