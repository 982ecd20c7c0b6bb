// Transport TLS against kube-emulator (when it has been built): verification, the CA's source in
// messages, tls-server-name, client certificates from the kubeconfig or an exec plugin.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "dr/kube/transport.hpp"
#include "support/wire_test_server.hpp"

using namespace std::chrono_literals;
using wiretest::fast_retries;
using wiretest::get;
using Clock = std::chrono::steady_clock;

// ---- TLS, against kube-emulator ---------------------------------------------------------------
// These need the emulator binary (compile definition DR_EMULATOR_PATH). They SKIP with a warning only
// when that binary does not exist yet; an emulator that exists but does not start is a failure.

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Emulator {
 public:
  // $KUBE_EMULATOR (as the end-to-end tests use) overrides the built one.
  static std::string path() {
    if (const char* env = std::getenv("KUBE_EMULATOR"); env != nullptr && *env != '\0') return env;
#ifdef DR_EMULATOR_PATH
    return DR_EMULATOR_PATH;
#else
    return {};
#endif
  }
  static bool available() {
    std::string binary = path();
    return !binary.empty() && ::access(binary.c_str(), X_OK) == 0;
  }

  explicit Emulator(std::vector<std::string> extra = {}) {
    char dir_template[] = "/tmp/dr-wire-emu-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    dir_ = dir_template;
    std::vector<std::string> args = {path(), "--clusters", "c1", "--state-dir", dir_};
    args.insert(args.end(), extra.begin(), extra.end());
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    auto deadline = Clock::now() + 20s;
    while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buffer[4096];
      ssize_t n = ::read(out[0], buffer, sizeof buffer);
      if (n <= 0) break;
      line.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    INFO("kube-emulator said: " << line);
    rapidjson::Document ready;
    ready.Parse(line.substr(0, line.find('\n')).c_str());
    REQUIRE(!ready.HasParseError());
    REQUIRE(ready.IsObject());
    REQUIRE(ready.HasMember("clusters"));
    server_ = ready["clusters"]["c1"]["server"].GetString();
    ca_path_ = dir_ + "/ca.crt";
    ca_ = read_file(ca_path_);
    cert_ = read_file(dir_ + "/admin.crt");
    key_ = read_file(dir_ + "/admin.key");
    REQUIRE(!ca_.empty());
  }
  ~Emulator() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // A config that trusts the emulator's CA and presents the admin client certificate.
  dr::kube::RestConfig admin_config() const {
    dr::kube::RestConfig config;
    config.server = server_;
    config.tls.ca_pem = ca_;
    config.tls.ca_source = ca_path_;
    config.tls.client_cert_pem = cert_;
    config.tls.client_key_pem = key_;
    return config;
  }
  const std::string& server() const {
    return server_;
  }
  const std::string& dir() const {
    return dir_;
  }
  const std::string& cert() const {
    return cert_;
  }

 private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string server_;
  std::string ca_path_;
  std::string ca_;
  std::string cert_;
  std::string key_;
};

#define DR_REQUIRE_EMULATOR()                                                               \
  do {                                                                                      \
    if (!Emulator::available()) {                                                           \
      WARN("SKIPPED: kube-emulator is not built (DR_EMULATOR_PATH, or set KUBE_EMULATOR)"); \
      return;                                                                               \
    }                                                                                       \
  } while (false)

}  // namespace

TEST_CASE("TLS: verified connection with the cluster CA and a client certificate", "[transport][tls]") {
  DR_REQUIRE_EMULATOR();
  Emulator emulator;
  dr::kube::Transport transport(emulator.admin_config(), nullptr, fast_retries(8));
  auto got = transport.perform(get("/api/v1/namespaces"));
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK_THAT(got->body, Catch::Contains("NamespaceList"));

  // Many concurrent requests over a handful of TLS connections.
  int ok = 0;
  for (int i = 0; i < 100; ++i) {
    transport.submit(get("/api/v1/namespaces?limit=1"), [&](auto response) {
      CHECK((response && response->status == 200));
      ok += response && response->status == 200;
    });
  }
  transport.run();
  CHECK(ok == 100);
  // Reuse, not an exact count: a handshake the busy emulator breaks off is retried on a new one.
  CHECK(transport.stats().connections <= 10);
}

TEST_CASE("TLS: an untrusted server certificate is refused with the reason and the CA's source",
          "[transport][tls]") {
  DR_REQUIRE_EMULATOR();
  Emulator emulator;
  SECTION("wrong CA bundle") {
    auto config = emulator.admin_config();
    config.tls.ca_pem = emulator.cert();  // a leaf certificate, not the issuer of the server's
    config.tls.ca_source = emulator.dir() + "/admin.crt";
    dr::kube::Transport transport(config, nullptr, fast_retries());
    auto got = transport.perform(get("/api/v1/namespaces"));
    REQUIRE_FALSE(got);
    CHECK(got.error().code == dr::ErrorCode::Transport);
    CHECK(got.error().message ==
          "Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by "
          "unknown "
          "authority (certificate-authority from " +
              emulator.dir() + "/admin.crt)");
    CHECK(transport.stats().retries == 0);
  }
  SECTION("system trust store") {
    auto config = emulator.admin_config();
    config.tls.ca_pem.clear();
    config.tls.ca_source.clear();
    dr::kube::Transport transport(config, nullptr, fast_retries());
    auto got = transport.perform(get("/api/v1/namespaces"));
    REQUIRE_FALSE(got);
    CHECK_THAT(got.error().message, Catch::Contains("tls: failed to verify certificate"));
    CHECK_THAT(got.error().message, Catch::Contains("the system trust store"));
  }
  SECTION("the system trust store is found as Go finds it: SSL_CERT_FILE names the bundle") {
    auto config = emulator.admin_config();
    config.tls.ca_pem.clear();
    config.tls.ca_source.clear();
    const char* saved = std::getenv("SSL_CERT_FILE");
    std::string previous = saved != nullptr ? saved : "";
    setenv("SSL_CERT_FILE", (emulator.dir() + "/ca.crt").c_str(), 1);
    dr::kube::Transport transport(config, nullptr, fast_retries());
    if (saved != nullptr) {
      setenv("SSL_CERT_FILE", previous.c_str(), 1);
    } else {
      unsetenv("SSL_CERT_FILE");
    }
    auto got = transport.perform(get("/api/v1/namespaces"));
    REQUIRE(got);
    CHECK(got->status == 200);
  }
  SECTION("insecure-skip-tls-verify connects anyway") {
    auto config = emulator.admin_config();
    config.tls.ca_pem.clear();
    config.tls.insecure_skip_verify = true;
    dr::kube::Transport transport(config, nullptr, fast_retries());
    auto got = transport.perform(get("/api/v1/namespaces"));
    REQUIRE(got);
    CHECK(got->status == 200);
  }
}

TEST_CASE("TLS: tls-server-name is the name the certificate is checked against", "[transport][tls]") {
  DR_REQUIRE_EMULATOR();
  Emulator emulator;
  auto config = emulator.admin_config();
  config.tls.server_name = "localhost";  // in the emulator's certificate; the URL says 127.0.0.1
  {
    dr::kube::Transport transport(config, nullptr, fast_retries());
    auto got = transport.perform(get("/api/v1/namespaces"));
    REQUIRE(got);
    CHECK(got->status == 200);
  }
  config.tls.server_name = "api.other.example";
  dr::kube::Transport transport(config, nullptr, fast_retries());
  auto got = transport.perform(get("/api/v1/namespaces"));
  REQUIRE_FALSE(got);
  CHECK_THAT(got.error().message, Catch::Contains("tls: failed to verify certificate"));
  CHECK_THAT(got.error().message, Catch::Contains("api.other.example"));
}

TEST_CASE("TLS: without a client certificate the server answers 401; a bearer token works",
          "[transport][tls]") {
  DR_REQUIRE_EMULATOR();
  Emulator emulator({"--token", "emulator-test-token-123"});
  auto config = emulator.admin_config();
  config.tls.client_cert_pem.clear();
  config.tls.client_key_pem.clear();
  {
    dr::kube::Transport transport(config, nullptr, fast_retries());
    auto got = transport.perform(get("/api/v1/namespaces"));
    REQUIRE(got);
    CHECK(got->status == 401);
  }
  struct Token : dr::kube::AuthProvider {
    dr::Result<dr::kube::Credentials> current() override {
      dr::kube::Credentials credentials;
      credentials.bearer_token = "emulator-test-token-123";
      return credentials;
    }
    bool invalidate() override { return false; }
  };
  dr::kube::Transport transport(config, std::make_shared<Token>(), fast_retries());
  auto got = transport.perform(get("/api/v1/namespaces"));
  REQUIRE(got);
  CHECK(got->status == 200);
}

TEST_CASE("TLS: an exec plugin's client certificate replaces a missing kubeconfig one", "[transport][tls]") {
  DR_REQUIRE_EMULATOR();
  Emulator emulator;
  auto config = emulator.admin_config();
  std::string cert = config.tls.client_cert_pem;
  std::string key = config.tls.client_key_pem;
  config.tls.client_cert_pem.clear();
  config.tls.client_key_pem.clear();
  struct ExecCert : dr::kube::AuthProvider {
    std::string cert, key;
    dr::Result<dr::kube::Credentials> current() override {
      dr::kube::Credentials credentials;
      credentials.client_cert_pem = cert;
      credentials.client_key_pem = key;
      return credentials;
    }
    bool invalidate() override { return false; }
  };
  auto provider = std::make_shared<ExecCert>();
  provider->cert = cert;
  provider->key = key;
  dr::kube::Transport transport(config, provider, fast_retries());
  auto got = transport.perform(get("/api/v1/namespaces"));
  REQUIRE(got);
  CHECK(got->status == 200);
}
