#include "dr/cli/kubectl_flags.hpp"

#include <sstream>

#include "dr/kube/transport.hpp"
#include "dr/log.hpp"

namespace dr::cli {

namespace {

constexpr const char* kGlobal = "Global";
constexpr const char* kArgs = "dr-positional-args";

// cxxopts quotes names as ‘name’ (or `name' without unicode): pull the name out.
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

std::string dashed(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

bool has_option(const cxxopts::Options& options, const std::string& group, const std::string& name) {
  for (const auto& g : options.groups()) {
    if (g != group) continue;
    for (const auto& option : options.group_help(g).options) {
      if (option.l.size() > 0 && option.l.front() == name) return true;
      if (option.s == name) return true;
    }
  }
  return false;
}

}  // namespace

void add_kubectl_flags(cxxopts::Options& options) {
  options.add_options(kGlobal)
      ("kubeconfig", "Path to the kubeconfig file to use for CLI requests.", cxxopts::value<std::string>())
      ("context", "The name of the kubeconfig context to use", cxxopts::value<std::string>())
      ("cluster", "The name of the kubeconfig cluster to use", cxxopts::value<std::string>())
      ("user", "The name of the kubeconfig user to use", cxxopts::value<std::string>())
      ("n,namespace", "If present, the namespace scope for this CLI request", cxxopts::value<std::string>())
      ("s,server", "The address and port of the Kubernetes API server", cxxopts::value<std::string>())
      ("token", "Bearer token for authentication to the API server", cxxopts::value<std::string>())
      ("as", "Username to impersonate for the operation. User could be a regular user or a service account in a namespace.",
       cxxopts::value<std::string>())
      ("as-group", "Group to impersonate for the operation, this flag can be repeated to specify multiple groups.",
       cxxopts::value<std::vector<std::string>>())
      ("as-uid", "UID to impersonate for the operation.", cxxopts::value<std::string>())
      ("username", "Username for basic authentication to the API server", cxxopts::value<std::string>())
      ("password", "Password for basic authentication to the API server", cxxopts::value<std::string>())
      ("certificate-authority", "Path to a cert file for the certificate authority", cxxopts::value<std::string>())
      ("client-certificate", "Path to a client certificate file for TLS", cxxopts::value<std::string>())
      ("client-key", "Path to a client key file for TLS", cxxopts::value<std::string>())
      ("insecure-skip-tls-verify",
       "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
       cxxopts::value<bool>())
      ("tls-server-name",
       "Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used",
       cxxopts::value<std::string>())
      ("request-timeout",
       "The length of time to wait before giving up on a single server request. Non-zero values should contain a "
       "corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.",
       cxxopts::value<std::string>()->default_value("0"))
      ("v", "number for the log level verbosity (also --v=N)", cxxopts::value<int>()->default_value("0"))
      ("h,help", "help for this command");
  options.add_options()(kArgs, "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({kArgs});
}

void add_output_flags(cxxopts::Options& options, bool wide_allowed) {
  options.add_options()
      ("o,output",
       wide_allowed ? "Output format. One of: (json, yaml, name, wide)." : "Output format. One of: (json, yaml).",
       cxxopts::value<std::string>())
      ("no-headers", "When using the default or custom-column output format, don't print headers (default print headers).");
}

void add_all_namespaces_flag(cxxopts::Options& options, bool storkctl_alias) {
  options.add_options()("A,all-namespaces",
                        "If present, list the requested object(s) across all namespaces. Namespace in current context is "
                        "ignored even if specified with --namespace.");
  if (storkctl_alias) options.add_options()("a", "Same as -A (storkctl's spelling)");
}

void add_dry_run_flag(cxxopts::Options& options) {
  options.add_options()("dry-run",
                        "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that "
                        "would be sent, without sending it. If server strategy, submit server-side request without "
                        "persisting the resource.",
                        cxxopts::value<std::string>()->implicit_value("client"));
}

void add_selector_flag(cxxopts::Options& options) {
  options.add_options()("l,selector",
                        "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
                        "key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.",
                        cxxopts::value<std::string>());
}

void add_watch_flag(cxxopts::Options& options) {
  options.add_options()("w,watch", "After listing/getting the requested object, watch for changes.");
}

void add_filename_flag(cxxopts::Options& options) {
  options.add_options()("f,filename", "Filename, directory, or URL to files identifying the resource ('-' = stdin)",
                        cxxopts::value<std::vector<std::string>>());
}

// kubectl spells verbosity -v=6, --v=6 or --v 6; cxxopts knows only -v 6 / -v6.
std::vector<std::string> normalize_verbosity(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.rfind("--v=", 0) == 0 || arg.rfind("-v=", 0) == 0) {
      args.emplace_back("-v");
      args.emplace_back(arg.substr(arg.find('=') + 1));
    } else if (arg == "--v") {
      args.emplace_back("-v");
    } else {
      args.emplace_back(arg);
    }
  }
  return args;
}

Result<CommonFlags> parse_command_line(cxxopts::Options& options, int argc, const char* const* argv,
                                       cxxopts::ParseResult* raw) {
  CommonFlags flags;
  try {
    auto args = normalize_verbosity(argc, argv);
    std::vector<const char*> pointers;
    for (const auto& arg : args) pointers.push_back(arg.c_str());
    auto result = options.parse(static_cast<int>(pointers.size()), pointers.data());
    if (raw != nullptr) *raw = result;
    auto text = [&](const char* name) { return result.count(name) ? result[name].as<std::string>() : std::string(); };
    auto& o = flags.overrides;
    o.kubeconfig = text("kubeconfig");
    o.context = text("context");
    o.cluster = text("cluster");
    o.user = text("user");
    o.namespace_name = text("namespace");
    o.server = text("server");
    o.token = text("token");
    o.impersonate_user = text("as");
    if (result.count("as-group")) o.impersonate_groups = result["as-group"].as<std::vector<std::string>>();
    o.impersonate_uid = text("as-uid");
    o.username = text("username");
    o.password = text("password");
    o.certificate_authority = text("certificate-authority");
    o.client_certificate = text("client-certificate");
    o.client_key = text("client-key");
    if (result.count("insecure-skip-tls-verify")) o.insecure_skip_tls_verify = result["insecure-skip-tls-verify"].as<bool>();
    o.tls_server_name = text("tls-server-name");
    o.request_timeout = result["request-timeout"].as<std::string>();
    if (auto timeout = kube::parse_request_timeout(o.request_timeout); !timeout) return std::move(timeout).error();
    flags.verbosity = result["v"].as<int>();
    log::set_verbosity(flags.verbosity);
    flags.help = result.count("help") > 0;
    if (result.count(kArgs)) flags.positional = result[kArgs].as<std::vector<std::string>>();

    if (has_option(options, "", "all-namespaces")) {
      flags.all_namespaces = result.count("all-namespaces") > 0 || (has_option(options, "", "a") && result.count("a") > 0);
      if (flags.all_namespaces && !o.namespace_name.empty()) {
        return Error::usage("--namespace and --all-namespaces cannot be used together: pick one");
      }
    }
    if (has_option(options, "", "output")) {
      auto format = parse_output_format(text("output"), true);
      if (!format) return std::move(format).error();
      flags.output = *format;
      flags.no_headers = result.count("no-headers") > 0;
    }
    if (has_option(options, "", "dry-run") && result.count("dry-run")) {
      auto value = result["dry-run"].as<std::string>();
      if (value == "client") flags.dry_run = DryRunMode::Client;
      else if (value == "server") flags.dry_run = DryRunMode::Server;
      else if (value == "none") flags.dry_run = DryRunMode::None;
      else return Error::usage("Invalid dry-run value (" + value + "). Must be \"none\", \"server\", or \"client\".");
    }
    if (has_option(options, "", "selector")) flags.selector = text("selector");
    if (has_option(options, "", "watch")) flags.watch = result.count("watch") > 0;
    if (has_option(options, "", "filename") && result.count("filename")) {
      flags.filenames = result["filename"].as<std::vector<std::string>>();
    }
  } catch (const cxxopts::exceptions::no_such_option& e) {
    return Error::usage("unknown flag: " + dashed(quoted_name(e.what())));
  } catch (const cxxopts::exceptions::missing_argument& e) {
    return Error::usage("flag needs an argument: " + dashed(quoted_name(e.what())));
  } catch (const cxxopts::exceptions::option_requires_argument& e) {
    return Error::usage("flag needs an argument: " + dashed(quoted_name(e.what())));
  } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
    return Error::usage("invalid argument \"" + quoted_name(e.what()) + "\": not a valid value for its flag");
  } catch (const cxxopts::exceptions::gratuitous_argument_for_option& e) {
    return Error::usage(std::string("a flag that takes no value was given one: ") + e.what());
  } catch (const std::exception& e) {
    return Error::usage(e.what());
  }
  return flags;
}

std::string usage_hint(std::string_view command) { return "See '" + std::string(command) + " -h' for help and examples"; }

namespace {
// kubectl's layout: "    -n, --namespace='':" then the description on the next line, indented.
void describe_options(std::ostringstream& out, const cxxopts::Options& options, const std::vector<std::string>& groups) {
  for (const auto& group : groups) {
    for (const auto& option : options.group_help(group).options) {
      if (option.l.empty() && option.s.empty()) continue;
      if (!option.l.empty() && option.l.front() == kArgs) continue;
      out << "    ";
      if (!option.s.empty()) out << "-" << option.s << (option.l.empty() ? "" : ", ");
      if (!option.l.empty()) out << "--" << option.l.front();
      if (option.is_boolean) {
        out << "=false";
      } else if (option.is_container) {
        out << "=[]";
      } else {
        out << "='" << (option.has_default ? option.default_value : "") << "'";
      }
      out << ":\n\t" << option.desc << "\n\n";
    }
  }
}
}  // namespace

std::string help_text(const HelpSpec& help, const cxxopts::Options& options) {
  std::ostringstream out;
  out << help.short_description << ".\n";
  if (!help.long_description.empty()) out << "\n" << help.long_description << "\n";
  if (!help.examples.empty()) out << "\nExamples:\n" << help.examples << "\n";
  std::vector<std::string> own;
  for (const auto& group : options.groups()) {
    if (group != kGlobal) own.push_back(group);
  }
  out << "\nOptions:\n";
  describe_options(out, options, own);
  out << "Usage:\n  " << help.use << "\n\n";
  out << "The standard kubectl flags are accepted too:\n";
  describe_options(out, options, {kGlobal});
  return out.str();
}

}  // namespace dr::cli
