// Reading kubectl's flags from a command line, with kubectl's words for usage errors.
//
// The flags themselves are declared once, in the verb table (dr/commands/verb_table.hpp), which
// registers them with cxxopts; this layer parses argv with them and reads the standard ones. Flags may
// appear anywhere among the positional words, as `--flag=value`, `--flag value`, `-n ns` or `-nns`;
// `--` ends the flags.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "dr/cli/printer.hpp"
#include "dr/core/error.hpp"
#include "dr/kube/dry_run.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::cli {

using kube::DryRun;  // --dry-run's modes: one enum for every layer

struct CommonFlags {
  kube::ConfigOverrides overrides;  // --kubeconfig, --context, -n, -s, --token, --as, TLS flags, ...
  int verbosity = 0;                // -v/--v
  bool all_namespaces = false;      // -A/--all-namespaces (or storkctl's -a where the command opts in)
  OutputFormat output = OutputFormat::Table;  // -o
  bool no_headers = false;                    // --no-headers
  DryRun dry_run = DryRun::None;              // --dry-run
  std::string selector;                       // -l/--selector
  bool watch = false;                         // -w/--watch
  std::vector<std::string> filenames;         // -f/--filename, in order ("-" = stdin)
  std::vector<std::string> positional;        // the words that are not flags, in order, never split
  bool help = false;                          // -h/--help
  // Deprecation notices kubectl would log (e.g. a bare --dry-run). The caller prints them on stderr.
  std::vector<std::string> warnings;
};

// Error::reason of the usage errors made from cxxopts' exceptions (unknown flag, missing value,
// bad value). report_error follows them with kubectl's "See '<cmd> --help' for usage." line;
// other usage errors get "See '<cmd> -h' for help and examples".
inline constexpr std::string_view kFlagErrorReason = "FlagError";

// The cxxopts option that collects the positional words (registered by the verb table).
inline constexpr std::string_view kPositionalArgs = "dr-positional-args";

// Parses argv (argv[0] is the program) with the options, turning cxxopts' exceptions into usage
// errors in kubectl's words ("unknown flag: --foo", "flag needs an argument: --namespace").
// kubectl's -v=N / --v=N / --v N spellings are accepted.
Result<cxxopts::ParseResult> parse_args(cxxopts::Options& options, int argc, const char* const* argv);

// Reads the standard and opt-in flags from a parse result; validates -o, --dry-run,
// --request-timeout and -n together with -A. Flags the Options did not define keep their defaults.
Result<CommonFlags> read_common_flags(const cxxopts::ParseResult& result);

// "See 'kubectl dr status -h' for help and examples" (kubectl's UsageErrorf line).
std::string usage_hint(std::string_view command);
// "See 'kubectl dr status --help' for usage." (kubectl's line after a flag error).
std::string flag_usage_hint(std::string_view command);

}  // namespace dr::cli
