// kubectl's flag set, shared by every command, and kubectl-style help and usage errors.
//
// A command builds one cxxopts::Options, adds the standard kubectl flags (add_kubectl_flags) and the
// opt-in groups it supports, then calls parse_command_line. Flags may appear anywhere among the
// positional words, as `--flag=value`, `--flag value`, `-n ns` or `-nns`; `--` ends the flags.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "dr/cli/printer.hpp"
#include "dr/error.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::cli {

enum class DryRunMode { None, Client, Server };

struct CommonFlags {
  kube::ConfigOverrides overrides;  // --kubeconfig, --context, -n, -s, --token, --as, TLS flags, ...
  int verbosity = 0;                // -v/--v
  bool all_namespaces = false;      // -A/--all-namespaces (or storkctl's -a where the command opts in)
  OutputFormat output = OutputFormat::Table;  // -o
  bool no_headers = false;                    // --no-headers
  DryRunMode dry_run = DryRunMode::None;      // --dry-run
  std::string selector;                       // -l/--selector
  bool watch = false;                         // -w/--watch
  std::vector<std::string> filenames;         // -f/--filename, in order ("-" = stdin)
  std::vector<std::string> positional;        // the words that are not flags, in order, never split
  bool help = false;                          // -h/--help
  // Deprecation notices kubectl would log (e.g. a bare --dry-run). The caller prints them on stderr.
  std::vector<std::string> warnings;
};

struct HelpSpec {
  std::string command;            // "kubectl dr status"
  std::string use;                // "kubectl dr status [RESOURCE] [options]"
  std::string short_description;  // one line, no trailing period
  std::string long_description;   // optional; replaces short_description at the top when given
  std::string examples;           // kubectl style: two-space indented, "# " comments
};

// Error::reason of the usage errors made from cxxopts' exceptions (unknown flag, missing value,
// bad value). report_error follows them with kubectl's "See '<cmd> --help' for usage." line;
// other usage errors get "See '<cmd> -h' for help and examples".
inline constexpr std::string_view kFlagErrorReason = "FlagError";

// --kubeconfig --context --cluster --user -n/--namespace -s/--server --token --as --as-group
// --as-uid --username --password --certificate-authority --client-certificate --client-key
// --insecure-skip-tls-verify --tls-server-name --request-timeout -v/--v, and -h/--help; in the
// help group "Global". Also registers the positional words.
void add_kubectl_flags(cxxopts::Options& options);
// Opt-in groups, in the command's own help group.
void add_output_flags(cxxopts::Options& options, bool wide_allowed = true);            // -o, --no-headers
void add_all_namespaces_flag(cxxopts::Options& options, bool storkctl_alias = false);  // -A (and -a)
void add_dry_run_flag(cxxopts::Options& options);   // --dry-run=none|client|server (bare = client)
void add_selector_flag(cxxopts::Options& options);  // -l/--selector
void add_watch_flag(cxxopts::Options& options);     // -w/--watch
void add_filename_flag(cxxopts::Options& options);  // -f/--filename (repeatable, comma-separated)

// Parses argv (argv[0] is the program) with the options, turning cxxopts' exceptions into usage
// errors in kubectl's words ("unknown flag: --foo", "flag needs an argument: --namespace").
// kubectl's -v=N / --v=N / --v N spellings are accepted.
Result<cxxopts::ParseResult> parse_args(cxxopts::Options& options, int argc, const char* const* argv);

// Reads the standard and opt-in flags from a parse result; validates -o, --dry-run,
// --request-timeout and -n together with -A. Flags the Options did not define keep their defaults.
Result<CommonFlags> read_common_flags(const cxxopts::ParseResult& result);

// parse_args + read_common_flags + log::set_verbosity. `raw`, when given, receives cxxopts' result
// so the command can read its own flags.
Result<CommonFlags> parse_command_line(cxxopts::Options& options, int argc, const char* const* argv,
                                       cxxopts::ParseResult* raw = nullptr);

// "See 'kubectl dr status -h' for help and examples" (kubectl's UsageErrorf line).
std::string usage_hint(std::string_view command);
// "See 'kubectl dr status --help' for usage." (kubectl's line after a flag error).
std::string flag_usage_hint(std::string_view command);

// kubectl's help layout: description, "Examples:", "Options:" (the command's own flags), "Usage:",
// then the standard kubectl flags under "Global options (accepted by every kubectl dr command):".
std::string help_text(const HelpSpec& help, const cxxopts::Options& options);

}  // namespace dr::cli
