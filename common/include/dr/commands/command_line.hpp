// A command line parsed against the verb table: kubectl's flags read into cli::CommonFlags, the
// subcommand found, its own flags read through typed accessors whose defaults are the table's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "dr/cli/flags.hpp"
#include "dr/commands/verb_table.hpp"
#include "dr/core/error.hpp"

namespace dr::commands {

struct Invocation {
  const VerbDef* verb = nullptr;
  const SubcommandDef* subcommand = nullptr;  // nullptr: none named and the verb has no default
  bool subcommand_named = false;              // false: the verb's default subcommand (or none)
  cli::CommonFlags common;
  std::vector<std::string> arguments;  // the positional words after the subcommand word
  bool help = false;                   // -h/--help: print help_text() and do nothing else

  // The value of one of the invocation's flags, or its declared default when absent. Asking for a
  // flag the table does not give this invocation is a programming error (std::logic_error).
  bool flag(std::string_view name) const;
  std::string text(std::string_view name) const;
  int integer(std::string_view name) const;
  std::vector<std::string> list(std::string_view name) const;  // List and Repeated flags
  // A Text flag holding a kubectl duration ("30s", "5m", "0" = no limit).
  Result<std::chrono::milliseconds> duration(std::string_view name) const;

  // "kubectl dr activate": the command the usage hints name.
  std::string command() const;

  cxxopts::ParseResult raw;
  std::vector<const FlagDef*> flags;  // those this invocation was parsed with

 private:
  const FlagDef& declared(std::string_view name, FlagType type) const;
};

// Parses argv (argv[0] is the program) for `verb`: finds the subcommand word, registers exactly
// the flags the table gives that verb and subcommand, and reads them. Usage errors are kubectl's.
Result<Invocation> parse_invocation(const VerbDef& verb, int argc, const char* const* argv);

// kubectl's help layout: description, subcommands ("Available Commands:", for a verb alone),
// "Examples:", "Options:" (the command's own flags), "Usage:", then kubectl's flags under
// "Global options (accepted by every kubectl dr command):".
std::string help_text(const VerbDef& verb, const SubcommandDef* subcommand);

// The first sentence of a flag's help: completion's one-line description.
std::string_view flag_summary(const FlagDef& flag);

}  // namespace dr::commands
