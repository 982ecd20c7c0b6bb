// The one declaration of every verb, subcommand and flag of kubectl-dr. Flag registration, the
// parse into typed arguments, --help, shell completion and the dispatcher are all derived from it,
// so a flag's name, type, default and help cannot disagree between them.
#pragma once

#include <string_view>
#include <vector>

#include "dr/commands/session.hpp"
#include "dr/core/error.hpp"

namespace dr::commands {

enum class FlagType {
  Bool,      // --wait, --wait=false
  Text,      // --context NAME
  Int,       // --max-inflight 16
  List,      // repeatable, each value also split at commas: --include-namespaces a,b --include-namespaces c
  Repeated,  // repeatable, never split (kubectl's StringArray): --as-group, --exclude-selector
};

// Where shell completion finds a flag's values.
enum class ValueSource {
  None,
  Files,                // the shell's own file completion
  Namespaces,           // live, from the cluster
  Contexts,             // from the kubeconfig
  OutputFormats,        // json, yaml, name
  OutputFormatsWide,    // json, yaml, name, wide
  OutputFormatsReport,  // json, yaml
  DryRunStrategy,       // none, client, server
};

struct FlagDef {
  // The table lists a flag's facts in this order; the last three are often left out.
  constexpr FlagDef(std::string_view name, std::string_view shorthand, FlagType type, std::string_view help,
                    std::string_view default_value = {}, std::string_view implicit_value = {},
                    ValueSource values = ValueSource::None)
      : name(name),
        shorthand(shorthand),
        type(type),
        help(help),
        default_value(default_value),
        implicit_value(implicit_value),
        values(values) {}

  std::string_view name;       // long name; a single letter is spelled -v and --v, as kubectl's
  std::string_view shorthand;  // "" for none
  FlagType type = FlagType::Bool;
  std::string_view help;
  std::string_view default_value;   // as text: what --help shows and what an absent flag reads as
  std::string_view implicit_value;  // what a bare --flag means for a flag that takes a value
  ValueSource values = ValueSource::None;

  bool takes_value() const { return type != FlagType::Bool; }
};

// Where completion finds a subcommand's positional names.
enum class ArgumentSource {
  None,
  ClusterDomain,       // one domain of the ClusterDomainsStatus
  MigrationSchedules,  // schedules of the namespace, each once
};

struct Invocation;  // command_line.hpp

struct SubcommandDef {
  std::string_view name;  // "clusterdomain"
  std::vector<std::string_view> aliases;
  std::string_view summary;           // one line, no trailing period (completion, the verb's help)
  std::vector<const FlagDef*> flags;  // its own, added to the verb's shared flags
  ArgumentSource arguments = ArgumentSource::None;
  // Parses the invocation into the subcommand's typed arguments and runs it.
  Result<int> (*run)(const Invocation& invocation, Io& io) = nullptr;
  // Help of `kubectl dr VERB SUBCOMMAND --help`; the verb's texts where empty.
  std::string_view use;
  std::string_view examples;
};

struct VerbDef {
  std::string_view name;     // "activate": the executable is kubectl-dr-activate
  std::string_view summary;  // one line, no trailing period
  std::string_view use;
  std::string_view long_description;
  std::string_view examples;                 // kubectl style: two-space indented, "# " comments
  std::vector<const FlagDef*> shared_flags;  // accepted by every subcommand, after the global ones
  std::vector<SubcommandDef> subcommands;
  bool first_subcommand_is_default = false;  // status: clusterdomains when no resource is named
  // The subcommand that runs when none is named; nullptr: one must be named.
  const SubcommandDef* default_subcommand() const;
  // The subcommand named `word` (its name or an alias), or nullptr.
  const SubcommandDef* find_subcommand(std::string_view word) const;
  // "say what to activate: clusterdomain or migration".
  Error missing_subcommand() const;
  Error unknown_subcommand(std::string_view word) const;
};

// kubectl's flag set, accepted by every verb and by the dispatcher before the verb; -h/--help last.
const std::vector<const FlagDef*>& global_flags();
// The verbs, in runbook order of first use.
const std::vector<VerbDef>& verb_table();
const VerbDef* find_verb(std::string_view name);

// The flags `kubectl dr VERB [SUBCOMMAND]` documents and completes: the global ones, the verb's
// shared ones and the subcommand's own (with none named, the default subcommand's, if any). Empty
// for no verb.
std::vector<const FlagDef*> flags_of(const VerbDef* verb, const SubcommandDef* subcommand);
// Every flag of any of the verb's subcommands, each name once: what a command line is read with
// before its subcommand is known (to find that word, or to report a missing or unknown one).
std::vector<const FlagDef*> all_flags_of(const VerbDef& verb);
// The flag spelled `word` ("--namespace", "-n", "--namespace=x", "--v=6") among `flags`, or nullptr.
const FlagDef* find_flag(const std::vector<const FlagDef*>& flags, std::string_view word);

// Whether a flag word carries its own value: --flag=v, -n=v or -nv. Otherwise a flag that takes a
// value (and has no implicit one) takes the next word.
bool flag_word_has_value(std::string_view word);
// Whether the flag spelled `word` consumes the word after it.
bool takes_next_word(const FlagDef& flag, std::string_view word);

// The subcommand word among argv's words: the first one that is not a flag or a flag's value, given
// every flag of the verb. `word` is empty when there is none; `subcommand` is nullptr when there is
// none or the word names no subcommand (an unknown resource).
struct SubcommandWord {
  std::string_view word;  // empty: none given
  const SubcommandDef* subcommand = nullptr;
};
SubcommandWord find_subcommand_word(const VerbDef& verb, int argc, const char* const* argv);

}  // namespace dr::commands
