#include "dr/cli/report.hpp"

#include <exception>
#include <ostream>

#include "dr/cli/flags.hpp"

namespace dr::cli {

int report_error(const Error& error, std::ostream& err, std::string_view command) {
  err << error.kubectl_line() << '\n';
  if (error.code == ErrorCode::Usage && !command.empty()) {
    err << (error.reason == kFlagErrorReason ? flag_usage_hint(command) : usage_hint(command)) << '\n';
  }
  err.flush();
  return kExitFailure;
}

namespace {

int internal_error(std::ostream& err, const char* what) {
  err << "error: internal error: " << what << '\n';
  err.flush();
  return kExitFailure;
}

}  // namespace

int run_main(const std::function<Result<int>()>& body, std::ostream& err, std::string_view command) {
  try {
    auto code = body();
    if (!code) return report_error(code.error(), err, command);
    return *code;
  } catch (const std::exception& e) {
    return internal_error(err, e.what());
  } catch (...) {
    return internal_error(err, "unknown exception");
  }
}

}  // namespace dr::cli
