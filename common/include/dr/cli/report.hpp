// The edge of every command: one Error becomes kubectl's lines on stderr and exit code 1; nothing
// escapes main() as an exception.
#pragma once

#include <functional>
#include <iosfwd>
#include <string_view>

#include "dr/core/error.hpp"

namespace dr::cli {

inline constexpr int kExitFailure = 1;  // kubectl's DefaultErrorExitCode

// Prints Error::kubectl_line() on `err`. A usage error made from a flag (reason kFlagErrorReason)
// adds "See '<command> --help' for usage."; any other usage error adds
// "See '<command> -h' for help and examples". No hint when `command` is empty. Returns 1.
int report_error(const Error& error, std::ostream& err, std::string_view command = {});

// The one exit of every command (commands::run_verb): runs `body` and turns its outcome into an exit
// code: the body's own, report_error's 1 on an Error, and "error: internal error: <what>" + 1 for
// any exception that escaped.
int run_main(const std::function<Result<int>()>& body, std::ostream& err, std::string_view command = {});

}  // namespace dr::cli
