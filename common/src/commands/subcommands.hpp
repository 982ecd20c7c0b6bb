// The subcommands behind the verbs; each takes the parsed command line and returns the exit code.
#pragma once

#include "dr/stork/planner.hpp"
#include "support.hpp"

namespace dr::commands {

int cluster_domain_command(bool activate, const CommandLine& line, Io& io);
int activation_command(stork::Mode mode, const CommandLine& line, Io& io);
int status_command(const CommandLine& line, Io& io);
int schedule_suspend_command(bool suspend, const CommandLine& line, Io& io);

}  // namespace dr::commands
