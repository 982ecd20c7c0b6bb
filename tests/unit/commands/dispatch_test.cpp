// The kubectl-dr dispatcher's decisions: which sibling runs with which arguments, help, version.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dr/commands/dispatch.hpp"
#include "dr/commands/verb_table.hpp"
#include "dr/version.hpp"

using dr::commands::DispatchAction;
using dr::commands::plan_dispatch;
using Args = std::vector<std::string>;

TEST_CASE("dispatch: a verb runs its sibling with the remaining words unchanged", "[dispatch]") {
  for (const auto& verb : dr::commands::verb_table()) {
    const auto plan = plan_dispatch({std::string(verb.name), "-n", "zookeeper", "--dry-run=client", "x y"});
    CHECK(plan.action == DispatchAction::Exec);
    CHECK(plan.verb == verb.name);
    CHECK(plan.args == Args{"-n", "zookeeper", "--dry-run=client", "x y"});
  }
  const auto bare = plan_dispatch({"status"});
  CHECK(bare.action == DispatchAction::Exec);
  CHECK(bare.args.empty());
  // Help of a verb is the verb's own.
  const auto help = plan_dispatch({"status", "--help"});
  CHECK(help.action == DispatchAction::Exec);
  CHECK(help.args == Args{"--help"});
}

TEST_CASE("dispatch: global flags before the verb are passed on", "[dispatch]") {
  auto plan =
      plan_dispatch({"--context", "us-east-1b", "-n=zk", "--insecure-skip-tls-verify", "status", "apps"});
  CHECK(plan.action == DispatchAction::Exec);
  CHECK(plan.verb == "status");
  CHECK(plan.args == Args{"--context", "us-east-1b", "-n=zk", "--insecure-skip-tls-verify", "apps"});
  // A flag's value is not mistaken for the verb.
  plan = plan_dispatch({"--context", "status", "activate"});
  CHECK(plan.verb == "activate");
  CHECK(plan_dispatch({"--context"}).action == DispatchAction::Error);
  const auto unknown = plan_dispatch({"--bogus", "status"});
  CHECK(unknown.action == DispatchAction::Error);
  CHECK(unknown.message == "error: unknown flag: --bogus\nRun 'kubectl dr --help' for usage.\n");
}

TEST_CASE("dispatch: unknown command in cobra's words", "[dispatch]") {
  const auto plan = plan_dispatch({"frobnicate", "--all"});
  CHECK(plan.action == DispatchAction::Error);
  CHECK(plan.message ==
        "error: unknown command \"frobnicate\" for \"kubectl dr\"\nRun 'kubectl dr --help' for usage.\n");
  CHECK(plan_dispatch({"help", "nope"}).action == DispatchAction::Error);
}

TEST_CASE("dispatch: help", "[dispatch]") {
  for (const auto& args : std::vector<Args>{{}, {"--help"}, {"-h"}, {"help"}, {"--context", "x"}}) {
    CHECK(plan_dispatch(args).action == DispatchAction::Help);
  }
  const auto verb_help = plan_dispatch({"help", "suspend"});
  CHECK(verb_help.action == DispatchAction::Exec);
  CHECK(verb_help.verb == "suspend");
  CHECK(verb_help.args == Args{"--help"});

  const std::string text = dr::commands::dispatch_help();
  for (const auto& verb : dr::commands::verb_table()) {
    CHECK(text.find("  " + std::string(verb.name) + " ") != std::string::npos);
    CHECK(text.find(std::string(verb.summary)) != std::string::npos);
  }
  CHECK(text.find("  1. kubectl dr deactivate clusterdomain") != std::string::npos);
  CHECK(text.find("  5. kubectl dr status") != std::string::npos);
  CHECK(text.find("  6. ") == std::string::npos);
}

TEST_CASE("dispatch: version, as text and JSON", "[dispatch]") {
  CHECK(plan_dispatch({"version"}).action == DispatchAction::Version);
  CHECK(plan_dispatch({"--version"}).action == DispatchAction::Version);
  CHECK(plan_dispatch({"version", "-o", "json"}).output == "json");
  CHECK(plan_dispatch({"version", "--output=json"}).output == "json");
  CHECK(plan_dispatch({"version", "-ojson"}).output == "json");
  CHECK(plan_dispatch({"version", "-o", "yaml"}).output == "yaml");
  CHECK(plan_dispatch({"version", "-o", "wide"}).action == DispatchAction::Error);
  CHECK(plan_dispatch({"version", "-o"}).action == DispatchAction::Error);
  CHECK(plan_dispatch({"version", "extra"}).action == DispatchAction::Error);

  const std::string v = "v" + dr::version();
  CHECK(dr::commands::version_text("") ==
        "kubectl-dr version " + v + " (commit " + dr::git_commit() + ", " + dr::platform() + ")\n");
  const std::string json = dr::commands::version_text("json");
  CHECK(json.find("\"version\": \"" + v + "\"") != std::string::npos);
  CHECK(json.find("\"platform\": \"" + dr::platform() + "\"") != std::string::npos);
  CHECK(json.front() == '{');
}

TEST_CASE("dispatch: the sibling lives next to the dispatcher", "[dispatch]") {
  CHECK(dr::commands::sibling_path("/home/u/.krew/store/dr/v0.1.0/kubectl-dr", "status") ==
        "/home/u/.krew/store/dr/v0.1.0/kubectl-dr-status");
  CHECK(dr::commands::sibling_path("/kubectl-dr", "resume") == "/kubectl-dr-resume");
  const std::string message = dr::commands::missing_sibling_message("status", "/opt/x/kubectl-dr-status",
                                                                    "No such file or directory");
  CHECK(message.find("/opt/x/kubectl-dr-status: No such file or directory") != std::string::npos);
  CHECK(message.find("Reinstall") != std::string::npos);
  CHECK(message.rfind("error: ", 0) == 0);
}

TEST_CASE("dispatch: the running executable's real path", "[dispatch]") {
  const auto self = dr::commands::self_executable_path(nullptr);
  REQUIRE(self.has_value());
  CHECK(self->front() == '/');
  CHECK(self->find("unit_tests") != std::string::npos);
}

TEST_CASE("dispatch: the help's runbook names the cluster of each step run elsewhere", "[dispatch]") {
  const std::string help = dr::commands::dispatch_help();
  // Steps 2 and 3 run on the source, the others on the surviving cluster (the current context).
  CHECK(help.find("kubectl dr deactivate apps -n NS --context SOURCE") != std::string::npos);
  CHECK(help.find("kubectl dr suspend migrationschedule NAME -n NS --context SOURCE") != std::string::npos);
}
