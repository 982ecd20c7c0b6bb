// kubectl's flag set, shared by every command, and kubectl-style help and usage errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "dr/cli/output.hpp"
#include "dr/error.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::cli {

enum class DryRunMode { None, Client, Server };

struct CommonFlags {
  kube::ConfigOverrides overrides;
  int verbosity = 0;
  bool all_namespaces = false;
  OutputFormat output = OutputFormat::Table;
  bool no_headers = false;
  DryRunMode dry_run = DryRunMode::None;
  std::string selector;
  bool watch = false;
  std::vector<std::string> filenames;
  std::vector<std::string> positional;  // the words that are not flags, in order
  bool help = false;
};

struct HelpSpec {
  std::string command;  // "kubectl dr status"
  std::string use;      // "kubectl dr status [RESOURCE] [flags]"
  std::string short_description;
  std::string long_description;
  std::string examples;  // kubectl style: two-space indented, "# " comments
};

// --kubeconfig --context --cluster --user -n -s --token --as --as-group --as-uid --username
// --password --certificate-authority --client-certificate --client-key --insecure-skip-tls-verify
// --tls-server-name --request-timeout -v, and -h/--help. In the group "Global".
void add_kubectl_flags(cxxopts::Options& options);
void add_output_flags(cxxopts::Options& options, bool wide_allowed);   // -o, --no-headers
void add_all_namespaces_flag(cxxopts::Options& options, bool storkctl_alias);  // -A (and -a)
void add_dry_run_flag(cxxopts::Options& options);  // --dry-run[=none|client|server]
void add_selector_flag(cxxopts::Options& options);  // -l/--selector
void add_watch_flag(cxxopts::Options& options);     // -w/--watch
void add_filename_flag(cxxopts::Options& options);  // -f/--filename (repeatable)

// Parses argv (flags anywhere among the positional words), applies -v, validates -o and --dry-run.
// cxxopts' exceptions become usage errors in kubectl's words ("unknown flag: --foo").
// `raw`, when given, receives cxxopts' result so a command can read its own flags.
Result<CommonFlags> parse_command_line(cxxopts::Options& options, int argc, const char* const* argv,
                                       cxxopts::ParseResult* raw = nullptr);

// "See 'kubectl dr status -h' for help and examples"
std::string usage_hint(std::string_view command);

// Description, Examples, Options (the command's own groups), Global flags, Usage.
std::string help_text(const HelpSpec& help, const cxxopts::Options& options);

}  // namespace dr::cli
