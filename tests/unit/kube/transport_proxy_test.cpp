// The transport takes its proxy from the environment as kubectl does (proxy_env.hpp), or from the
// kubeconfig's proxy-url, and names the proxy when it is the proxy that failed (issue 25, item 7).
#include <cstdlib>

#include <catch2/catch.hpp>
#include <string>

#include "dr/kube/transport.hpp"
#include "support/wire_test_server.hpp"

using wiretest::config_for;
using wiretest::fast_retries;
using wiretest::get;
using wiretest::Reply;
using wiretest::Request;
using wiretest::ScriptedServer;

namespace {

// Sets the variables for one test and restores the process's environment after it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::initializer_list<std::pair<const char*, std::string>> variables) {
    for (const char* name : kNames) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      unsetenv(name);
    }
    for (const auto& [name, value] : variables) setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    for (const char* name : kNames) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  static constexpr const char* kNames[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                           "NO_PROXY",   "no_proxy",   "ALL_PROXY",   "all_proxy"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace

TEST_CASE("proxy: HTTP_PROXY carries requests to other hosts; loopback and NO_PROXY go direct", "[proxy]") {
  ScriptedServer proxy([](const Request&) { return Reply::json(200, R"({"via":"proxy"})"); });
  ScriptedServer direct([](const Request&) { return Reply::json(200, R"({"via":"direct"})"); });
  ScopedEnvironment environment{{"HTTP_PROXY", proxy.url()}, {"NO_PROXY", "skip.invalid"}};

  dr::kube::Transport remote(config_for("http://api.cluster.invalid:6443"), nullptr, fast_retries());
  auto through = remote.perform(get("/version"));
  REQUIRE(through);
  CHECK(through->body == R"({"via":"proxy"})");
  REQUIRE(proxy.seen().size() == 1);
  CHECK(proxy.seen().at(0).path == "http://api.cluster.invalid:6443/version");  // a proxy's request line

  dr::kube::Transport loopback(config_for(direct.url()), nullptr, fast_retries());
  auto straight = loopback.perform(get("/version"));
  REQUIRE(straight);
  CHECK(straight->body == R"({"via":"direct"})");

  dr::kube::Transport exempt(config_for("http://api.skip.invalid:6443"), nullptr, fast_retries());
  auto skipped = exempt.perform(get("/version"));
  REQUIRE_FALSE(skipped);  // went direct, so the name did not resolve
  CHECK_THAT(skipped.error().message, Catch::Contains("lookup api.skip.invalid"));
  CHECK(proxy.seen().size() == 1);
}

TEST_CASE("proxy: a proxy that refuses is named in the error; proxy-url wins over the environment",
          "[proxy]") {
  const std::string closed = [] {
    ScriptedServer gone([](const Request&) { return Reply{}; });
    return gone.url();
  }();
  ScriptedServer kubeconfig_proxy([](const Request&) { return Reply::json(200, "{}"); });
  ScopedEnvironment environment{{"HTTP_PROXY", closed}};

  dr::kube::Transport refused(config_for("http://api.cluster.invalid:6443"), nullptr, fast_retries());
  auto failed = refused.perform(get("/version"));
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().message,
             Catch::StartsWith("Unable to connect to the server: proxyconnect tcp: " + closed));

  auto config = config_for("http://api.cluster.invalid:6443");
  config.proxy_url = kubeconfig_proxy.url();
  dr::kube::Transport configured(config, nullptr, fast_retries());
  REQUIRE(configured.perform(get("/version")));
  CHECK(kubeconfig_proxy.requests() == 1);
}
