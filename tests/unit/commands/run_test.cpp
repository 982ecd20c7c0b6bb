// run_verb as a process sees it: what reaches stderr besides the command's own output.
#include <catch2/catch.hpp>

#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "dr/commands/commands.hpp"
#include "dr/commands/session.hpp"
#include "support/wire_test_server.hpp"

namespace {

struct Ran {
  int code;
  std::string out;
  std::string err;
};

// Runs without a server: the words must stop before one is needed (--help, usage errors).
Ran run_offline(std::vector<const char*> words) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  dr::commands::Io io{in, out, err, false, {}};
  io.client_factory = [](const dr::kube::ConfigOverrides&, const dr::commands::ConnectOptions&,
                         std::ostream&) -> dr::Result<std::unique_ptr<dr::kube::ApiClient>> {
    return dr::Error::make(dr::ErrorCode::Internal, "no server in this test");
  };
  words.insert(words.begin(), "kubectl-dr-verb");
  const int code = dr::commands::run_verb(words[1], static_cast<int>(words.size() - 1), words.data() + 1, io);
  return {code, out.str(), err.str()};
}

bool has_warning_line(const std::string& err, const std::string& message) {
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    // klog: "W1208 02:35:27.123456   12345 kubectl-dr] message"
    if (line.size() > 1 && line[0] == 'W' && line.find("kubectl-dr] " + message) != std::string::npos &&
        line.substr(line.size() - message.size()) == message) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("run: deprecated --dry-run values are warned about as kubectl does", "[run]") {
  auto boolean = run_offline({"suspend", "migrationschedule", "--dry-run=true", "--help"});
  CHECK(boolean.code == 0);
  CHECK(has_warning_line(
      boolean.err,
      "--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client."));
  auto off = run_offline({"suspend", "migrationschedule", "--dry-run=false", "--help"});
  CHECK(has_warning_line(
      off.err, "--dry-run=false is deprecated (boolean value) and can be replaced with --dry-run=none."));
  auto bare = run_offline({"activate", "migration", "--dry-run", "--help"});
  CHECK(has_warning_line(bare.err, "--dry-run is deprecated and can be replaced with --dry-run=client."));
  // The help itself is unchanged and on stdout.
  CHECK(bare.out.find("Usage:") != std::string::npos);
  auto modern = run_offline({"activate", "migration", "--dry-run=client", "--help"});
  CHECK(modern.err.empty());
}

TEST_CASE("run: the exit code says what happened, not merely that a signal came", "[run][signals]") {
  using dr::commands::exit_code_after;
  CHECK(exit_code_after(0, 0, false) == 0);
  CHECK(exit_code_after(1, 0, false) == 1);
  // Cut short by the signal: the run could not succeed.
  CHECK(exit_code_after(1, SIGINT, false) == 130);
  CHECK(exit_code_after(1, SIGTERM, false) == 143);
  CHECK(exit_code_after(1, SIGHUP, false) == 129);
  // The signal came after everything had succeeded.
  CHECK(exit_code_after(0, SIGTERM, false) == 0);
  // stdout's reader went away: what was printed is incomplete, whatever the rest did.
  CHECK(exit_code_after(0, 0, true) == 141);
  CHECK(exit_code_after(1, SIGINT, true) == 141);
}

TEST_CASE("run: SIGHUP stops guarded work as SIGINT and SIGTERM do", "[run][signals]") {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    // A fresh transport each time: cancel() is sticky.
    dr::kube::ApiClient client(wiretest::config_for("http://127.0.0.1:9"), nullptr, wiretest::fast_retries());
    {
      dr::commands::InterruptGuard guard(client.transport());
      // Caught, not fatal: this test process survives it.
      REQUIRE(std::raise(signal_number) == 0);
    }
    CHECK(client.transport().cancelled());
    CHECK(dr::commands::exit_code_after_signals(1) == 128 + signal_number);
    CHECK(dr::commands::exit_code_after_signals(0) == 0);
  }
}

TEST_CASE("run: --help offers only the -o formats a subcommand prints", "[run][help]") {
  // activate|deactivate migration|apps refuse -o name (a report has no kind/name): not offered.
  for (const auto& words : {std::vector<const char*>{"activate", "migration", "--help"},
                            std::vector<const char*>{"deactivate", "apps", "--help"}}) {
    const auto help = run_offline(words).out;
    CHECK(help.find("Output format. One of: (json, yaml).") != std::string::npos);
    CHECK(help.find("(json, yaml, name)") == std::string::npos);
  }
  CHECK(run_offline({"activate", "clusterdomain", "--help"}).out.find("One of: (json, yaml, name).") !=
        std::string::npos);
}
