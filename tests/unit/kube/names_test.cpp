// Names and namespaces checked as the API server checks them, and path segments that cannot climb
// or end the path: the URL injections of issue 25 (item 1) never reach a request.
#include <catch2/catch.hpp>

#include <string>

#include "dr/kube/api_client.hpp"
#include "dr/kube/names.hpp"
#include "support/api_client_fixture.hpp"
#include "support/wire_test_server.hpp"

using dr::kube::name_rule_violation;
using dr::kube::NameRule;
using wiretest::client_for;
using wiretest::Reply;
using wiretest::Request;
using wiretest::ScriptedServer;
namespace types = dr::kube::types;

TEST_CASE("names: RFC 1123 labels for namespaces, subdomains for object names", "[names]") {
  for (const char* good : {"zookeeper", "a", "0", "a-b", "kube-system", "x1"}) {
    CHECK(name_rule_violation(NameRule::DnsLabel, good).empty());
    CHECK(name_rule_violation(NameRule::DnsSubdomain, good).empty());
  }
  for (const char* subdomain_only : {"a.b", "zk.example.com", "a-1.b-2"}) {
    CHECK_FALSE(name_rule_violation(NameRule::DnsLabel, subdomain_only).empty());
    CHECK(name_rule_violation(NameRule::DnsSubdomain, subdomain_only).empty());
  }
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a?b", "a#b", "a%2Fb", "A", "-a", "a-", "a..b", ".a",
                          "a.", "a b", "a\nb", "é"}) {
    CAPTURE(bad);
    CHECK_FALSE(name_rule_violation(NameRule::DnsLabel, bad).empty());
    CHECK_FALSE(name_rule_violation(NameRule::DnsSubdomain, bad).empty());
  }
  CHECK(name_rule_violation(NameRule::DnsLabel, std::string(63, 'a')).empty());
  CHECK(name_rule_violation(NameRule::DnsLabel, std::string(64, 'a')) ==
        "must be no more than 63 characters");
  std::string longest_subdomain = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                  std::string(63, 'c') + "." + std::string(61, 'd');
  CHECK(longest_subdomain.size() == 253);
  CHECK(name_rule_violation(NameRule::DnsSubdomain, longest_subdomain).empty());
  CHECK(name_rule_violation(NameRule::DnsSubdomain, longest_subdomain + "d") ==
        "must be no more than 253 characters");
}

TEST_CASE("names: the error names the bad value and what is allowed, on one line", "[names]") {
  auto ns = dr::kube::validate_namespace("zookeeper/../other");
  REQUIRE_FALSE(ns);
  CHECK(ns.error().kubectl_line() ==
        "error: invalid namespace \"zookeeper/../other\": a lowercase RFC 1123 label must consist of lower "
        "case "
        "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
        "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  auto name = dr::kube::validate_name(types::migrationschedules, "s1\n?dryRun=All");
  REQUIRE_FALSE(name);
  CHECK_THAT(name.error().kubectl_line(),
             Catch::StartsWith("error: invalid migrationschedules.stork.libopenstorage.org name "
                               "\"s1\\x0a?dryRun=All\": a lowercase RFC 1123 subdomain must consist"));
  CHECK(name.error().kubectl_line().find('\n') == std::string::npos);
  // A namespace's own name is a label, not a subdomain.
  CHECK_FALSE(dr::kube::validate_name(types::namespaces, "a.b"));
  CHECK(dr::kube::validate_name(types::statefulsets, "a.b"));
}

TEST_CASE("paths: every segment is percent-encoded, dot segments included", "[names]") {
  CHECK(dr::kube::encode_path_segment("..") == "%2E%2E");
  CHECK(dr::kube::encode_path_segment(".") == "%2E");
  CHECK(dr::kube::encode_path_segment("a.b") == "a.b");
  CHECK(dr::kube::encode_path_segment("a/b?c#d") == "a%2Fb%3Fc%23d");
  CHECK(types::migrationschedules.path("zk/../other", "../x?dryRun=All") ==
        "/apis/stork.libopenstorage.org/v1alpha1/namespaces/zk%2F..%2Fother/migrationschedules/"
        "..%2Fx%3FdryRun%3DAll");
  dr::kube::ResourceType from_discovery{"g/../h", "v1?x", "things#", "Thing", true};
  CHECK(from_discovery.path("n", "o") == "/apis/g%2F..%2Fh/v1%3Fx/namespaces/n/things%23/o");
}

TEST_CASE("the client refuses an injected name or namespace before any request", "[names][api]") {
  ScriptedServer server([](const Request&) { return Reply::json(200, R"({"kind":"MigrationSchedule"})"); });
  auto client = client_for(server);
  const auto& type = types::migrationschedules;
  const std::string patch = R"({"spec":{"suspend":true}})";

  auto traversal = client.patch(type, "zookeeper", "../../other/migrationschedules/victim",
                                dr::kube::PatchType::Merge, patch);
  REQUIRE_FALSE(traversal);
  CHECK(traversal.error().code == dr::ErrorCode::Usage);
  CHECK_FALSE(client.patch(type, "zookeeper/../other", "victim", dr::kube::PatchType::Merge, patch));
  CHECK_FALSE(client.patch(type, "zookeeper", "s1?dryRun=All", dr::kube::PatchType::Merge, patch));
  CHECK_FALSE(client.get(type, "..", "victim"));
  CHECK_FALSE(client.get(type, "zookeeper", ""));
  CHECK_FALSE(client.remove(type, "zookeeper", "a/b"));
  rapidjson::Document crafted =
      wiretest::json(R"({"metadata":{"name":"../victim","namespace":"zookeeper"}})");
  CHECK_FALSE(client.update(type, "zookeeper", crafted));
  CHECK_FALSE(client.create(type, "zookeeper", crafted));
  CHECK_FALSE(client.list(type, "a/b", {},
                          [](rapidjson::Value&, std::string_view) -> dr::Result<void> { return {}; }));
  CHECK_FALSE(
      client.watch(type, "a?b", {}, "", {}, [](std::string_view, rapidjson::Value&) { return false; }));
  bool async_refused = false;
  client.patch_async(type, "zookeeper", "x#y", dr::kube::PatchType::Merge, patch, {},
                     [&](dr::Result<rapidjson::Document> result) { async_refused = !result; });
  bool submit_refused = false;
  client.submit("GET", type, "Zookeeper", "s1", "", "", true,
                [&](dr::Result<rapidjson::Document> result) { submit_refused = !result; });
  client.run_pending();
  CHECK(async_refused);
  CHECK(submit_refused);
  CHECK(server.requests() == 0);

  // A valid name still goes out, to its own path.
  CHECK(client.patch(type, "zookeeper", "s1.v2", dr::kube::PatchType::Merge, patch));
  CHECK(server.requests() == 1);
}
