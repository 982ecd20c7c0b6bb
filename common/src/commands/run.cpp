#include <ostream>
#include <string>

#include "dr/cli/report.hpp"
#include "dr/commands/command_line.hpp"
#include "dr/commands/commands.hpp"
#include "dr/commands/session.hpp"
#include "dr/core/log.hpp"

namespace dr::commands {

int run_verb(std::string_view verb_name, int argc, const char* const* argv, Io io) {
  const std::string command = "kubectl dr " + std::string(verb_name);
  const int code = cli::run_main(
      [&]() -> Result<int> {
        const VerbDef* verb = find_verb(verb_name);
        if (verb == nullptr)
          return Error::make(ErrorCode::Internal, "no verb \"" + std::string(verb_name) + "\"");
        auto invocation = parse_invocation(*verb, argc, argv);
        if (!invocation) return std::move(invocation).error();
        for (const auto& warning : invocation->common.warnings) io.err << log::klog_line('W', warning);
        if (invocation->help) {
          io.out << help_text(*verb, invocation->subcommand_named ? invocation->subcommand : nullptr);
          return 0;
        }
        return invocation->subcommand->run(*invocation, io);
      },
      io.err, command);
  // Written out before the exit code is decided: a reader gone away is found here at the latest.
  io.out.flush();
  return exit_code_after_signals(code);
}

}  // namespace dr::commands
