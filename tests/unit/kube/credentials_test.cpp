// Credentials: static token and basic auth, rotating token files, and the exec plugin protocol
// (driven by tests/unit/support/data/exec/plugin.sh through the kubeconfig's exec env).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "dr/core/time.hpp"
#include "dr/kube/auth.hpp"
#include "dr/kube/credentials.hpp"
#include "dr/kube/kubeconfig.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using dr::kube::AuthProvider;
using dr::kube::ConfigOverrides;
using dr::kube::RestConfig;

const std::string kPluginSource = DR_TEST_DATA_DIR "/exec/plugin.sh";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int count_lines(const std::string& path) {
  const std::string content = read_file(path);
  return static_cast<int>(std::count(content.begin(), content.end(), '\n'));
}

struct ExecSetup {
  std::string command = "bin/plugin.sh";  // relative to the kubeconfig, as users often write it
  std::string api_version = "client.authentication.k8s.io/v1";
  std::string interactive_mode = "Never";
  std::map<std::string, std::string> env;
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string cluster_extra;  // extra YAML lines for the cluster
};

// Writes a kubeconfig whose user runs the test plugin (copied into the temp dir so its mode is
// known), loads it the way the plugins do, and returns the RestConfig.
RestConfig exec_rest_config(const TempDir& dir, const ExecSetup& setup) {
  fs::create_directories(dir.file("bin"));
  fs::copy_file(kPluginSource, dir.file("bin/plugin.sh"), fs::copy_options::overwrite_existing);
  fs::permissions(dir.file("bin/plugin.sh"),
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);

  std::string yaml =
      "current-context: c\nclusters:\n- name: c\n  cluster:\n    server: https://exec.example:6443\n" +
      setup.cluster_extra + "users:\n- name: u\n  user:\n    exec:\n      apiVersion: " + setup.api_version +
      "\n      command: " + setup.command + "\n      args: [--region, eu-1]\n";
  if (!setup.interactive_mode.empty()) yaml += "      interactiveMode: " + setup.interactive_mode + "\n";
  if (!setup.install_hint.empty()) yaml += "      installHint: \"" + setup.install_hint + "\"\n";
  if (setup.provide_cluster_info) yaml += "      provideClusterInfo: true\n";
  yaml += "      env:\n";
  for (const auto& [name, value] : setup.env)
    yaml += "      - name: " + name + "\n        value: \"" + value + "\"\n";
  yaml += "contexts:\n- name: c\n  context: {cluster: c, user: u}\n";

  ConfigOverrides overrides;
  overrides.kubeconfig = dir.write("kubeconfig", yaml);
  auto config = dr::kube::load_rest_config(overrides, dr::kube::Environment::from_map({}));
  if (!config) FAIL(config.error().kubectl_line());
  return std::move(config).value();
}

std::shared_ptr<AuthProvider> exec_provider(const RestConfig& config, bool terminal = false) {
  dr::kube::ExecProviderOptions options;
  options.stdin_is_terminal = [terminal] { return terminal; };
  return dr::kube::make_exec_auth_provider(config, options);
}

std::string rfc3339_from_now(std::chrono::seconds offset) {
  const auto when = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm utc{};
  gmtime_r(&when, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// Redirects this process's stderr into a file, to see what a plugin wrote there.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  std::string finish() {
    restore();
    return read_file(path_);
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

}  // namespace

TEST_CASE("static token and basic auth providers", "[credentials][exec]") {
  RestConfig config;
  config.bearer_token = "static-token";
  auto provider = dr::kube::make_auth_provider(config);
  auto creds = provider->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token == "static-token");
  CHECK_FALSE(provider->invalidate());

  RestConfig basic;
  basic.username = "admin";
  basic.password = "pw";
  creds = dr::kube::make_auth_provider(basic)->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token.empty());
  CHECK(creds->username == "admin");
  CHECK(creds->password == "pw");

  creds = dr::kube::make_auth_provider(RestConfig{})->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token.empty());
  CHECK(creds->username.empty());
}

TEST_CASE("token files are re-read when they change and after a 401", "[credentials][exec]") {
  TempDir dir("dr-credentials-test");
  const std::string path = dir.write("token", "first\n");
  RestConfig config;
  config.bearer_token = "first";
  config.token_file = path;
  auto provider = dr::kube::make_auth_provider(config);
  auto creds = provider->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token == "first");

  // Rotation: a new file with a new modification time.
  dir.write("token.new", "second\n");
  fs::last_write_time(path + ".new", fs::last_write_time(path) + std::chrono::seconds(5));
  fs::rename(path + ".new", path);
  creds = provider->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token == "second");

  // Same mtime, new content: only a 401 makes us look again; unchanged content = no retry.
  const auto mtime = fs::last_write_time(path);
  dir.write("token", "third");
  fs::last_write_time(path, mtime);
  CHECK(provider->current()->bearer_token == "second");
  CHECK(provider->invalidate());
  CHECK(provider->current()->bearer_token == "third");
  CHECK_FALSE(provider->invalidate());

  // A vanished file keeps the last token; no token at all is an error naming the file only.
  fs::remove(path);
  CHECK(provider->current()->bearer_token == "third");
  auto missing = dr::kube::make_token_file_auth_provider(dir.file("absent"), "")->current();
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == dr::ErrorCode::Auth);
  CHECK_THAT(missing.error().kubectl_line(), Catch::Contains(dir.file("absent")));
}

TEST_CASE("RFC 3339 timestamps", "[credentials][exec]") {
  using namespace std::chrono;
  auto utc = dr::parse_rfc3339("2024-05-01T10:00:00Z");
  REQUIRE(utc);
  CHECK(duration_cast<seconds>(utc->time_since_epoch()).count() == 1714557600);
  auto offset = dr::parse_rfc3339("2024-05-01T12:00:00.5+02:00");
  REQUIRE(offset);
  CHECK(duration_cast<milliseconds>(*offset - *utc).count() == 500);
  auto negative = dr::parse_rfc3339("2024-05-01T09:30:00-00:30");
  REQUIRE(negative);
  CHECK(*negative == *utc);
  CHECK_FALSE(dr::parse_rfc3339("2024-05-01 10:00:00"));
  CHECK_FALSE(dr::parse_rfc3339("2024-02-30T10:00:00Z"));
  CHECK_FALSE(dr::parse_rfc3339("2024-05-01T10:00:00"));
  CHECK_FALSE(dr::parse_rfc3339("2024-05-01T10:00:00Zjunk"));
}

TEST_CASE("exec plugin returning a token", "[exec]") {
  TempDir dir("dr-credentials-test");
  ExecSetup setup;
  setup.env = {{"PLUGIN_ARGS_FILE", dir.file("args")}};
  const RestConfig config = exec_rest_config(dir, setup);
  auto provider = dr::kube::make_auth_provider(config);  // the public entry point picks exec
  auto creds = provider->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token == "token-1");
  CHECK(creds->client_cert_pem.empty());
  CHECK(read_file(dir.file("args")) == "--region\neu-1\n");
}

TEST_CASE("exec plugin returning a client certificate", "[exec]") {
  TempDir dir("dr-credentials-test");
  ExecSetup setup;
  setup.env = {{"PLUGIN_MODE", "cert"}};
  auto creds = exec_provider(exec_rest_config(dir, setup))->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token.empty());
  CHECK(creds->client_cert_pem == "-----BEGIN CERTIFICATE-----\nEXEC-CERT\n-----END CERTIFICATE-----\n");
  CHECK(creds->client_key_pem == "-----BEGIN PRIVATE KEY-----\nEXEC-KEY\n-----END PRIVATE KEY-----\n");
}

TEST_CASE("exec v1beta1 plugins", "[exec]") {
  TempDir dir("dr-credentials-test");
  ExecSetup setup;
  setup.api_version = "client.authentication.k8s.io/v1beta1";
  setup.interactive_mode.clear();
  setup.env = {{"PLUGIN_MODE", "v1beta1"}, {"PLUGIN_INFO_FILE", dir.file("info")}};
  auto creds = exec_provider(exec_rest_config(dir, setup))->current();
  REQUIRE(creds);
  CHECK(creds->bearer_token == "beta-token");
  CHECK_THAT(read_file(dir.file("info")),
             Catch::Contains(R"("apiVersion":"client.authentication.k8s.io/v1beta1")"));
}

TEST_CASE("exec credentials are cached until they expire", "[exec]") {
  TempDir dir("dr-credentials-test");
  const std::string counter = dir.file("runs");
  ExecSetup setup;

  SECTION("no expiry: cached for the life of the process") {
    setup.env = {{"PLUGIN_COUNTER_FILE", counter}};
    auto provider = exec_provider(exec_rest_config(dir, setup));
    CHECK(provider->current()->bearer_token == "token-1");
    CHECK(provider->current()->bearer_token == "token-1");
    CHECK(count_lines(counter) == 1);
  }
  SECTION("expiry in the future: cached") {
    setup.env = {{"PLUGIN_COUNTER_FILE", counter},
                 {"PLUGIN_EXPIRY", rfc3339_from_now(std::chrono::hours(1))}};
    auto provider = exec_provider(exec_rest_config(dir, setup));
    CHECK(provider->current()->bearer_token == "token-1");
    CHECK(provider->current()->bearer_token == "token-1");
    CHECK(count_lines(counter) == 1);
  }
  SECTION("expiry in the past: every call runs the plugin again") {
    setup.env = {{"PLUGIN_COUNTER_FILE", counter}, {"PLUGIN_EXPIRY", "2020-01-01T00:00:00Z"}};
    auto provider = exec_provider(exec_rest_config(dir, setup));
    CHECK(provider->current()->bearer_token == "token-1");
    CHECK(provider->current()->bearer_token == "token-2");
    CHECK(count_lines(counter) == 2);
  }
  SECTION("the clock decides: credentials refresh once the expiry passes") {
    setup.env = {{"PLUGIN_COUNTER_FILE", counter}, {"PLUGIN_EXPIRY", "2030-01-01T00:00:00Z"}};
    auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 59);  // ~2029
    dr::kube::ExecProviderOptions options;
    options.stdin_is_terminal = [] { return false; };
    options.now = [&now] { return now; };
    auto provider = dr::kube::make_exec_auth_provider(exec_rest_config(dir, setup), options);
    CHECK(provider->current()->bearer_token == "token-1");
    CHECK(provider->current()->bearer_token == "token-1");
    now += std::chrono::hours(24 * 365 * 2);
    CHECK(provider->current()->bearer_token == "token-2");
  }
}

TEST_CASE("after a 401 the exec plugin runs again, once", "[exec]") {
  TempDir dir("dr-credentials-test");
  const std::string counter = dir.file("runs");
  ExecSetup setup;
  setup.env = {{"PLUGIN_COUNTER_FILE", counter}};
  auto provider = exec_provider(exec_rest_config(dir, setup));
  CHECK(provider->current()->bearer_token == "token-1");
  CHECK(provider->invalidate());  // first 401: worth retrying
  CHECK(provider->invalidate());  // a concurrent 401 for the same old token: the refresh is still pending
  CHECK(provider->current()->bearer_token == "token-2");
  CHECK(provider->current()->bearer_token == "token-2");  // cached again
  CHECK_FALSE(provider->invalidate());                    // the fresh token was rejected too: give up
  CHECK(count_lines(counter) == 2);
  // A later request starts afresh.
  CHECK(provider->current()->bearer_token == "token-3");
}

TEST_CASE("a failing exec plugin reports its exit code; its stderr reaches the user", "[exec]") {
  TempDir dir("dr-credentials-test");
  ExecSetup setup;
  setup.env = {{"PLUGIN_MODE", "fail"}};
  auto provider = exec_provider(exec_rest_config(dir, setup));
  StderrCapture capture(dir.file("stderr"));
  auto creds = provider->current();
  const std::string stderr_text = capture.finish();
  REQUIRE_FALSE(creds);
  CHECK(creds.error().code == dr::ErrorCode::Auth);
  CHECK(creds.error().kubectl_line() == "error: getting credentials: exec: executable " +
                                            dir.file("bin/plugin.sh") + " failed with exit code 1");
  CHECK_THAT(stderr_text, Catch::Contains("plugin-stderr: login required"));
}

TEST_CASE("a missing exec plugin shows the installHint", "[exec]") {
  TempDir dir("dr-credentials-test");
  ExecSetup setup;
  setup.command = "dr-test-no-such-credential-plugin";
  setup.install_hint = "Install it with: apt-get install no-such-plugin";
  auto creds = exec_provider(exec_rest_config(dir, setup))->current();
  REQUIRE_FALSE(creds);
  CHECK(creds.error().code == dr::ErrorCode::Auth);
  CHECK(creds.error().kubectl_line() ==
        "error: getting credentials: exec: executable dr-test-no-such-credential-plugin not found\n\n"
        "Install it with: apt-get install no-such-plugin");

  setup.command = "./missing/plugin";  // relative to the kubeconfig
  setup.install_hint.clear();
  creds = exec_provider(exec_rest_config(dir, setup))->current();
  REQUIRE_FALSE(creds);
  CHECK(creds.error().message == "exec: executable " + dir.file("missing/plugin") + " not found");
}

TEST_CASE("bad exec plugin output is a clear error without the output", "[exec]") {
  TempDir dir("dr-credentials-test");
  ExecSetup setup;
  const auto error_for = [&](const std::string& mode) {
    setup.env = {{"PLUGIN_MODE", mode}};
    auto creds = exec_provider(exec_rest_config(dir, setup))->current();
    REQUIRE_FALSE(creds);
    CHECK(creds.error().code == dr::ErrorCode::Auth);
    return creds.error().kubectl_line();
  };
  const std::string bad_json = error_for("badjson");
  CHECK_THAT(bad_json, Catch::StartsWith("error: getting credentials: exec: decoding the output of "));
  CHECK_THAT(bad_json, Catch::Contains("invalid JSON"));
  CHECK_THAT(bad_json, !Catch::Contains("secret-in-bad-json"));

  const std::string wrong_version = error_for("wrongversion");
  CHECK(wrong_version ==
        "error: getting credentials: exec plugin is configured to use API version "
        "client.authentication.k8s.io/v1, plugin returned version "
        "client.authentication.k8s.io/v1beta1");
  CHECK_THAT(wrong_version, !Catch::Contains("secret-in-wrong-version"));

  CHECK(error_for("nothing") ==
        "error: getting credentials: exec plugin didn't return a token or cert/key pair");
  CHECK(error_for("onlycert") ==
        "error: getting credentials: exec plugin returned only certificate or key, not both");
}

TEST_CASE("KUBERNETES_EXEC_INFO without and with provideClusterInfo", "[exec]") {
  TempDir dir("dr-credentials-test");
  const std::string info_file = dir.file("info");
  ExecSetup setup;
  setup.env = {{"PLUGIN_INFO_FILE", info_file}};

  REQUIRE(exec_provider(exec_rest_config(dir, setup))->current());
  rapidjson::Document info;
  info.Parse(read_file(info_file));
  REQUIRE(info.IsObject());
  CHECK(std::string(info["apiVersion"].GetString()) == "client.authentication.k8s.io/v1");
  CHECK(std::string(info["kind"].GetString()) == "ExecCredential");
  CHECK(info["spec"]["interactive"].IsFalse());
  CHECK_FALSE(info["spec"].HasMember("cluster"));

  setup.provide_cluster_info = true;
  setup.cluster_extra =
      "    tls-server-name: api.internal\n"
      "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n"
      "    proxy-url: http://proxy.example:3128\n";
  REQUIRE(exec_provider(exec_rest_config(dir, setup))->current());
  info.Parse(read_file(info_file));
  REQUIRE(info.IsObject());
  const auto& cluster = info["spec"]["cluster"];
  REQUIRE(cluster.IsObject());
  CHECK(std::string(cluster["server"].GetString()) == "https://exec.example:6443");
  CHECK(std::string(cluster["tls-server-name"].GetString()) == "api.internal");
  CHECK(std::string(cluster["certificate-authority-data"].GetString()) ==
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==");
  CHECK(std::string(cluster["proxy-url"].GetString()) == "http://proxy.example:3128");

  // insecure-skip-tls-verify in a cluster of its own: with a CA beside it the kubeconfig is refused.
  setup.cluster_extra = "    insecure-skip-tls-verify: true\n";
  REQUIRE(exec_provider(exec_rest_config(dir, setup))->current());
  info.Parse(read_file(info_file));
  REQUIRE(info.IsObject());
  CHECK(info["spec"]["cluster"]["insecure-skip-tls-verify"].IsTrue());
}

TEST_CASE("interactive mode follows the terminal and interactiveMode", "[exec]") {
  TempDir dir("dr-credentials-test");
  const std::string info_file = dir.file("info");
  ExecSetup setup;
  setup.env = {{"PLUGIN_INFO_FILE", info_file}};
  rapidjson::Document info;

  setup.interactive_mode = "IfAvailable";
  REQUIRE(exec_provider(exec_rest_config(dir, setup), /*terminal=*/true)->current());
  info.Parse(read_file(info_file));
  CHECK(info["spec"]["interactive"].IsTrue());

  setup.interactive_mode = "Never";
  REQUIRE(exec_provider(exec_rest_config(dir, setup), /*terminal=*/true)->current());
  info.Parse(read_file(info_file));
  CHECK(info["spec"]["interactive"].IsFalse());

  setup.interactive_mode = "Always";
  auto creds = exec_provider(exec_rest_config(dir, setup), /*terminal=*/false)->current();
  REQUIRE_FALSE(creds);
  CHECK(creds.error().kubectl_line() ==
        "error: getting credentials: exec plugin cannot support interactive mode: standard input is not a "
        "terminal");
}
