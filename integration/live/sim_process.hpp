#pragma once
// Starts vtj-register-sim with the test PKI and the default data set as a child process for a test,
// waits until it listens, and stops it again; /status is read with the system curl. The paths come from
// the build (VTJ_SIM_PATH, VTJ_PKI_PATH, VTJ_SOURCE_PATH); the environment variables VTJ_SIM,
// VTJ_PKI_DIR and VTJ_SOURCE_DIR override them.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vtj::live {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v != nullptr && *v != '\0') {
    return v;
  }
  std::string n = name;
  return n == "VTJ_SIM" ? VTJ_SIM_PATH : n == "VTJ_PKI_DIR" ? VTJ_PKI_PATH : VTJ_SOURCE_PATH;
}

inline std::string pki(const std::string& file) {
  return env("VTJ_PKI_DIR") + "/" + file;
}

class SimProcess {
 public:
  explicit SimProcess(int port = 0) {
    std::string out = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/vtj-live-sim-" +
                      std::to_string(::getpid()) + "-" + std::to_string(counter()++);
    std::vector<std::string> args = {env("VTJ_SIM"),
                                     "--data",
                                     env("VTJ_SOURCE_DIR") + "/integration/data/register.conf",
                                     "--cert",
                                     pki("register.pem"),
                                     "--key",
                                     pki("register.key"),
                                     "--client-ca",
                                     pki("customer-ca.pem"),
                                     "--citizen-ca",
                                     pki("citizen-issuers.pem"),
                                     "--port",
                                     std::to_string(port),
                                     "--port-file",
                                     out};
    ::unlink(out.c_str());
    std::vector<char*> argv;  // built before fork: the child only calls async-signal-safe functions
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      // A test killed outright takes its simulator with it.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 400 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (FILE* f = std::fopen(out.c_str(), "r")) {
        if (std::fscanf(f, "%d", &port_) != 1) {
          port_ = 0;
        }
        std::fclose(f);
      }
    }
    ::unlink(out.c_str());
    if (port_ == 0) {
      stop();
      throw std::runtime_error("vtj-register-sim did not start");
    }
    // The port file is written before the ready line: wait until a connection is taken.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ~SimProcess() { stop(); }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "https://localhost:" + std::to_string(port_) + path;
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  // A number from GET /status (the status request itself counts as one more connection).
  long status(const std::string& key) const {
    std::string cmd = "curl -sS --noproxy '*' -m 10 --cacert '" + pki("server-ca.pem") + "' --cert '" +
                      pki("customer.pem") + "' --key '" + pki("customer.key") + "' '" + url("/status") + "'";
    std::string body;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        body.append(buf, n);
      }
      ::pclose(p);
    }
    size_t at = body.find("\"" + key + "\":");
    if (at == std::string::npos) {
      return -1;
    }
    return std::strtol(body.c_str() + at + key.size() + 3, nullptr, 10);
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace vtj::live
