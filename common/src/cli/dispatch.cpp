#include "dr/cli/dispatch.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>

#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "dr/version.hpp"

namespace dr::cli {

namespace {

using FV = FlagValue;

// kubectl's flag set as the verbs register it (cli/kubectl_flags.cpp); the end-to-end test
// dispatcher_completion checks every name here against each verb's --help.
const std::vector<FlagSpec> kGlobalFlags = {
    {"kubeconfig", "", FV::Required, "Path to the kubeconfig file to use for CLI requests"},
    {"context", "", FV::Required, "The name of the kubeconfig context to use"},
    {"cluster", "", FV::Required, "The name of the kubeconfig cluster to use"},
    {"user", "", FV::Required, "The name of the kubeconfig user to use"},
    {"namespace", "n", FV::Required, "If present, the namespace scope for this CLI request"},
    {"server", "s", FV::Required, "The address and port of the Kubernetes API server"},
    {"token", "", FV::Required, "Bearer token for authentication to the API server"},
    {"as", "", FV::Required, "Username to impersonate for the operation"},
    {"as-group", "", FV::Required, "Group to impersonate for the operation"},
    {"as-uid", "", FV::Required, "UID to impersonate for the operation"},
    {"username", "", FV::Required, "Username for basic authentication to the API server"},
    {"password", "", FV::Required, "Password for basic authentication to the API server"},
    {"certificate-authority", "", FV::Required, "Path to a cert file for the certificate authority"},
    {"client-certificate", "", FV::Required, "Path to a client certificate file for TLS"},
    {"client-key", "", FV::Required, "Path to a client key file for TLS"},
    {"disable-compression", "", FV::None, "Opt out of response compression for all requests to the server"},
    {"insecure-skip-tls-verify", "", FV::None, "Do not check the server's certificate (insecure)"},
    {"tls-server-name", "", FV::Required, "Server name to use for server certificate validation"},
    {"request-timeout", "", FV::Required, "How long to wait for a single server request (0 = no limit)"},
    {"v", "", FV::Required, "Number for the log level verbosity"},
    {"help", "h", FV::None, "Help for this command"},
};

const std::vector<VerbInfo> kVerbs = {
    {"deactivate", "Deactivate a cluster domain, or stop applications without losing their replica counts"},
    {"status", "Show the DR state of this cluster"},
    {"suspend", "Suspend MigrationSchedules so no further migration runs"},
    {"activate", "Activate a cluster domain, or start the applications Stork migrated here"},
    {"resume", "Resume suspended MigrationSchedules"},
};

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

}  // namespace

const std::vector<FlagSpec>& kubectl_global_flags() {
  return kGlobalFlags;
}

const FlagSpec* find_flag(const std::vector<FlagSpec>& flags, std::string_view word) {
  if (word.size() < 2 || word[0] != '-') return nullptr;
  const auto eq = word.find('=');
  if (eq != std::string_view::npos) word = word.substr(0, eq);
  const bool long_form = word.substr(0, 2) == "--";
  const std::string_view name = word.substr(long_form ? 2 : 1);
  if (name.empty()) return nullptr;
  for (const auto& flag : flags) {
    // kubectl accepts --v as well as -v; single-letter long names go both ways.
    if (long_form ? (flag.name == name)
                  : (flag.shorthand == name || (flag.name.size() == 1 && flag.name == name))) {
      return &flag;
    }
  }
  return nullptr;
}

const std::vector<VerbInfo>& dr_verbs() {
  return kVerbs;
}

bool is_dr_verb(std::string_view word) {
  return std::any_of(kVerbs.begin(), kVerbs.end(), [&](const VerbInfo& v) { return v.name == word; });
}

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
    const FlagSpec* flag = find_flag(kubectl_global_flags(), word);
    if (!flag) return error_plan("unknown flag: " + word.substr(0, word.find('=')));
    leading_flags.push_back(word);
    if (flag->value == FlagValue::Required && word.find('=') == std::string::npos) {
      if (i + 1 == args.size()) return error_plan("flag needs an argument: " + word);
      leading_flags.push_back(args[++i]);
    }
  }
  if (i == args.size()) return {};  // `kubectl dr` (perhaps with flags only): the help

  const std::string& command = args[i];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (command == "help") {
    if (rest.empty()) return {};
    if (!is_dr_verb(rest.front()))
      return error_plan("unknown command \"" + rest.front() + "\" for \"kubectl dr\"");
    DispatchPlan plan;
    plan.action = DispatchAction::Exec;
    plan.verb = rest.front();
    plan.args = {"--help"};
    return plan;
  }
  if (command == "version") return plan_version(rest);
  if (!is_dr_verb(command)) return error_plan("unknown command \"" + command + "\" for \"kubectl dr\"");

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
  for (const auto& verb : kVerbs) width = std::max(width, verb.name.size());
  auto row = [&](std::string_view name, std::string_view summary) {
    text += "  " + std::string(name) + std::string(width + 3 - std::min(width, name.size()), ' ') +
            std::string(summary) + "\n";
  };
  for (const auto& verb : kVerbs) row(verb.name, verb.summary);
  row("version", "Print the version of kubectl-dr");
  text +=
      "\n"
      "Failover runbook (run on the surviving cluster unless noted):\n"
      "  1. kubectl dr deactivate clusterdomain FAILED-DOMAIN      # mark the failed domain inactive\n"
      "  2. kubectl dr deactivate apps -n NS --context SOURCE     # if the source is still reachable\n"
      "  3. kubectl dr suspend migrationschedule NAME -n NS        # stop further migrations\n"
      "  4. kubectl dr activate migration -n NS                    # start the apps here (or -A)\n"
      "  5. kubectl dr status                                      # failback: activate clusterdomain, "
      "resume\n"
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

}  // namespace dr::cli
