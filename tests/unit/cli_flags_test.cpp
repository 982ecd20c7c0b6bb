// kubectl's flag set: both spellings, repeats, flags among positional words, kubectl's errors.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "dr/cli/flags.hpp"
#include "dr/cli/report.hpp"

using namespace dr::cli;

namespace {

cxxopts::Options all_options() {
  cxxopts::Options options("kubectl-dr-status", "test");
  add_kubectl_flags(options);
  add_output_flags(options);
  add_all_namespaces_flag(options, true);
  add_dry_run_flag(options);
  add_selector_flag(options);
  add_watch_flag(options);
  add_filename_flag(options);
  options.add_options()("max-inflight", "own flag", cxxopts::value<int>()->default_value("32"));
  return options;
}

dr::Result<CommonFlags> parse(std::initializer_list<const char*> words, cxxopts::ParseResult* raw = nullptr) {
  static cxxopts::Options options = all_options();
  std::vector<const char*> argv{"kubectl-dr-status"};
  argv.insert(argv.end(), words.begin(), words.end());
  return parse_command_line(options, static_cast<int>(argv.size()), argv.data(), raw);
}

std::string error_of(std::initializer_list<const char*> words) {
  auto flags = parse(words);
  REQUIRE_FALSE(flags);
  return flags.error().kubectl_line();
}

}  // namespace

TEST_CASE("defaults when no flag is given", "[cli]") {
  auto flags = parse({});
  REQUIRE(flags);
  CHECK(flags->overrides.request_timeout == "0");
  CHECK(flags->overrides.namespace_name.empty());
  CHECK_FALSE(flags->overrides.insecure_skip_tls_verify);
  CHECK(flags->verbosity == 0);
  CHECK(flags->output == OutputFormat::Table);
  CHECK(flags->dry_run == DryRunMode::None);
  CHECK_FALSE(flags->all_namespaces);
  CHECK_FALSE(flags->watch);
  CHECK_FALSE(flags->no_headers);
  CHECK_FALSE(flags->help);
  CHECK(flags->positional.empty());
  CHECK(flags->filenames.empty());
  CHECK(flags->warnings.empty());
}

TEST_CASE("every standard flag reaches ConfigOverrides, in both spellings", "[cli]") {
  auto flags = parse({"--kubeconfig=/k",
                      "--context",
                      "ctx",
                      "--cluster=c",
                      "--user",
                      "u",
                      "--server=https://s:6443",
                      "--token",
                      "t",
                      "--as=jane",
                      "--as-group",
                      "g1",
                      "--as-group=g2,with-comma",
                      "--as-uid=42",
                      "--username",
                      "basic",
                      "--password=secret",
                      "--certificate-authority",
                      "ca.crt",
                      "--client-certificate=c.crt",
                      "--client-key",
                      "c.key",
                      "--insecure-skip-tls-verify",
                      "--tls-server-name=api.example",
                      "--disable-compression",
                      "--request-timeout",
                      "30s",
                      "--v=6"});
  REQUIRE(flags);
  const auto& o = flags->overrides;
  CHECK(o.kubeconfig == "/k");
  CHECK(o.context == "ctx");
  CHECK(o.cluster == "c");
  CHECK(o.user == "u");
  CHECK(o.server == "https://s:6443");
  CHECK(o.token == "t");
  CHECK(o.impersonate_user == "jane");
  CHECK(o.impersonate_groups == std::vector<std::string>{"g1", "g2,with-comma"});
  CHECK(o.impersonate_uid == "42");
  CHECK(o.username == "basic");
  CHECK(o.password == "secret");
  CHECK(o.certificate_authority == "ca.crt");
  CHECK(o.client_certificate == "c.crt");
  CHECK(o.client_key == "c.key");
  REQUIRE(o.insecure_skip_tls_verify);
  CHECK(*o.insecure_skip_tls_verify);
  CHECK(o.tls_server_name == "api.example");
  REQUIRE(o.disable_compression);
  CHECK(*o.disable_compression);
  CHECK(o.request_timeout == "30s");
  CHECK(flags->verbosity == 6);
}

TEST_CASE("short flags: -n ns, -nns, -n=ns, -s, -v spellings", "[cli]") {
  for (auto words : {std::vector<const char*>{"-n", "zookeeper"},
                     {"-nzookeeper"},
                     {"--namespace=zookeeper"},
                     {"--namespace", "zookeeper"}}) {
    std::vector<const char*> argv{"kubectl-dr-status"};
    argv.insert(argv.end(), words.begin(), words.end());
    auto options = all_options();
    auto flags = parse_command_line(options, static_cast<int>(argv.size()), argv.data());
    REQUIRE(flags);
    CHECK(flags->overrides.namespace_name == "zookeeper");
  }
  for (auto v : {"-v=4", "-v4", "--v=4"}) {
    auto flags = parse({v});
    REQUIRE(flags);
    CHECK(flags->verbosity == 4);
  }
  auto spaced = parse({"--v", "7"});
  REQUIRE(spaced);
  CHECK(spaced->verbosity == 7);
  auto server = parse({"-s", "https://x"});
  REQUIRE(server);
  CHECK(server->overrides.server == "https://x");
  CHECK(parse({"--insecure-skip-tls-verify=false"})->overrides.insecure_skip_tls_verify == false);
  CHECK(parse({"--disable-compression=false"})->overrides.disable_compression == false);
  CHECK_FALSE(parse({})->overrides.disable_compression.has_value());
}

TEST_CASE("positional words are collected in order around flags, never split", "[cli]") {
  cxxopts::ParseResult raw;
  auto flags = parse(
      {"clusterdomains", "-n", "ns", "a,b", "--max-inflight=8", "-o", "json", "last", "--", "-x"}, &raw);
  REQUIRE(flags);
  CHECK(flags->positional == std::vector<std::string>{"clusterdomains", "a,b", "last", "-x"});
  CHECK(flags->overrides.namespace_name == "ns");
  CHECK(flags->output == OutputFormat::Json);
  CHECK(raw["max-inflight"].as<int>() == 8);
}

TEST_CASE("flags: -o, --no-headers, -A/-a, -l, -w, -f", "[cli]") {
  auto flags = parse({"-o=wide", "--no-headers", "-A", "-l", "app=zk,tier!=db", "-w", "-f", "a.yaml", "-f",
                      "-", "--filename=b.json,c.json"});
  REQUIRE(flags);
  CHECK(flags->output == OutputFormat::Wide);
  CHECK(flags->no_headers);
  CHECK(flags->all_namespaces);
  CHECK(flags->selector == "app=zk,tier!=db");
  CHECK(flags->watch);
  CHECK(flags->filenames == std::vector<std::string>{"a.yaml", "-", "b.json", "c.json"});
  CHECK(parse({"-a"})->all_namespaces);
  CHECK(parse({"--all-namespaces"})->all_namespaces);
  CHECK_FALSE(parse({"--all-namespaces=false"})->all_namespaces);
  CHECK_FALSE(parse({"--watch=false"})->watch);
  CHECK(parse({"-oyaml"})->output == OutputFormat::Yaml);
  CHECK(parse({"--output", "name"})->output == OutputFormat::Name);
}

TEST_CASE("flags: -a is only an alias where the command opts in", "[cli]") {
  cxxopts::Options options("kubectl-dr-status", "test");
  add_kubectl_flags(options);
  add_all_namespaces_flag(options);
  const char* argv[] = {"kubectl-dr-status", "-a"};
  auto flags = parse_command_line(options, 2, argv);
  REQUIRE_FALSE(flags);
  CHECK(flags.error().kubectl_line() == "error: unknown shorthand flag: 'a' in -a");
}

TEST_CASE("flags: --dry-run values as kubectl reads them", "[cli]") {
  CHECK(parse({"--dry-run=client"})->dry_run == DryRunMode::Client);
  CHECK(parse({"--dry-run=server"})->dry_run == DryRunMode::Server);
  CHECK(parse({"--dry-run=none"})->dry_run == DryRunMode::None);
  auto bare = parse({"--dry-run"});
  REQUIRE(bare);
  CHECK(bare->dry_run == DryRunMode::Client);
  REQUIRE(bare->warnings.size() == 1);
  CHECK(bare->warnings[0] == "--dry-run is deprecated and can be replaced with --dry-run=client.");
  // A bare --dry-run does not take the next word (pflag's NoOptDefVal): it stays positional.
  auto next = parse({"--dry-run", "server"});
  REQUIRE(next);
  CHECK(next->dry_run == DryRunMode::Client);
  CHECK(next->positional == std::vector<std::string>{"server"});
  auto boolean = parse({"--dry-run=true"});
  REQUIRE(boolean);
  CHECK(boolean->dry_run == DryRunMode::Client);
  CHECK(boolean->warnings.at(0) ==
        "--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client.");
  CHECK(parse({"--dry-run=false"})->dry_run == DryRunMode::None);
  CHECK(error_of({"--dry-run=maybe"}) ==
        "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".");
}

TEST_CASE("flag errors read like kubectl's", "[cli]") {
  CHECK(error_of({"--foo"}) == "error: unknown flag: --foo");
  CHECK(error_of({"--foo=bar"}) == "error: unknown flag: --foo");
  CHECK(error_of({"-Z"}) == "error: unknown shorthand flag: 'Z' in -Z");
  CHECK(error_of({"-n"}) == "error: flag needs an argument: 'n' in -n");
  CHECK(error_of({"--namespace"}) == "error: flag needs an argument: --namespace");
  CHECK(error_of({"--context"}) == "error: flag needs an argument: --context");
  CHECK(error_of({"-v", "x"}) ==
        "error: invalid argument \"x\" for \"-v\" flag: parsing \"x\": invalid syntax");
  CHECK(error_of({"--all-namespaces=maybe"}) ==
        "error: invalid argument \"maybe\" for \"-A, --all-namespaces\" flag: parsing \"maybe\": invalid "
        "syntax");
  CHECK(error_of({"-o", "xml"}) ==
        "error: unable to match a printer suitable for the output format \"xml\", allowed formats are: "
        "json,name,wide,yaml");
  CHECK(error_of({"-n", "x", "-A"}) ==
        "error: --namespace and --all-namespaces cannot be used together: pick one");
  auto flag = parse({"--foo"});
  REQUIRE_FALSE(flag);
  CHECK(flag.error().code == dr::ErrorCode::Usage);
  CHECK(flag.error().reason == kFlagErrorReason);
}

TEST_CASE("flags: --request-timeout is validated", "[cli]") {
  CHECK(parse({"--request-timeout=0"}));
  CHECK(parse({"--request-timeout=30"}));
  CHECK(parse({"--request-timeout=1m30s"}));
  auto bad = parse({"--request-timeout=soon"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == dr::ErrorCode::Usage);
}

TEST_CASE("flags: -h/--help is reported, not an error", "[cli]") {
  CHECK(parse({"-h"})->help);
  CHECK(parse({"status", "--help"})->help);
}

TEST_CASE("read_common_flags works on a parse result of a command with only some groups", "[cli]") {
  cxxopts::Options options("kubectl-dr-suspend", "test");
  add_kubectl_flags(options);
  add_dry_run_flag(options);
  const char* argv[] = {"kubectl-dr-suspend", "migrationschedule", "--dry-run=server", "-n", "zk", "s1"};
  auto raw = parse_args(options, 6, argv);
  REQUIRE(raw);
  auto flags = read_common_flags(*raw);
  REQUIRE(flags);
  CHECK(flags->dry_run == DryRunMode::Server);
  CHECK(flags->overrides.namespace_name == "zk");
  CHECK(flags->positional == std::vector<std::string>{"migrationschedule", "s1"});
  CHECK(flags->output == OutputFormat::Table);
  const char* with_output[] = {"kubectl-dr-suspend", "-o", "json"};
  auto rejected = parse_args(options, 3, with_output);
  REQUIRE_FALSE(rejected);
  CHECK(rejected.error().kubectl_line() == "error: unknown shorthand flag: 'o' in -o");
}

TEST_CASE("help text has kubectl's sections", "[cli]") {
  auto options = all_options();
  HelpSpec help;
  help.command = "kubectl dr status";
  help.use = "kubectl dr status [RESOURCE] [options]";
  help.short_description = "Show the disaster-recovery state of this cluster";
  help.examples = "  # Cluster domains\n  kubectl dr status clusterdomains\n";
  auto text = help_text(help, options);
  CHECK(text.rfind("Show the disaster-recovery state of this cluster\n\nExamples:\n  # Cluster domains\n",
                   0) == 0);
  CHECK(text.find("\nOptions:\n") != std::string::npos);
  CHECK(text.find("    -o, --output='':\n\tOutput format.") != std::string::npos);
  CHECK(text.find("    -A, --all-namespaces=false:\n") != std::string::npos);
  CHECK(text.find("    --max-inflight=32:\n") != std::string::npos);
  CHECK(text.find("\nUsage:\n  kubectl dr status [RESOURCE] [options]\n") != std::string::npos);
  CHECK(text.find("Global options (accepted by every kubectl dr command):\n") != std::string::npos);
  CHECK(text.find("    -n, --namespace='':\n\tIf present, the namespace scope for this CLI request\n") !=
        std::string::npos);
  CHECK(text.find("    --as-group=[]:\n") != std::string::npos);
  CHECK(text.find("    --request-timeout='0':\n") != std::string::npos);
  CHECK(text.find("    -v, --v=0:\n") == std::string::npos);  // cxxopts: -v only
  CHECK(text.find("    -v=0:\n") != std::string::npos);
  CHECK(text.find("dr-positional-args") == std::string::npos);
  CHECK(text.back() == '\n');
  CHECK(text.find("Options:", text.find("Usage:")) == std::string::npos);
  CHECK(usage_hint("kubectl dr status") == "See 'kubectl dr status -h' for help and examples");
  CHECK(flag_usage_hint("kubectl dr status") == "See 'kubectl dr status --help' for usage.");
}
