// The entry point of each kubectl-dr executable: a plugin's main() is one call to run_verb.
#pragma once

#include <string_view>

#include "dr/commands/session.hpp"

namespace dr::commands {

// Runs `kubectl dr VERB ARGS...` (argv[0] is the program): parses the command line against the verb
// table, prints --help or runs the subcommand, prints an error once, kubectl's way, and returns the
// exit code: 0 only on success, 1 on an error, 128 + the signal when interrupted. Nothing escapes
// as an exception.
int run_verb(std::string_view verb, int argc, const char* const* argv, Io io);

}  // namespace dr::commands
