#include "dr/cli/flags.hpp"

#include <algorithm>

#include "dr/core/duration.hpp"
#include "dr/core/strings.hpp"

namespace dr::cli {

namespace {

// cxxopts quotes names as ‘name’ (or `name' when built without unicode): the text inside.
std::string quoted_name(std::string_view message) {
  auto open = message.find("\xE2\x80\x98");
  std::size_t skip = 3;
  if (open == std::string_view::npos) {
    open = message.find('`');
    skip = 1;
  }
  if (open == std::string_view::npos) return std::string(message);
  auto start = open + skip;
  auto close = message.find("\xE2\x80\x99", start);
  if (close == std::string_view::npos) close = message.find('\'', start);
  return std::string(message.substr(start, close - start));
}

// The argv word a short flag came from: "-x" in "-Ax" -> "-Ax".
std::string short_flag_word(const std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-' && arg.find(name) != std::string::npos) return arg;
  }
  return "-" + name;
}

// pflag's spelling of an option in messages: "-n, --namespace" or "--context".
std::string option_label(const cxxopts::Options& options, const std::string& name) {
  for (const auto& group : options.groups()) {
    for (const auto& option : options.group_help(group).options) {
      bool match = option.s == name || std::find(option.l.begin(), option.l.end(), name) != option.l.end();
      if (!match) continue;
      std::string label;
      if (!option.s.empty()) label = "-" + option.s;
      if (!option.l.empty()) label += (label.empty() ? "--" : ", --") + option.l.front();
      return label;
    }
  }
  return (name.size() == 1 ? "-" : "--") + name;
}

// The flag whose value was `value` ("--all-namespaces=maybe" or "-v x"), for error messages.
std::string flag_with_value(const std::vector<std::string>& args, const std::string& value) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--") break;
    auto eq = arg.find('=');
    if (arg.size() > 1 && arg[0] == '-' && eq != std::string::npos && arg.substr(eq + 1) == value) {
      return arg.substr(arg.find_first_not_of('-'), eq - arg.find_first_not_of('-'));
    }
    if (arg.size() > 1 && arg[0] == '-' && i + 1 < args.size() && args[i + 1] == value) {
      return arg.substr(arg.find_first_not_of('-'));
    }
    if (arg.size() > 2 && arg[0] == '-' && arg[1] != '-' && arg.substr(2) == value) return arg.substr(1, 1);
  }
  return {};
}

Error flag_error(std::string message) {
  Error error = Error::usage(std::move(message));
  error.reason = std::string(kFlagErrorReason);
  return error;
}

// kubectl spells verbosity -v=6, --v=6, --v 6 or -v 6; cxxopts knows -v 6 and -v6.
std::vector<std::string> normalize(int argc, const char* const* argv) {
  std::vector<std::string> args;
  bool flags_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i] == nullptr ? std::string_view() : std::string_view(argv[i]);
    if (i == 0 || flags_done) {
      args.emplace_back(arg);
      continue;
    }
    if (arg == "--") flags_done = true;
    if (arg.rfind("--v=", 0) == 0) {
      args.emplace_back("-v");
      args.emplace_back(arg.substr(4));
    } else if (arg.size() >= 3 && arg[0] == '-' && arg[1] != '-' && arg[2] == '=') {
      // pflag reads -o=json as -o json (cxxopts would keep the "=").
      args.emplace_back(arg.substr(0, 2));
      args.emplace_back(arg.substr(3));
    } else if (arg == "--v") {
      args.emplace_back("-v");
    } else {
      args.emplace_back(arg);
    }
  }
  return args;
}

bool flag_set(const cxxopts::ParseResult& result, const char* name) {
  return result.count(name) > 0 && result[name].as<bool>();
}

std::string text_flag(const cxxopts::ParseResult& result, const char* name) {
  return result.count(name) > 0 ? result[name].as<std::string>() : std::string();
}

// Every value given to a flag, in order, unsplit (cxxopts would split vectors at commas).
std::vector<std::string> all_values(const cxxopts::ParseResult& result, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& kv : result.arguments()) {
    if (kv.key() == name) values.push_back(kv.value());
  }
  return values;
}

}  // namespace

Result<cxxopts::ParseResult> parse_args(cxxopts::Options& options, int argc, const char* const* argv) {
  auto args = normalize(argc, argv);
  if (args.empty()) args.emplace_back("kubectl-dr");
  std::vector<const char*> pointers;
  pointers.reserve(args.size());
  for (const auto& arg : args) pointers.push_back(arg.c_str());
  try {
    return options.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const cxxopts::exceptions::no_such_option& e) {
    auto name = quoted_name(e.what());
    if (name.size() == 1)
      return flag_error("unknown shorthand flag: '" + name + "' in " + short_flag_word(args, name));
    return flag_error("unknown flag: --" + name);
  } catch (const cxxopts::exceptions::missing_argument& e) {
    auto name = quoted_name(e.what());
    if (name.size() == 1)
      return flag_error("flag needs an argument: '" + name + "' in " + short_flag_word(args, name));
    return flag_error("flag needs an argument: --" + name);
  } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
    auto value = quoted_name(e.what());
    auto name = flag_with_value(args, value);
    std::string message = "invalid argument \"" + value + "\"";
    if (!name.empty()) message += " for \"" + option_label(options, name) + "\" flag";
    return flag_error(message + ": parsing \"" + value + "\": invalid syntax");
  } catch (const cxxopts::exceptions::exception& e) {
    return flag_error(e.what());
  } catch (const std::exception& e) {
    return flag_error(e.what());
  }
}

Result<CommonFlags> read_common_flags(const cxxopts::ParseResult& result) {
  CommonFlags flags;
  try {
    auto& o = flags.overrides;
    o.kubeconfig = text_flag(result, "kubeconfig");
    o.context = text_flag(result, "context");
    o.cluster = text_flag(result, "cluster");
    o.user = text_flag(result, "user");
    o.namespace_name = text_flag(result, "namespace");
    o.server = text_flag(result, "server");
    o.token = text_flag(result, "token");
    o.impersonate_user = text_flag(result, "as");
    o.impersonate_groups = all_values(result, "as-group");
    o.impersonate_uid = text_flag(result, "as-uid");
    o.username = text_flag(result, "username");
    o.password = text_flag(result, "password");
    o.certificate_authority = text_flag(result, "certificate-authority");
    o.client_certificate = text_flag(result, "client-certificate");
    o.client_key = text_flag(result, "client-key");
    if (result.count("insecure-skip-tls-verify")) {
      o.insecure_skip_tls_verify = result["insecure-skip-tls-verify"].as<bool>();
    }
    o.tls_server_name = text_flag(result, "tls-server-name");
    if (result.count("disable-compression")) o.disable_compression = result["disable-compression"].as<bool>();
    o.request_timeout = result.count("request-timeout") ? result["request-timeout"].as<std::string>() : "0";
    if (auto timeout = parse_request_timeout(o.request_timeout); !timeout) return std::move(timeout).error();
    flags.verbosity = result.count("v") ? result["v"].as<int>() : 0;
    flags.help = flag_set(result, "help");
    flags.positional = all_values(result, kPositionalArgs);

    flags.all_namespaces = flag_set(result, "all-namespaces") || flag_set(result, "a");
    if (flags.all_namespaces && !o.namespace_name.empty()) {
      return Error::usage("--namespace and --all-namespaces cannot be used together: pick one");
    }

    auto output = parse_output_format(text_flag(result, "output"), true);
    if (!output) return std::move(output).error();
    flags.output = *output;
    flags.no_headers = flag_set(result, "no-headers");

    if (result.count("dry-run")) {
      // kubectl's GetDryRunStrategy: none|client|server; a bare --dry-run and true mean client,
      // false means none, each with a deprecation warning.
      auto value = result["dry-run"].as<std::string>();
      if (value == "client") {
        flags.dry_run = DryRun::Client;
      } else if (value == "server") {
        flags.dry_run = DryRun::Server;
      } else if (value == "none") {
        flags.dry_run = DryRun::None;
      } else if (value == "unchanged") {
        flags.dry_run = DryRun::Client;
        flags.warnings.emplace_back("--dry-run is deprecated and can be replaced with --dry-run=client.");
      } else if (value == "true" || value == "false" || value == "1" || value == "0" || value == "t" ||
                 value == "f" || value == "TRUE" || value == "FALSE" || value == "True" || value == "False" ||
                 value == "T" || value == "F") {
        bool on = value == "true" || value == "1" || value == "t" || value == "TRUE" || value == "True" ||
                  value == "T";
        flags.dry_run = on ? DryRun::Client : DryRun::None;
        flags.warnings.emplace_back("--dry-run=" + value +
                                    " is deprecated (boolean value) and can be replaced with --dry-run=" +
                                    (on ? "client." : "none."));
      } else {
        return Error::usage("Invalid dry-run value (" + value +
                            "). Must be \"none\", \"server\", or \"client\".");
      }
    }
    flags.selector = text_flag(result, "selector");
    flags.watch = flag_set(result, "watch");
    // -f a.yaml -f b.json,c.json: every occurrence, each split at commas, as kubectl's StringSlice.
    for (const auto& value : all_values(result, "filename")) {
      for (auto piece : strings::split(value, ',')) {
        if (!piece.empty()) flags.filenames.emplace_back(piece);
      }
    }
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::Internal, std::string("reading the command line: ") + e.what());
  }
  return flags;
}

std::string usage_hint(std::string_view command) {
  return "See '" + std::string(command) + " -h' for help and examples";
}

std::string flag_usage_hint(std::string_view command) {
  return "See '" + std::string(command) + " --help' for usage.";
}

}  // namespace dr::cli
