// Kubeconfig loading: file selection and merging, flag overrides, paths, in-cluster config, errors.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "dr/kube/kubeconfig.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using dr::kube::ConfigOverrides;
using dr::kube::Environment;
using dr::kube::load_kubeconfig;
using dr::kube::load_rest_config;

const std::string kData = DR_TEST_DATA_DIR "/kubeconfig";
const std::string kMulti = kData + "/multi";

// A scratch directory removed at the end of the test.
// An environment with only these variables: never the real HOME or KUBECONFIG.
Environment env_of(std::map<std::string, std::string> variables = {}) {
  Environment env = Environment::from_map(std::move(variables));
  env.service_account_dir = "/nonexistent/serviceaccount";
  return env;
}

Environment kubeconfig_env(const std::string& list) {
  return env_of({{"KUBECONFIG", list}});
}

ConfigOverrides with_kubeconfig(const std::string& file) {
  ConfigOverrides overrides;
  overrides.kubeconfig = file;
  return overrides;
}

std::string error_text(const dr::Error& error) {
  return error.kubectl_line();
}

const std::string kCaAlpha = "-----BEGIN CERTIFICATE-----\nCA-ALPHA\n-----END CERTIFICATE-----\n";
const std::string kCaBeta = "-----BEGIN CERTIFICATE-----\nCA-BETA\n-----END CERTIFICATE-----\n";

}  // namespace

TEST_CASE("flag --kubeconfig loads one file and its current context", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kMulti + "/a.yaml"), env_of());
  REQUIRE(config);
  CHECK(config->context_name == "alpha");
  CHECK(config->cluster_name == "alpha");
  CHECK(config->user_name == "alpha-user");
  CHECK(config->server == "https://alpha.example:6443");
  CHECK(config->bearer_token == "token-alpha");
  CHECK(config->namespace_name == "ns-alpha");
  CHECK_FALSE(config->namespace_from_flag);
  // certificate-authority is relative to a.yaml's directory, and loaded into memory.
  CHECK(config->tls.ca_pem == kCaAlpha);
  CHECK(config->tls.ca_source == fs::path(kMulti + "/certs/ca.pem").lexically_normal().string());
  CHECK(config->request_timeout.count() == 0);
}

TEST_CASE("KUBECONFIG merges files: first definition of a name wins", "[kubeconfig]") {
  const auto env = kubeconfig_env(kMulti + "/a.yaml:" + kMulti + "/sub/b.yaml");
  auto set = load_kubeconfig({}, env);
  REQUIRE(set);
  CHECK(set->files.size() == 2);
  CHECK(set->current_context == "alpha");
  CHECK(set->current_context_file == kMulti + "/a.yaml");
  CHECK(set->context_names() == std::vector<std::string>{"alpha", "beta", "shared"});
  CHECK(set->clusters.at("shared").server == "https://shared-from-a.example");
  CHECK(set->clusters.at("shared").source_file == kMulti + "/a.yaml");

  ConfigOverrides overrides;
  overrides.context = "shared";
  auto config = load_rest_config(overrides, env);
  REQUIRE(config);
  CHECK(config->server == "https://shared-from-a.example");
  CHECK(config->bearer_token == "shared-token-a");
  CHECK(config->namespace_name == "ns-shared-a");
}

TEST_CASE("KUBECONFIG order decides which file wins", "[kubeconfig]") {
  const auto env = kubeconfig_env(kMulti + "/sub/b.yaml:" + kMulti + "/a.yaml");
  auto config = load_rest_config({}, env);
  REQUIRE(config);
  CHECK(config->context_name == "beta");  // current-context of the first file

  ConfigOverrides overrides;
  overrides.context = "shared";
  config = load_rest_config(overrides, env);
  REQUIRE(config);
  CHECK(config->server == "https://shared-from-b.example");
  CHECK(config->bearer_token == "shared-token-b");
  CHECK(config->namespace_name == "ns-shared-b");
}

TEST_CASE("current-context comes from the first file that sets one", "[kubeconfig]") {
  const auto env = kubeconfig_env(kMulti + "/c.yaml:" + kMulti + "/sub/b.yaml:" + kMulti + "/a.yaml");
  auto set = load_kubeconfig({}, env);
  REQUIRE(set);
  CHECK(set->current_context == "beta");
  CHECK(set->contexts.count("gamma") == 1);
  auto config = load_rest_config({}, env);
  REQUIRE(config);
  CHECK(config->server == "https://beta.example:6443");
}

TEST_CASE("missing KUBECONFIG entries are skipped, empty entries ignored", "[kubeconfig]") {
  const auto env = kubeconfig_env("/nonexistent/one::" + kMulti + "/a.yaml:/nonexistent/two");
  auto set = load_kubeconfig({}, env);
  REQUIRE(set);
  CHECK(set->files == std::vector<std::string>{kMulti + "/a.yaml"});
  CHECK(set->candidates.size() == 3);
  auto config = load_rest_config({}, env);
  REQUIRE(config);
  CHECK(config->context_name == "alpha");
}

TEST_CASE("flag --kubeconfig wins over KUBECONFIG", "[kubeconfig]") {
  const auto env = kubeconfig_env(kMulti + "/a.yaml");
  auto config = load_rest_config(with_kubeconfig(kMulti + "/sub/b.yaml"), env);
  REQUIRE(config);
  CHECK(config->context_name == "beta");
  auto set = load_kubeconfig(with_kubeconfig(kMulti + "/sub/b.yaml"), env);
  REQUIRE(set);
  CHECK(set->explicit_file);
  CHECK(set->contexts.count("alpha") == 0);
}

TEST_CASE("a missing --kubeconfig file is an error naming it", "[kubeconfig]") {
  auto config =
      load_rest_config(with_kubeconfig("/nonexistent/kubeconfig.yaml"), kubeconfig_env(kMulti + "/a.yaml"));
  REQUIRE_FALSE(config);
  CHECK(config.error().code == dr::ErrorCode::Config);
  CHECK(error_text(config.error()) ==
        "error: the file given by --kubeconfig does not exist: /nonexistent/kubeconfig.yaml");
}

TEST_CASE("the default kubeconfig is ~/.kube/config, found through HOME", "[kubeconfig]") {
  TempDir home("dr-kubeconfig-test");
  std::ifstream source(kMulti + "/a.yaml");
  std::string content((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
  // Relative paths now resolve against ~/.kube, so point the CA at the fixture explicitly.
  const std::string relative = "certificate-authority: certs/ca.pem";
  content.replace(content.find(relative), relative.size(),
                  "certificate-authority: " + kMulti + "/certs/ca.pem");
  const std::string written = home.write(".kube/config", content);

  auto config = load_rest_config({}, env_of({{"HOME", home.path()}}));
  REQUIRE(config);
  CHECK(config->context_name == "alpha");
  CHECK(config->tls.ca_pem == kCaAlpha);

  // An explicitly injected home directory takes precedence over HOME.
  Environment env = env_of({{"HOME", "/nonexistent"}});
  env.home_dir = home.path();
  auto set = load_kubeconfig({}, env);
  REQUIRE(set);
  CHECK(set->files == std::vector<std::string>{written});

  // KUBECONFIG, when set, replaces the default entirely.
  auto other = load_rest_config({}, env_of({{"HOME", home.path()}, {"KUBECONFIG", kMulti + "/sub/b.yaml"}}));
  REQUIRE(other);
  CHECK(other->context_name == "beta");
}

TEST_CASE("no kubeconfig anywhere gives a clear error", "[kubeconfig]") {
  TempDir home("dr-kubeconfig-test");
  auto config = load_rest_config({}, env_of({{"HOME", home.path()}}));
  REQUIRE_FALSE(config);
  CHECK(config.error().code == dr::ErrorCode::Config);
  CHECK(error_text(config.error()) ==
        "error: no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config");

  auto listed = load_rest_config({}, kubeconfig_env("/nonexistent/a:/nonexistent/b"));
  REQUIRE_FALSE(listed);
  CHECK_THAT(error_text(listed.error()),
             Catch::StartsWith("error: no kubeconfig found: none of the files in KUBECONFIG exist "
                               "(/nonexistent/a, /nonexistent/b)"));
}

TEST_CASE("an empty kubeconfig is an error naming the file", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/empty.yaml"), env_of());
  REQUIRE_FALSE(config);
  CHECK_THAT(error_text(config.error()),
             Catch::StartsWith("error: kubeconfig " + kData + "/empty.yaml is empty"));
}

TEST_CASE("flag --context selects a context; an unknown one is an error", "[kubeconfig]") {
  const auto env = kubeconfig_env(kMulti + "/a.yaml:" + kMulti + "/sub/b.yaml");
  ConfigOverrides overrides;
  overrides.context = "beta";
  auto config = load_rest_config(overrides, env);
  REQUIRE(config);
  CHECK(config->context_name == "beta");
  CHECK(config->tls.server_name == "beta.internal");

  overrides.context = "prod";
  config = load_rest_config(overrides, env);
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) == "error: context \"prod\" not found in kubeconfig files " + kMulti +
                                          "/a.yaml, " + kMulti +
                                          "/sub/b.yaml (contexts: alpha, beta, shared)");
}

TEST_CASE("no current-context and no --context is an error listing the contexts", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/no-current.yaml"), env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) == "error: no current-context is set in kubeconfig " + kData +
                                          "/no-current.yaml and no --context was given (contexts: one, two)");
  ConfigOverrides overrides = with_kubeconfig(kData + "/no-current.yaml");
  overrides.context = "two";
  auto chosen = load_rest_config(overrides, env_of());
  REQUIRE(chosen);
  CHECK(chosen->server == "https://one.example");
  CHECK(chosen->bearer_token.empty());
}

TEST_CASE("a context naming a missing cluster or user is an error", "[kubeconfig]") {
  const std::string file = kData + "/dangling.yaml";
  auto config = load_rest_config(with_kubeconfig(file), env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) ==
        "error: cluster \"missing-cluster\" (used by context \"no-cluster\") not found in kubeconfig " +
            file);

  ConfigOverrides overrides = with_kubeconfig(file);
  overrides.context = "no-user";
  config = load_rest_config(overrides, env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) ==
        "error: user \"missing-user\" (used by context \"no-user\") not found in kubeconfig " + file);

  // --cluster repairs the first context.
  overrides.context = "no-cluster";
  overrides.cluster = "present";
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->server == "https://present.example");
}

TEST_CASE("a current-context that does not exist is an error naming where it was set", "[kubeconfig]") {
  TempDir dir("dr-kubeconfig-test");
  const std::string file = dir.write("config", R"(
current-context: gone
clusters:
- name: c
  cluster: {server: https://c.example}
contexts:
- name: here
  context: {cluster: c}
)");
  auto config = load_rest_config(with_kubeconfig(file), env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) == "error: current-context \"gone\" (set in " + file +
                                          ") not found in kubeconfig " + file + " (contexts: here)");
}

TEST_CASE("flag --cluster and --user override the context's choices", "[kubeconfig]") {
  ConfigOverrides overrides;
  overrides.cluster = "beta";
  overrides.user = "shared-user";
  auto config = load_rest_config(overrides, kubeconfig_env(kMulti + "/a.yaml:" + kMulti + "/sub/b.yaml"));
  REQUIRE(config);
  CHECK(config->context_name == "alpha");
  CHECK(config->cluster_name == "beta");
  CHECK(config->server == "https://beta.example:6443");
  CHECK(config->tls.ca_pem == kCaBeta);
  CHECK(config->user_name == "shared-user");
  CHECK(config->bearer_token == "shared-token-a");
  CHECK(config->namespace_name == "ns-alpha");  // still the context's namespace

  overrides.cluster.clear();
  overrides.user = "nobody";
  config = load_rest_config(overrides, kubeconfig_env(kMulti + "/a.yaml"));
  REQUIRE_FALSE(config);
  CHECK_THAT(error_text(config.error()),
             Catch::StartsWith("error: user \"nobody\" not found in kubeconfig "));
}

TEST_CASE("flag --server and --token work without any kubeconfig", "[kubeconfig]") {
  ConfigOverrides overrides;
  overrides.server = "https://10.0.0.1:6443";
  overrides.token = "flag-token";
  auto config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->server == "https://10.0.0.1:6443");
  CHECK(config->bearer_token == "flag-token");
  CHECK(config->namespace_name == "default");
  CHECK(config->context_name.empty());
  CHECK(config->tls.ca_pem.empty());

  // Without a scheme client-go picks http unless something TLS-ish is configured.
  overrides.server = "10.0.0.1:8080";
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->server == "http://10.0.0.1:8080");
  overrides.insecure_skip_tls_verify = true;
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->server == "https://10.0.0.1:8080");
}

TEST_CASE("flag --server and --token override the kubeconfig", "[kubeconfig]") {
  ConfigOverrides overrides = with_kubeconfig(kMulti + "/sub/b.yaml");
  overrides.server = "https://elsewhere.example";
  overrides.token = "flag-token";
  auto config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->server == "https://elsewhere.example");
  CHECK(config->tls.server_name.empty());  // another server: the file's tls-server-name no longer applies
  CHECK(config->tls.ca_pem == kCaBeta);
  CHECK(config->bearer_token == "flag-token");
  CHECK(config->token_file.empty());

  overrides.tls_server_name = "flag.internal";
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->tls.server_name == "flag.internal");
}

TEST_CASE("relative paths resolve against the file that defined the entry", "[kubeconfig]") {
  // b.yaml lives in sub/: its CA and tokenFile are there, even when merged after a.yaml.
  ConfigOverrides overrides;
  overrides.context = "beta";
  auto config = load_rest_config(overrides, kubeconfig_env(kMulti + "/a.yaml:" + kMulti + "/sub/b.yaml"));
  REQUIRE(config);
  CHECK(config->tls.ca_pem == kCaBeta);
  CHECK(config->tls.ca_source == kMulti + "/sub/ca-b.pem");
  CHECK(config->bearer_token == "token-from-beta-file");  // trailing newline trimmed
  CHECK(config->token_file == kMulti + "/sub/token.txt");

  overrides.context = "alpha";
  overrides.user = "cert-user";
  config = load_rest_config(overrides, kubeconfig_env(kMulti + "/sub/b.yaml:" + kMulti + "/a.yaml"));
  REQUIRE(config);
  CHECK(config->tls.client_cert_pem ==
        "-----BEGIN CERTIFICATE-----\nCLIENT-ALPHA\n-----END CERTIFICATE-----\n");
  CHECK(config->tls.client_key_pem == "-----BEGIN PRIVATE KEY-----\nKEY-ALPHA\n-----END PRIVATE KEY-----\n");
  CHECK(config->bearer_token.empty());
}

TEST_CASE("*-data fields are base64-decoded and win over file fields", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/data.yaml"), env_of());
  REQUIRE(config);
  CHECK(config->tls.ca_pem == "-----BEGIN CERTIFICATE-----\nCA-DATA\n-----END CERTIFICATE-----\n");
  CHECK(config->tls.ca_source == "certificate-authority-data");
  CHECK(config->tls.client_cert_pem ==
        "-----BEGIN CERTIFICATE-----\nCLIENT-DATA\n-----END CERTIFICATE-----\n");
  CHECK(config->tls.client_key_pem == "-----BEGIN PRIVATE KEY-----\nKEY-DATA\n-----END PRIVATE KEY-----\n");
}

TEST_CASE("bad base64 names the field, the entry and the file", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/bad-base64.yaml"), env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) ==
        "error: loading kubeconfig " + kData +
            "/bad-base64.yaml: line 8: certificate-authority-data of cluster \"x\" "
            "is not valid base64");
}

TEST_CASE("cluster TLS and connection settings: insecure, tls-server-name, proxy-url", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/data.yaml"), env_of());
  REQUIRE(config);
  CHECK(config->tls.server_name == "api.internal");
  CHECK(config->proxy_url == "http://proxy.example:3128");
  CHECK(config->disable_compression);
  CHECK_FALSE(config->tls.insecure_skip_verify);

  ConfigOverrides overrides = with_kubeconfig(kData + "/data.yaml");
  overrides.context = "insecure";
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->tls.insecure_skip_verify);
  CHECK(config->tls.ca_pem.empty());
  CHECK(config->proxy_url.empty());

  // --insecure-skip-tls-verify drops the file's CA (they would conflict); an explicit false wins.
  overrides.context = "data";
  overrides.insecure_skip_tls_verify = true;
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->tls.insecure_skip_verify);
  CHECK(config->tls.ca_pem.empty());
  overrides.context = "insecure";
  overrides.insecure_skip_tls_verify = false;
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK_FALSE(config->tls.insecure_skip_verify);
}

TEST_CASE("insecure-skip-tls-verify with a CA in the same cluster is refused, as client-go does",
          "[kubeconfig]") {
  // Issue 25 item 5: the pair connected unverified and sent the token.
  TempDir dir("dr-kubeconfig-test");
  const std::string file = dir.write("config", R"(
current-context: both
clusters:
- name: data
  cluster: {server: https://c.example, insecure-skip-tls-verify: true, certificate-authority-data: Zm9v}
- name: file
  cluster: {server: https://c.example, insecure-skip-tls-verify: true, certificate-authority: /no/such/ca.crt}
contexts:
- name: both
  context: {cluster: data}
- name: file
  context: {cluster: file}
)");
  ConfigOverrides overrides = with_kubeconfig(file);
  for (const char* context : {"both", "file"}) {
    overrides.context = context;
    auto config = load_rest_config(overrides, env_of());
    REQUIRE_FALSE(config);
    CHECK(error_text(config.error()) ==
          "error: specifying a root certificates file with the insecure flag is not allowed");
  }
  // The flag replaces the file's CA settings (client-go's override rule): no conflict then.
  overrides.insecure_skip_tls_verify = true;
  auto flagged = load_rest_config(overrides, env_of());
  REQUIRE(flagged);
  CHECK(flagged->tls.insecure_skip_verify);
}

TEST_CASE("disable-compression flag, given either way, wins over the cluster's setting", "[kubeconfig]") {
  ConfigOverrides overrides = with_kubeconfig(kData + "/data.yaml");
  overrides.disable_compression = false;
  auto config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK_FALSE(config->disable_compression);  // the file says true
  overrides.context = "insecure";
  overrides.disable_compression = true;
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->disable_compression);
  overrides.disable_compression.reset();
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK_FALSE(config->disable_compression);
}

TEST_CASE("TLS file flags replace the kubeconfig's and are read into memory", "[kubeconfig]") {
  ConfigOverrides overrides = with_kubeconfig(kData + "/data.yaml");
  overrides.certificate_authority = kMulti + "/sub/ca-b.pem";
  overrides.client_certificate = kMulti + "/certs/client.crt";
  overrides.client_key = kMulti + "/certs/client.key";
  auto config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->tls.ca_pem == kCaBeta);
  CHECK(config->tls.ca_source == kMulti + "/sub/ca-b.pem");
  CHECK(config->tls.client_cert_pem ==
        "-----BEGIN CERTIFICATE-----\nCLIENT-ALPHA\n-----END CERTIFICATE-----\n");
  CHECK(config->tls.client_key_pem == "-----BEGIN PRIVATE KEY-----\nKEY-ALPHA\n-----END PRIVATE KEY-----\n");

  overrides.certificate_authority = "/nonexistent/ca.pem";
  config = load_rest_config(overrides, env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) ==
        "error: reading certificate-authority /nonexistent/ca.pem (given by "
        "--certificate-authority): No such file or directory");
}

TEST_CASE("an unreadable file named in the kubeconfig is an error naming both files", "[kubeconfig]") {
  TempDir dir("dr-kubeconfig-test");
  const std::string file = dir.write("config", R"(
current-context: c
clusters:
- name: c
  cluster: {server: https://c.example, certificate-authority: missing-ca.pem}
contexts:
- name: c
  context: {cluster: c}
)");
  auto config = load_rest_config(with_kubeconfig(file), env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) == "error: reading certificate-authority " + dir.path() +
                                          "/missing-ca.pem (of cluster \"c\" in " + file +
                                          "): No such file or directory");
}

TEST_CASE("a client certificate without its key is an error", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/cert-without-key.yaml"), env_of());
  REQUIRE_FALSE(config);
  CHECK_THAT(error_text(config.error()),
             Catch::StartsWith("error: client-certificate is set for user \"u\" in " + kData +
                               "/cert-without-key.yaml but client-key is not"));
}

TEST_CASE("namespace: flag, then context, then default", "[kubeconfig]") {
  ConfigOverrides overrides = with_kubeconfig(kMulti + "/a.yaml");
  overrides.namespace_name = "from-flag";
  auto config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->namespace_name == "from-flag");
  CHECK(config->namespace_from_flag);

  overrides.namespace_name.clear();
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->namespace_name == "ns-alpha");
  CHECK_FALSE(config->namespace_from_flag);

  auto beta = load_rest_config(with_kubeconfig(kMulti + "/sub/b.yaml"), env_of());
  REQUIRE(beta);
  CHECK(beta->namespace_name == "default");
}

TEST_CASE("impersonation flags and their validation", "[kubeconfig]") {
  ConfigOverrides overrides = with_kubeconfig(kMulti + "/a.yaml");
  overrides.impersonate_user = "jane";
  overrides.impersonate_groups = {"admins", "ops"};
  overrides.impersonate_uid = "42";
  overrides.username = "basic-user";
  overrides.password = "basic-pass";
  auto config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK(config->impersonate_user == "jane");
  CHECK(config->impersonate_groups == std::vector<std::string>{"admins", "ops"});
  CHECK(config->impersonate_uid == "42");
  CHECK(config->username == "basic-user");
  CHECK(config->password == "basic-pass");

  overrides.impersonate_user.clear();
  config = load_rest_config(overrides, env_of());
  REQUIRE_FALSE(config);
  CHECK_THAT(error_text(config.error()), Catch::StartsWith("error: --as-group and --as-uid need --as"));
  CHECK_THAT(error_text(config.error()), !Catch::Contains("basic-pass"));
}

TEST_CASE("in-cluster config from the service-account directory", "[kubeconfig]") {
  TempDir sa("dr-kubeconfig-test");
  sa.write("token", "sa-token\n");
  sa.write("ca.crt", kCaAlpha);
  sa.write("namespace", "team-a\n");
  Environment env = env_of({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}});
  env.service_account_dir = sa.path();

  auto config = load_rest_config({}, env);
  REQUIRE(config);
  CHECK(config->server == "https://10.96.0.1:443");
  CHECK(config->bearer_token == "sa-token");
  CHECK(config->token_file == sa.path() + "/token");
  CHECK(config->tls.ca_pem == kCaAlpha);
  CHECK(config->tls.ca_source == sa.path() + "/ca.crt");
  CHECK(config->namespace_name == "team-a");
  CHECK(config->context_name.empty());

  ConfigOverrides overrides;
  overrides.namespace_name = "flag-ns";
  config = load_rest_config(overrides, env);
  REQUIRE(config);
  CHECK(config->namespace_name == "flag-ns");
  CHECK(config->namespace_from_flag);

  auto direct = dr::kube::in_cluster_config(env);
  REQUIRE(direct);
  CHECK(direct->server == "https://10.96.0.1:443");
}

TEST_CASE("in-cluster details: POD_NAMESPACE, IPv6, missing token, kubeconfig first", "[kubeconfig]") {
  TempDir sa("dr-kubeconfig-test");
  sa.write("ca.crt", kCaAlpha);
  Environment env = env_of({{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                            {"KUBERNETES_SERVICE_PORT", "6443"},
                            {"POD_NAMESPACE", "pod-ns"}});
  env.service_account_dir = sa.path();

  auto missing_token = load_rest_config({}, env);
  REQUIRE_FALSE(missing_token);
  CHECK_THAT(error_text(missing_token.error()),
             Catch::StartsWith("error: in-cluster config: reading tokenFile " + sa.path() + "/token"));

  sa.write("token", "t");
  auto config = load_rest_config({}, env);
  REQUIRE(config);
  CHECK(config->server == "https://[fd00::1]:6443");
  CHECK(config->namespace_name == "pod-ns");

  // Any kubeconfig found means in-cluster is not used (namespace file is not consulted either).
  auto with_file = load_rest_config(with_kubeconfig(kMulti + "/sub/b.yaml"), env);
  REQUIRE(with_file);
  CHECK(with_file->server == "https://beta.example:6443");
  CHECK(with_file->namespace_name == "default");

  auto outside = dr::kube::in_cluster_config(env_of());
  REQUIRE_FALSE(outside);
  CHECK_THAT(error_text(outside.error()), Catch::Contains("not running in a pod"));
}

TEST_CASE("YAML syntax errors report the file and the 1-based line", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/parse-error.yaml"), env_of());
  REQUIRE_FALSE(config);
  CHECK(config.error().code == dr::ErrorCode::Config);
  CHECK_THAT(error_text(config.error()),
             Catch::StartsWith("error: loading kubeconfig " + kData + "/parse-error.yaml: line 8: "));

  auto inline_error =
      dr::kube::parse_kubeconfig("clusters:\n- name: a\n  cluster: {server: x\n", "inline.yaml");
  REQUIRE_FALSE(inline_error);
  CHECK_THAT(error_text(inline_error.error()),
             Catch::StartsWith("error: loading kubeconfig inline.yaml: line "));
}

TEST_CASE("kubeconfig shape errors name the field and line", "[kubeconfig]") {
  auto not_a_map = dr::kube::parse_kubeconfig("- just\n- a list\n", "list.yaml");
  REQUIRE_FALSE(not_a_map);
  CHECK_THAT(error_text(not_a_map.error()), Catch::Contains("line 1: expected a kubeconfig mapping"));

  auto bad_bool = dr::kube::parse_kubeconfig(
      "clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: maybe\n", "bool.yaml");
  REQUIRE_FALSE(bad_bool);
  CHECK(error_text(bad_bool.error()) ==
        "error: loading kubeconfig bool.yaml: line 4: insecure-skip-tls-verify of "
        "cluster \"a\" must be true or false");

  auto unnamed = dr::kube::parse_kubeconfig("users:\n- user: {token: secret-value}\n", "unnamed.yaml");
  REQUIRE_FALSE(unnamed);
  CHECK_THAT(error_text(unnamed.error()), Catch::Contains("user entry without a name"));
  CHECK_THAT(error_text(unnamed.error()), !Catch::Contains("secret-value"));
}

TEST_CASE("legacy auth-provider users are refused with advice", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/auth-provider.yaml"), env_of());
  REQUIRE_FALSE(config);
  const std::string text = error_text(config.error());
  CHECK_THAT(text,
             Catch::StartsWith("error: user \"gke\" in " + kData +
                               "/auth-provider.yaml uses auth-provider \"gcp\", which kubectl-dr does not "
                               "support: configure an exec credential plugin"));
  CHECK_THAT(text, !Catch::Contains("secret-access-token"));

  // A --token makes the auth-provider irrelevant.
  ConfigOverrides overrides = with_kubeconfig(kData + "/auth-provider.yaml");
  overrides.token = "t";
  CHECK(load_rest_config(overrides, env_of()));
}

TEST_CASE("exec users: v1 requires interactiveMode, v1beta1 defaults it", "[kubeconfig]") {
  ConfigOverrides overrides = with_kubeconfig(kData + "/exec.yaml");
  overrides.context = "v1-no-mode";
  auto config = load_rest_config(overrides, env_of());
  REQUIRE_FALSE(config);
  CHECK(error_text(config.error()) ==
        "error: interactiveMode must be specified for user \"v1-no-mode\" in " + kData +
            "/exec.yaml to use exec authentication plugin (Never, IfAvailable or "
            "Always)");

  overrides.context = "v1beta1";
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  REQUIRE(config->exec);
  CHECK(config->exec->interactive_mode == "IfAvailable");
  CHECK(config->exec->command == "kubelogin");  // bare names are looked up on PATH later
}

TEST_CASE("exec users: every field is read, commands with a slash resolve per file", "[kubeconfig]") {
  auto config = load_rest_config(with_kubeconfig(kData + "/exec.yaml"), env_of());
  REQUIRE(config);
  REQUIRE(config->exec);
  const auto& exec = *config->exec;
  CHECK(exec.api_version == "client.authentication.k8s.io/v1");
  CHECK(exec.command == kData + "/bin/plugin.sh");
  CHECK(exec.base_dir == kData);
  CHECK(exec.args == std::vector<std::string>{"--cluster", "prod"});
  REQUIRE(exec.env.size() == 2);
  CHECK(exec.env[0] == std::pair<std::string, std::string>{"PLUGIN_MODE", "token"});
  CHECK(exec.env[1] == std::pair<std::string, std::string>{"EMPTY", ""});
  CHECK(exec.install_hint == "install it with your package manager");
  CHECK(exec.provide_cluster_info);
  CHECK(exec.interactive_mode == "Never");
  CHECK(config->bearer_token.empty());

  // --token replaces the exec plugin.
  ConfigOverrides overrides = with_kubeconfig(kData + "/exec.yaml");
  overrides.token = "t";
  config = load_rest_config(overrides, env_of());
  REQUIRE(config);
  CHECK_FALSE(config->exec);
}
