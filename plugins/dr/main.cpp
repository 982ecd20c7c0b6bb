// kubectl-dr: the executable krew links onto PATH. `kubectl dr VERB ...` reaches it when
// kubectl-dr-VERB is not on PATH itself; it replaces itself (execv) with the sibling kubectl-dr-VERB
// from its own directory, so streams, signals and the exit code are the sibling's.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "dr/commands/dispatch.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const dr::commands::DispatchPlan plan = dr::commands::plan_dispatch(args);
  switch (plan.action) {
    case dr::commands::DispatchAction::Help:
      std::cout << dr::commands::dispatch_help();
      return 0;
    case dr::commands::DispatchAction::Version:
      std::cout << dr::commands::version_text(plan.output);
      return 0;
    case dr::commands::DispatchAction::Error:
      std::cerr << plan.message;
      return 1;
    case dr::commands::DispatchAction::Exec:
      break;
  }

  const auto self = dr::commands::self_executable_path(argv[0]);
  if (!self) {
    std::cerr << "error: kubectl-dr cannot find its own location to run kubectl-dr-" << plan.verb
              << "; put kubectl-dr-" << plan.verb << " on PATH or reinstall the plugin\n";
    return 1;
  }
  const std::string sibling = dr::commands::sibling_path(*self, plan.verb);
  std::vector<char*> sibling_argv;
  sibling_argv.push_back(const_cast<char*>(sibling.c_str()));
  for (const auto& arg : plan.args) sibling_argv.push_back(const_cast<char*>(arg.c_str()));
  sibling_argv.push_back(nullptr);
  ::execv(sibling.c_str(), sibling_argv.data());
  // Only reached when the exec failed.
  std::cerr << dr::commands::missing_sibling_message(plan.verb, sibling, std::strerror(errno));
  return 1;
}
