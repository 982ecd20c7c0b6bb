// kubectl's flag set: both spellings, repeats, flags among positional words, kubectl's errors.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "dr/cli/flags.hpp"
#include "dr/cli/report.hpp"
#include "dr/commands/command_line.hpp"

using namespace dr::cli;
using dr::commands::Invocation;
using dr::commands::VerbDef;

namespace {

// A verb with every flag of the table (the first declaration of each name wins: status's -o, with
// wide), so each flag's parse can be checked in one place.
const VerbDef& every_flag_verb() {
  static const VerbDef verb = [] {
    VerbDef all;
    all.name = "status";
    dr::commands::SubcommandDef only;
    only.name = "everything";
    for (const auto& real : dr::commands::verb_table()) {
      for (const auto& sub : real.subcommands) {
        for (const auto* flag : dr::commands::flags_of(&real, &sub)) only.flags.push_back(flag);
      }
    }
    all.subcommands = {only};
    all.first_subcommand_is_default = true;
    return all;
  }();
  return verb;
}

dr::Result<Invocation> parse_words(const VerbDef& verb, std::vector<const char*> words) {
  std::vector<const char*> argv{"kubectl-dr-status"};
  argv.insert(argv.end(), words.begin(), words.end());
  return dr::commands::parse_invocation(verb, static_cast<int>(argv.size()), argv.data());
}

dr::Result<CommonFlags> parse(std::initializer_list<const char*> words, Invocation* whole = nullptr) {
  auto invocation = parse_words(every_flag_verb(), words);
  if (!invocation) return std::move(invocation).error();
  if (whole != nullptr) *whole = *invocation;
  return invocation->common;
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
  CHECK(flags->dry_run == DryRun::None);
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
    auto flags = parse_words(every_flag_verb(), words);
    REQUIRE(flags);
    CHECK(flags->common.overrides.namespace_name == "zookeeper");
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
  Invocation whole;
  auto flags =
      parse({"everything", "-n", "ns", "a,b", "--max-inflight=8", "-o", "json", "last", "--", "-x"}, &whole);
  REQUIRE(flags);
  CHECK(flags->positional == std::vector<std::string>{"everything", "a,b", "last", "-x"});
  CHECK(whole.arguments == std::vector<std::string>{"a,b", "last", "-x"});
  CHECK(flags->overrides.namespace_name == "ns");
  CHECK(flags->output == OutputFormat::Json);
  CHECK(whole.integer("max-inflight") == 8);
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
  auto flags = parse_words(*dr::commands::find_verb("deactivate"), {"clusterdomain", "-a"});
  REQUIRE_FALSE(flags);
  CHECK(flags.error().kubectl_line() == "error: unknown shorthand flag: 'a' in -a");
}

TEST_CASE("flags: activate clusterdomain -a is --all, as storkctl's", "[cli]") {
  auto invocation = parse_words(*dr::commands::find_verb("activate"), {"clusterdomain", "-a"});
  REQUIRE(invocation);
  CHECK(invocation->flag("all"));
  // Without a subcommand both meanings are possible; the parse must not fail on the clash.
  CHECK(parse_words(*dr::commands::find_verb("activate"), {"-a", "migration"}));
}

TEST_CASE("flags: --dry-run values as kubectl reads them", "[cli]") {
  CHECK(parse({"--dry-run=client"})->dry_run == DryRun::Client);
  CHECK(parse({"--dry-run=server"})->dry_run == DryRun::Server);
  CHECK(parse({"--dry-run=none"})->dry_run == DryRun::None);
  auto bare = parse({"--dry-run"});
  REQUIRE(bare);
  CHECK(bare->dry_run == DryRun::Client);
  REQUIRE(bare->warnings.size() == 1);
  CHECK(bare->warnings[0] == "--dry-run is deprecated and can be replaced with --dry-run=client.");
  // A bare --dry-run does not take the next word (pflag's NoOptDefVal): it stays positional.
  auto next = parse({"everything", "--dry-run", "server"});
  REQUIRE(next);
  CHECK(next->dry_run == DryRun::Client);
  CHECK(next->positional == std::vector<std::string>{"everything", "server"});
  auto boolean = parse({"--dry-run=true"});
  REQUIRE(boolean);
  CHECK(boolean->dry_run == DryRun::Client);
  CHECK(boolean->warnings.at(0) ==
        "--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client.");
  CHECK(parse({"--dry-run=false"})->dry_run == DryRun::None);
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

TEST_CASE("a command reads only the flags the table gives it", "[cli]") {
  const auto& suspend = *dr::commands::find_verb("suspend");
  auto flags = parse_words(suspend, {"migrationschedule", "--dry-run=server", "-n", "zk", "s1"});
  REQUIRE(flags);
  CHECK(flags->common.dry_run == DryRun::Server);
  CHECK(flags->common.overrides.namespace_name == "zk");
  CHECK(flags->arguments == std::vector<std::string>{"s1"});
  CHECK(flags->common.output == OutputFormat::Table);
  auto rejected = parse_words(suspend, {"migrationschedule", "-l", "app=zk"});
  REQUIRE_FALSE(rejected);
  CHECK(rejected.error().kubectl_line() == "error: unknown shorthand flag: 'l' in -l");
}

TEST_CASE("help text has kubectl's sections", "[cli]") {
  const auto& status = *dr::commands::find_verb("status");
  auto text = dr::commands::help_text(status, nullptr);
  CHECK(text.rfind(std::string(status.long_description) + "\n\nExamples:\n  # Cluster domains", 0) == 0);
  CHECK(text.find("\nAvailable Commands:\n  clusterdomains   ") != std::string::npos);
  CHECK(text.find("\nOptions:\n") != std::string::npos);
  CHECK(text.find("    -o, --output='':\n\tOutput format.") != std::string::npos);
  CHECK(text.find("    -A, --all-namespaces=false:\n") != std::string::npos);
  CHECK(text.find("\nUsage:\n  kubectl dr status [clusterdomains|") != std::string::npos);
  CHECK(text.find("Global options (accepted by every kubectl dr command):\n") != std::string::npos);
  CHECK(text.find("    -n, --namespace='':\n\tIf present, the namespace scope for this CLI request\n") !=
        std::string::npos);
  CHECK(text.find("    --as-group=[]:\n") != std::string::npos);
  CHECK(text.find("    --request-timeout='0':\n") != std::string::npos);
  CHECK(text.find("    -v, --v=0:\n") == std::string::npos);  // kubectl's -v, documented once
  CHECK(text.find("    -v=0:\n") != std::string::npos);
  CHECK(text.find("dr-positional-args") == std::string::npos);
  CHECK(text.back() == '\n');
  CHECK(text.find("Options:", text.find("Usage:")) == std::string::npos);
  const auto& activate = *dr::commands::find_verb("activate");
  auto migration = dr::commands::help_text(activate, activate.find_subcommand("migration"));
  CHECK(migration.find("    --max-inflight=32:\n") != std::string::npos);
  CHECK(migration.find("Available Commands:") == std::string::npos);
  CHECK(usage_hint("kubectl dr status") == "See 'kubectl dr status -h' for help and examples");
  CHECK(flag_usage_hint("kubectl dr status") == "See 'kubectl dr status --help' for usage.");
}
