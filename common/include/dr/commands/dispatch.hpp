// The `kubectl-dr` dispatcher: krew puts only kubectl-dr on PATH, so `kubectl dr status ...` reaches
// it, and it hands over to the sibling executable kubectl-dr-status in its own directory. This is the
// pure part (which action a command line asks for, the texts it prints); plugins/dr/main.cpp does the
// exec.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dr::commands {

enum class DispatchAction {
  Help,     // print dispatch_help(), exit 0
  Version,  // print version_text(output), exit 0
  Exec,     // exec the sibling kubectl-dr-<verb> with `args`
  Error,    // print `message` (and the usage hint) on stderr, exit 1
};

struct DispatchPlan {
  DispatchAction action = DispatchAction::Help;
  std::string verb;               // Exec: the verb
  std::vector<std::string> args;  // Exec: the sibling's arguments (argv[1..]); the verb word removed
  std::string output;             // Version: "", "json" or "yaml"
  std::string message;            // Error: the whole stderr text, newline-terminated
};

// Decides what `kubectl dr ARGS...` does. `args` excludes argv[0]. Global kubectl flags may come
// before the verb (`kubectl dr --context east status`); they are passed on to the sibling.
DispatchPlan plan_dispatch(const std::vector<std::string>& args);

// The help of `kubectl dr` alone: the verbs of the verb table with one line each, and the failover
// runbook.
std::string dispatch_help();

// "kubectl-dr version v0.1.0 (commit abc1234, linux/amd64)\n", or the same facts as JSON/YAML.
std::string version_text(std::string_view output);

// DIR/kubectl-dr-VERB for the dispatcher at `self_path`.
std::string sibling_path(std::string_view self_path, std::string_view verb);

// The stderr text when the sibling cannot be executed (`reason` as strerror gives it).
std::string missing_sibling_message(std::string_view verb, std::string_view expected_path,
                                    std::string_view reason);

// The real path of the running executable (symlinks resolved), or nullopt. `argv0` is the fallback
// where the platform offers nothing better.
std::optional<std::string> self_executable_path(const char* argv0);

}  // namespace dr::commands
