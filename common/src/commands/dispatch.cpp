#include "dr/commands/dispatch.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>

#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "dr/commands/verb_table.hpp"
#include "dr/core/suggest.hpp"
#include "dr/version.hpp"

namespace dr::commands {

namespace {

constexpr std::string_view kUsageHint = "Run 'kubectl dr --help' for usage.\n";

DispatchPlan error_plan(std::string message) {
  DispatchPlan plan;
  plan.action = DispatchAction::Error;
  plan.message = "error: " + std::move(message) + "\n" + std::string(kUsageHint);
  return plan;
}

// `version [-o json|yaml]`: the flags after the word.
DispatchPlan plan_version(const std::vector<std::string>& rest) {
  DispatchPlan plan;
  plan.action = DispatchAction::Version;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string& word = rest[i];
    std::string value;
    if (word == "-o" || word == "--output") {
      if (i + 1 == rest.size()) return error_plan("flag needs an argument: '" + word + "'");
      value = rest[++i];
    } else if (word.rfind("--output=", 0) == 0) {
      value = word.substr(9);
    } else if (word.rfind("-o=", 0) == 0) {
      value = word.substr(3);
    } else if (word.rfind("-o", 0) == 0 && word.size() > 2) {
      value = word.substr(2);
    } else if (word.rfind('-', 0) == 0) {
      return error_plan("unknown flag: " + word);
    } else {
      return error_plan("unknown command \"" + word + "\" for \"kubectl dr version\"");
    }
    if (value != "json" && value != "yaml") return error_plan("--output must be 'yaml' or 'json'");
    plan.output = value;
  }
  return plan;
}

// cobra's unknown command, with its suggestions among the verbs (and `help`, `version`).
DispatchPlan unknown_command(const std::string& word) {
  std::vector<suggest::Candidate> candidates;
  for (const auto& verb : verb_table()) {
    suggest::Candidate candidate{verb.name, {verb.name}, {}};
    // kubectl's reading verbs are not ours: status is where what they would show is.
    if (verb.name == "status") candidate.suggest_for = {"get", "describe", "list"};
    candidates.push_back(std::move(candidate));
  }
  candidates.push_back({"help", {"help"}, {}});
  candidates.push_back({"version", {"version"}, {}});
  return error_plan("unknown command \"" + word + "\" for \"kubectl dr\"" +
                    suggest::did_you_mean(suggest::suggestions_for(word, candidates)));
}

}  // namespace

DispatchPlan plan_dispatch(const std::vector<std::string>& args) {
  // Find the command word, skipping kubectl's global flags (and their values) before it.
  std::size_t i = 0;
  std::vector<std::string> leading_flags;
  for (; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.empty() || word[0] != '-' || word == "-") break;
    if (word == "-h" || word == "--help") return {};
    if (word == "--version")
      return plan_version({args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end()});
    if (word == "--") {
      ++i;
      break;
    }
    const FlagDef* flag = find_flag(global_flags(), word);
    if (!flag) return error_plan("unknown flag: " + word.substr(0, word.find('=')));
    leading_flags.push_back(word);
    if (takes_next_word(*flag, word)) {
      if (i + 1 == args.size()) return error_plan("flag needs an argument: " + word);
      leading_flags.push_back(args[++i]);
    }
  }
  if (i == args.size()) return {};  // `kubectl dr` (perhaps with flags only): the help

  const std::string& command = args[i];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (command == "help") {
    if (rest.empty()) return {};
    if (find_verb(rest.front()) == nullptr) return unknown_command(rest.front());
    DispatchPlan plan;
    plan.action = DispatchAction::Exec;
    plan.verb = rest.front();
    plan.args = {"--help"};
    return plan;
  }
  if (command == "version") return plan_version(rest);
  if (find_verb(command) == nullptr) return unknown_command(command);

  DispatchPlan plan;
  plan.action = DispatchAction::Exec;
  plan.verb = command;
  plan.args = leading_flags;
  plan.args.insert(plan.args.end(), rest.begin(), rest.end());
  return plan;
}

std::string dispatch_help() {
  std::string text =
      "Fail applications over between clusters replicated by Portworx Stork (the storkctl DR runbook,\n"
      "from kubectl).\n"
      "\n"
      "Available Commands:\n";
  std::size_t width = 0;
  for (const auto& verb : verb_table()) width = std::max(width, verb.name.size());
  auto row = [&](std::string_view name, std::string_view summary) {
    text += "  " + std::string(name) + std::string(width + 3 - std::min(width, name.size()), ' ') +
            std::string(summary) + "\n";
  };
  for (const auto& verb : verb_table()) row(verb.name, verb.summary);
  row("version", "Print the version of kubectl-dr");
  text +=
      "\n"
      "Failover runbook (run on the surviving cluster unless noted):\n"
      "  1. kubectl dr deactivate clusterdomain FAILED-DOMAIN                 # mark the failed domain "
      "inactive\n"
      "  2. kubectl dr deactivate apps -n NS --context SOURCE                 # if the source is still "
      "reachable\n"
      "  3. kubectl dr suspend migrationschedule NAME -n NS --context SOURCE  # stop further migrations\n"
      "  4. kubectl dr activate migration -n NS                               # start the apps here (or -A)\n"
      "  5. kubectl dr status                                                 # failback: activate "
      "clusterdomain, resume\n"
      "\n"
      "Usage:\n"
      "  kubectl dr <command> [flags]\n"
      "\n"
      "Use \"kubectl dr <command> --help\" for more information about a command.\n";
  return text;
}

std::string version_text(std::string_view output) {
  const std::string v = "v" + dr::version();
  if (output == "json") {
    // Values are plain version words, hashes and os/arch: nothing to escape.
    return "{\n  \"name\": \"kubectl-dr\",\n  \"version\": \"" + v + "\",\n  \"gitCommit\": \"" +
           dr::git_commit() + "\",\n  \"platform\": \"" + dr::platform() + "\"\n}\n";
  }
  if (output == "yaml") {
    return "name: kubectl-dr\nversion: " + v + "\ngitCommit: \"" + dr::git_commit() +
           "\"\nplatform: " + dr::platform() + "\n";
  }
  return "kubectl-dr version " + v + " (commit " + dr::git_commit() + ", " + dr::platform() + ")\n";
}

std::string sibling_path(std::string_view self_path, std::string_view verb) {
  const auto slash = self_path.rfind('/');
  const std::string dir = slash == std::string_view::npos ? "." : std::string(self_path.substr(0, slash));
  return (dir.empty() ? std::string() : dir) + "/kubectl-dr-" + std::string(verb);
}

std::string missing_sibling_message(std::string_view verb, std::string_view expected_path,
                                    std::string_view reason) {
  return "error: cannot run \"kubectl dr " + std::string(verb) + "\": " + std::string(expected_path) + ": " +
         std::string(reason) + "\nkubectl-dr runs each command from the executable kubectl-dr-" +
         std::string(verb) +
         " next to it. Reinstall the plugin\n"
         "(kubectl krew uninstall dr && kubectl krew install dr, or extract the whole release archive into "
         "one\n"
         "directory) so that every kubectl-dr-* file sits beside kubectl-dr.\n";
}

std::optional<std::string> self_executable_path(const char* argv0) {
  char resolved[PATH_MAX];
#if defined(__linux__)
  const ssize_t n = ::readlink("/proc/self/exe", resolved, sizeof(resolved) - 1);
  if (n > 0) return std::string(resolved, static_cast<std::size_t>(n));
#elif defined(__APPLE__)
  char raw[PATH_MAX];
  uint32_t size = sizeof(raw);
  if (_NSGetExecutablePath(raw, &size) == 0 && ::realpath(raw, resolved) != nullptr)
    return std::string(resolved);
#endif
  // No /proc: argv[0] is a path when the program was run by one (kubectl runs plugins by full path).
  if (argv0 != nullptr && std::string_view(argv0).find('/') != std::string_view::npos &&
      ::realpath(argv0, resolved) != nullptr) {
    return std::string(resolved);
  }
  return std::nullopt;
}

}  // namespace dr::commands
