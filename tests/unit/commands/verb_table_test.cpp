// The verb table is the one declaration of every flag: for each verb and subcommand, --help,
// completion and the parse must say the same thing about each flag.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "dr/commands/command_line.hpp"
#include "dr/commands/completion.hpp"
#include "dr/commands/verb_table.hpp"

using namespace dr::commands;

namespace {

// Completion never asks a cluster for flag names.
class NoNames : public NameSource {
 public:
  dr::Result<std::vector<Candidate>> namespaces(const dr::kube::ConfigOverrides&) override { return fail(); }
  dr::Result<std::vector<Candidate>> cluster_domains(const dr::kube::ConfigOverrides&) override {
    return fail();
  }
  dr::Result<std::vector<Candidate>> migration_schedules(const dr::kube::ConfigOverrides&) override {
    return fail();
  }
  dr::Result<std::vector<Candidate>> contexts(const dr::kube::ConfigOverrides&) override { return fail(); }

 private:
  static dr::Result<std::vector<Candidate>> fail() {
    return dr::Error::make(dr::ErrorCode::Internal, "completion asked a cluster");
  }
};

// What --help documents: each "    [-x, ]--name=DEFAULT:" line, keyed by "--name" (or "-x"), with
// the default as printed (quotes removed).
std::map<std::string, std::string> documented_flags(const std::string& help) {
  std::map<std::string, std::string> flags;
  static const std::regex line(R"(^    (?:-([A-Za-z]), )?-{1,2}([A-Za-z][-A-Za-z]*)=(.*):$)");
  std::size_t start = 0;
  while (start < help.size()) {
    auto end = help.find('\n', start);
    if (end == std::string::npos) end = help.size();
    const std::string text = help.substr(start, end - start);
    std::smatch match;
    if (std::regex_match(text, match, line)) {
      std::string value = match[3];
      if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'')
        value = value.substr(1, value.size() - 2);
      flags[match[2].str().size() == 1 ? "-" + match[2].str() : "--" + match[2].str()] = value;
      if (match[1].matched) flags["-" + match[1].str()] = value;
    }
    start = end + 1;
  }
  return flags;
}

// The value an absent flag reads as, printed the way --help prints it.
std::string parsed_default(const Invocation& invocation, const FlagDef& flag) {
  const std::string_view name = flag.name.empty() ? flag.shorthand : flag.name;
  switch (flag.type) {
    case FlagType::Bool:
      return invocation.flag(name) ? "true" : "false";
    case FlagType::Text:
      return invocation.text(name);
    case FlagType::Int:
      return std::to_string(invocation.integer(name));
    case FlagType::List:
    case FlagType::Repeated:
      return invocation.list(name).empty() ? "[]" : "not empty";
  }
  return "?";
}

std::vector<const char*> argv_for(const VerbDef& verb, const SubcommandDef& sub) {
  static std::vector<std::string> storage;
  storage = {"kubectl-dr-" + std::string(verb.name), std::string(sub.name)};
  return {storage[0].c_str(), storage[1].c_str()};
}

}  // namespace

TEST_CASE("verb table: help, completion and parsing agree on every flag of every subcommand", "[verbs]") {
  NoNames names;
  for (const auto& verb : verb_table()) {
    for (const auto& sub : verb.subcommands) {
      INFO("kubectl dr " << verb.name << " " << sub.name);
      const auto flags = flags_of(&verb, &sub);
      const auto documented = documented_flags(help_text(verb, &sub));

      auto argv = argv_for(verb, sub);
      auto invocation = parse_invocation(verb, static_cast<int>(argv.size()), argv.data());
      REQUIRE(invocation);
      CHECK(invocation->subcommand == &sub);

      std::set<std::string> completed;
      for (const auto& candidate :
           complete({std::string(verb.name), std::string(sub.name), "--"}, names).candidates)
        completed.insert(candidate.value);
      for (const auto& candidate :
           complete({std::string(verb.name), std::string(sub.name), "-"}, names).candidates)
        completed.insert(candidate.value);

      for (const FlagDef* flag : flags) {
        const std::string spelled =
            flag->name.size() > 1 ? "--" + std::string(flag->name)
                                  : "-" + std::string(flag->name.empty() ? flag->shorthand : flag->name);
        INFO("flag " << spelled);
        // --help documents it, with the default an absent flag parses to.
        REQUIRE(documented.count(spelled) == 1);
        if (flag->name != "help") CHECK(documented.at(spelled) == parsed_default(*invocation, *flag));
        // Completion offers it (kubectl's single-letter -v is offered as --v).
        CHECK(completed.count(flag->name.size() == 1 ? "--" + std::string(flag->name) : spelled) == 1);
        if (!flag->shorthand.empty()) CHECK(completed.count("-" + std::string(flag->shorthand)) == 1);
      }
      // Nothing is documented or completed that the parse does not accept.
      for (const auto& [spelled, value] : documented) CHECK(find_flag(flags, spelled) != nullptr);
      for (const auto& spelled : completed) CHECK(find_flag(flags, spelled) != nullptr);
    }
  }
}

TEST_CASE("verb table: a verb alone documents and completes the flags every subcommand takes", "[verbs]") {
  NoNames names;
  for (const auto& verb : verb_table()) {
    INFO("kubectl dr " << verb.name);
    const auto documented = documented_flags(help_text(verb, nullptr));
    std::set<std::string> completed;
    for (const auto& candidate : complete({std::string(verb.name), "--"}, names).candidates)
      completed.insert(candidate.value);
    for (const auto& [spelled, value] : documented) {
      if (spelled.size() > 2) CHECK(completed.count(spelled == "-v" ? "--v" : spelled) == 1);
    }
    for (const auto& spelled : completed) CHECK(documented.count(spelled == "--v" ? "-v" : spelled) == 1);
  }
}

TEST_CASE("verb table: --wait waits as long as each subcommand's help says", "[verbs]") {
  // The drift this table exists to prevent: the cluster domain help said 5m while it waited 10m.
  const auto& activate = *find_verb("activate");
  const char* domain[] = {"kubectl-dr-activate", "clusterdomain", "us-east-1a"};
  auto parsed = parse_invocation(activate, 3, domain);
  REQUIRE(parsed);
  CHECK(parsed->duration("timeout").value() == std::chrono::minutes(10));
  CHECK(help_text(activate, parsed->subcommand).find("    --timeout='10m':\n") != std::string::npos);
  const char* migration[] = {"kubectl-dr-activate", "migration"};
  parsed = parse_invocation(activate, 2, migration);
  REQUIRE(parsed);
  CHECK(parsed->duration("timeout").value() == std::chrono::minutes(5));
  CHECK(help_text(activate, parsed->subcommand).find("    --timeout='5m':\n") != std::string::npos);
}

TEST_CASE("verb table: a subcommand is found among flags and their values", "[verbs]") {
  const auto& deactivate = *find_verb("deactivate");
  const char* argv[] = {
      "kubectl-dr-deactivate", "-n", "apps", "--context=x", "--dry-run", "apps", "-o", "json"};
  const auto found = find_subcommand_word(deactivate, 8, argv);
  CHECK(found.word == "apps");
  REQUIRE(found.subcommand != nullptr);
  CHECK(found.subcommand->name == "apps");
  const char* alias[] = {"kubectl-dr-deactivate", "-nzookeeper", "cd", "us-east-1a"};
  CHECK(find_subcommand_word(deactivate, 4, alias).subcommand->name == "clusterdomain");
  const char* unknown[] = {"kubectl-dr-deactivate", "pods"};
  CHECK(find_subcommand_word(deactivate, 2, unknown).subcommand == nullptr);
  const char* none[] = {"kubectl-dr-deactivate", "--wait"};
  CHECK(find_subcommand_word(deactivate, 2, none).word.empty());
}

TEST_CASE("verb table: a subcommand's own flags are refused elsewhere", "[verbs]") {
  const auto& activate = *find_verb("activate");
  const char* argv[] = {"kubectl-dr-activate", "clusterdomain", "us-east-1a", "--max-inflight", "4"};
  auto parsed = parse_invocation(activate, 5, argv);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().kubectl_line() == "error: unknown flag: --max-inflight");
  // Asking an invocation for a flag the table does not give it is a programming error.
  const char* domain[] = {"kubectl-dr-activate", "clusterdomain", "us-east-1a"};
  auto ok = parse_invocation(activate, 3, domain);
  REQUIRE(ok);
  CHECK_THROWS_AS(ok->integer("max-inflight"), std::logic_error);
  CHECK_THROWS_AS(ok->text("wait"), std::logic_error);  // declared, but a Bool
}

TEST_CASE("verb table: verbs and subcommands are named once", "[verbs]") {
  std::set<std::string> verbs;
  for (const auto& verb : verb_table()) {
    CHECK(verbs.insert(std::string(verb.name)).second);
    std::set<std::string> words;
    for (const auto& sub : verb.subcommands) {
      CHECK(sub.run != nullptr);
      CHECK(words.insert(std::string(sub.name)).second);
      for (auto alias : sub.aliases) CHECK(words.insert(std::string(alias)).second);
      // A flag's name and shorthand are declared once per subcommand, globals included.
      std::set<std::string> spellings;
      std::vector<const FlagDef*> declared = global_flags();
      declared.insert(declared.end(), verb.shared_flags.begin(), verb.shared_flags.end());
      declared.insert(declared.end(), sub.flags.begin(), sub.flags.end());
      for (const FlagDef* flag : declared) {
        if (!flag->name.empty()) CHECK(spellings.insert("--" + std::string(flag->name)).second);
        if (!flag->shorthand.empty()) CHECK(spellings.insert("-" + std::string(flag->shorthand)).second);
      }
    }
  }
  CHECK(verbs == std::set<std::string>{"activate", "deactivate", "status", "suspend", "resume", "perform",
                                       "failover", "failback"});
}
