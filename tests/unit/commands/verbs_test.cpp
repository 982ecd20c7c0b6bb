// The verbs' flows in process: run_verb with string streams and a client factory that points at a
// scripted API server, so each path is checked (output, error line, exit code, requests) without
// spawning a plugin.
#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/commands/commands.hpp"
#include "support/wire_test_server.hpp"

using wiretest::Reply;
using wiretest::Request;
using wiretest::ScriptedServer;

namespace {

constexpr const char* kStork = "/apis/stork.libopenstorage.org/v1alpha1";

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run run(ScriptedServer* server, std::vector<const char*> words, const std::string& input = "",
        bool terminal = false) {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  dr::commands::Io io{in, out, err, terminal, {}, terminal};
  io.client_factory = [server](const dr::kube::ConfigOverrides& overrides,
                               const dr::commands::ConnectOptions&,
                               std::ostream&) -> dr::Result<std::unique_ptr<dr::kube::ApiClient>> {
    if (server == nullptr) throw std::runtime_error("no server in this test");
    auto config = wiretest::config_for(server->url());
    config.namespace_name = overrides.namespace_name;
    return std::make_unique<dr::kube::ApiClient>(config, nullptr, wiretest::fast_retries());
  };
  std::vector<const char*> argv{"kubectl-dr"};
  argv.insert(argv.end(), words.begin() + 1, words.end());
  Run result;
  result.code = dr::commands::run_verb(words.front(), static_cast<int>(argv.size()), argv.data(), io);
  result.out = out.str();
  result.err = err.str();
  return result;
}

const char* kDomainsStatus =
    R"({"kind":"ClusterDomainsStatusList","apiVersion":"stork.libopenstorage.org/v1alpha1",
  "metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"px-dr-cluster",
  "creationTimestamp":"2026-12-01T22:38:00Z"},"status":{"localDomain":"us-east-1b","clusterDomainInfos":[
  {"name":"us-east-1a","state":"Inactive","syncStatus":"InSync"},
  {"name":"us-east-1b","state":"Active","syncStatus":"InSync"}]}}]})";

}  // namespace

TEST_CASE("verbs: suspend sends one merge patch per schedule and says so", "[verbs]") {
  ScriptedServer server([](const Request& request) {
    if (request.method == "PATCH")
      return Reply::json(200, R"({"kind":"MigrationSchedule","metadata":{"name":"s1"}})");
    return Reply::json(404, R"({"kind":"Status","status":"Failure","reason":"NotFound","code":404})");
  });
  auto result = run(&server, {"suspend", "migrationschedule", "s1", "-n", "zk"});
  CHECK(result.code == 0);
  CHECK(result.out == "MigrationSchedule s1 suspended successfully\n");
  CHECK(result.err.empty());
  const auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].path.rfind(std::string(kStork) + "/namespaces/zk/migrationschedules/s1", 0) == 0);
  CHECK(seen[0].body == R"({"spec":{"suspend":true}})");
}

TEST_CASE("verbs: status views list once and print kubectl's table", "[verbs]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.rfind(std::string(kStork) + "/clusterdomainsstatuses", 0) == 0)
      return Reply::json(200, kDomainsStatus);
    if (request.path.rfind(std::string(kStork) + "/clusterdomainupdates", 0) == 0)
      return Reply::json(200, R"({"kind":"ClusterDomainUpdateList","metadata":{},"items":[]})");
    return Reply::json(404, R"({"kind":"Status","status":"Failure","reason":"NotFound","code":404})");
  });
  auto domains = run(&server, {"status"});
  CHECK(domains.code == 0);
  CHECK(domains.out ==
        "NAME            LOCAL-DOMAIN   ACTIVE                INACTIVE              CREATED\n"
        "px-dr-cluster   us-east-1b     us-east-1b (InSync)   us-east-1a (InSync)   01 Dec 26 22:38 UTC\n");
  auto empty = run(&server, {"status", "cdu"});
  CHECK(empty.code == 0);
  CHECK(empty.out.empty());
  CHECK(empty.err == "No resources found\n");
  auto named = run(&server, {"status", "clusterdomains", "-o", "name"});
  CHECK(named.out == "clusterdomainsstatus.stork.libopenstorage.org/px-dr-cluster\n");
}

TEST_CASE("verbs: a list item that is not an object is an error, not a crash", "[verbs]") {
  ScriptedServer server([](const Request&) {
    return Reply::json(200, R"({"kind":"ClusterDomainsStatusList","metadata":{},"items":["x"]})");
  });
  auto result = run(&server, {"status"});
  CHECK(result.code == 1);
  CHECK(result.out.empty());
  CHECK(result.err == "error: the server's ClusterDomainsStatus list holds an item that is not an object\n");
}

TEST_CASE("verbs: an unknown cluster domain is storkctl's one line, without a usage hint", "[verbs]") {
  ScriptedServer server([](const Request& request) {
    if (request.method == "GET") return Reply::json(200, kDomainsStatus);
    return Reply::json(500, "{}");
  });
  auto result = run(&server, {"activate", "clusterdomain", "nope"});
  CHECK(result.code == 1);
  CHECK(result.err == "error: provided cluster domain nope not found\n");
  CHECK(server.requests() == 1);  // the list; nothing created
  auto already = run(&server, {"activate", "cd", "us-east-1b", "-o", "json"});
  CHECK(already.code == 0);
  // With -o the note is a diagnostic and stdout stays JSON: an empty List, nothing created.
  CHECK(already.err == "Cluster Domain us-east-1b is already active; no update created\n");
  rapidjson::Document printed;
  printed.Parse(already.out.c_str());
  REQUIRE_FALSE(printed.HasParseError());
  CHECK(std::string(printed["kind"].GetString()) == "List");
  CHECK(printed["items"].Empty());
  auto named = run(&server, {"activate", "cd", "us-east-1b", "-o", "name"});
  CHECK(named.code == 0);
  CHECK(named.out.empty());
}

TEST_CASE("verbs: usage errors print the error and the hint once, and send nothing", "[verbs]") {
  ScriptedServer server([](const Request&) { return Reply::json(500, "{}"); });
  auto missing = run(&server, {"deactivate", "clusterdomain"});
  CHECK(missing.code == 1);
  CHECK(missing.err ==
        "error: a cluster domain name is required, e.g. kubectl dr deactivate clusterdomain us-east-1a\n"
        "See 'kubectl dr deactivate -h' for help and examples\n");
  auto unknown = run(&server, {"activate", "pods"});
  CHECK(unknown.err ==
        "error: unknown resource \"pods\" for activate: use clusterdomain or migration\n"
        "See 'kubectl dr activate -h' for help and examples\n");
  auto nothing = run(&server, {"activate"});
  CHECK(nothing.err ==
        "error: say what to activate: clusterdomain or migration\n"
        "See 'kubectl dr activate -h' for help and examples\n");
  auto flag = run(&server, {"status", "--bogus"});
  CHECK(flag.code == 1);
  CHECK(flag.err == "error: unknown flag: --bogus\nSee 'kubectl dr status --help' for usage.\n");
  auto timeout = run(&server, {"activate", "clusterdomain", "us-east-1a", "--wait", "--timeout", "soon"});
  CHECK(timeout.code == 1);
  CHECK(timeout.err.rfind("error: invalid argument \"soon\" for \"--timeout\" flag", 0) == 0);
  auto schedules = run(&server, {"resume", "migrationschedule", "a", "--all"});
  CHECK(schedules.err ==
        "error: use only one of: names, --all, --cluster-pair, -f\n"
        "See 'kubectl dr resume -h' for help and examples\n");
  CHECK(server.requests() == 0);
}

TEST_CASE("verbs: --help prints the subcommand's help on stdout and connects nowhere", "[verbs]") {
  auto help = run(nullptr, {"activate", "clusterdomain", "--help"});
  CHECK(help.code == 0);
  CHECK(help.err.empty());
  CHECK(help.out.find("    --timeout='10m':\n") != std::string::npos);
  CHECK(help.out.find("--max-inflight") == std::string::npos);
  auto verb = run(nullptr, {"deactivate", "-h"});
  CHECK(verb.out.find("Available Commands:\n  clusterdomain   Mark a cluster domain inactive\n") !=
        std::string::npos);
}

TEST_CASE("verbs: anything that escapes a verb is one internal error line and exit 1", "[verbs]") {
  auto result = run(nullptr, {"status", "migrations"});
  CHECK(result.code == 1);
  CHECK(result.out.empty());
  CHECK(result.err == "error: internal error: no server in this test\n");
}

TEST_CASE("verbs: clusterdomain --wait shows storkctl's progress line on a terminal only", "[verbs]") {
  // Stork has decided by the first poll: the line has no dots, whatever the machine's speed.
  ScriptedServer server([](const Request& request) {
    const bool updates = request.path.find("/clusterdomainupdates") != std::string::npos;
    if (request.method == "POST") return Reply::json(201, request.body);
    if (request.method == "GET" && !updates) return Reply::json(200, kDomainsStatus);
    if (request.path.find("/clusterdomainupdates/") != std::string::npos) {
      return Reply::json(200, R"({"metadata":{"name":"u"},"spec":{"clusterdomain":"us-east-1a","active":true},
        "status":{"status":"Successful"}})");
    }
    return Reply::json(200, R"({"kind":"ClusterDomainUpdateList","metadata":{},"items":[]})");
  });
  auto terminal =
      run(&server, {"activate", "clusterdomain", "us-east-1a", "--name", "u", "--wait"}, "", true);
  CHECK(terminal.code == 0);
  CHECK(terminal.err == "Activating.\n");
  CHECK(terminal.out ==
        "Cluster Domain activate operation started successfully for us-east-1a\n"
        "Cluster Domain us-east-1a updated successfully\n");
  auto redirected = run(&server, {"activate", "clusterdomain", "us-east-1a", "--name", "u", "--wait"});
  CHECK(redirected.code == 0);
  CHECK(redirected.err.empty());
}

TEST_CASE("verbs: deactivating the local domain asks on a terminal, and refuses elsewhere", "[verbs]") {
  int created = 0;
  ScriptedServer server([&](const Request& request) {
    if (request.method == "POST") {
      ++created;
      return Reply::json(201, request.body);
    }
    if (request.path.find("/clusterdomainupdates") != std::string::npos) {
      return Reply::json(200, R"({"kind":"ClusterDomainUpdateList","metadata":{},"items":[]})");
    }
    return Reply::json(200, kDomainsStatus);  // us-east-1b is local and the only active domain
  });
  auto piped = run(&server, {"deactivate", "clusterdomain", "us-east-1b"}, "y\n");
  CHECK(piped.code == 1);
  CHECK(piped.err.find("refusing to deactivate: us-east-1b is the local cluster domain") !=
        std::string::npos);
  auto declined = run(&server, {"deactivate", "clusterdomain", "us-east-1b"}, "n\n", true);
  CHECK(declined.code == 1);
  CHECK(declined.err.find("Deactivate anyway? [y/N]: ") != std::string::npos);
  CHECK(created == 0);
  auto accepted = run(&server, {"deactivate", "clusterdomain", "us-east-1b"}, "y\n", true);
  CHECK(accepted.code == 0);
  CHECK(accepted.out == "Cluster Domain deactivate operation started successfully for us-east-1b\n");
  CHECK(created == 1);
}
