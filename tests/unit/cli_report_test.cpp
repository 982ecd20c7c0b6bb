// The edge of a command: one error, kubectl's lines, exit code 1, never an escaped exception.
#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>

#include "dr/cli/flags.hpp"
#include "dr/cli/report.hpp"

using namespace dr::cli;

TEST_CASE("report_error prints kubectl's line and returns 1", "[cli]") {
  std::ostringstream err;
  CHECK(report_error(dr::Error::server(404, "NotFound", "statefulsets.apps \"zk\" not found"), err,
                     "kubectl dr activate") == 1);
  CHECK(err.str() == "Error from server (NotFound): statefulsets.apps \"zk\" not found\n");

  std::ostringstream plain;
  report_error(dr::Error::make(dr::ErrorCode::Config, "context \"x\" does not exist"), plain,
               "kubectl dr status");
  CHECK(plain.str() == "error: context \"x\" does not exist\n");
}

TEST_CASE("usage errors add kubectl's hint lines", "[cli]") {
  std::ostringstream usage;
  report_error(dr::Error::usage("a cluster domain name is required"), usage, "kubectl dr deactivate");
  CHECK(usage.str() ==
        "error: a cluster domain name is required\n"
        "See 'kubectl dr deactivate -h' for help and examples\n");

  cxxopts::Options options("kubectl-dr-status", "test");
  add_kubectl_flags(options);
  const char* argv[] = {"kubectl-dr-status", "--foo"};
  auto parsed = parse_command_line(options, 2, argv);
  REQUIRE_FALSE(parsed);
  std::ostringstream flag;
  CHECK(report_error(parsed.error(), flag, "kubectl dr status") == 1);
  CHECK(flag.str() ==
        "error: unknown flag: --foo\n"
        "See 'kubectl dr status --help' for usage.\n");

  std::ostringstream no_command;
  report_error(dr::Error::usage("bad"), no_command);
  CHECK(no_command.str() == "error: bad\n");
}

TEST_CASE("run_main turns results and stray exceptions into exit codes", "[cli]") {
  std::ostringstream err;
  CHECK(run_main(std::function<dr::Status()>([] { return dr::Status(); }), err) == 0);
  CHECK(err.str().empty());
  CHECK(
      run_main(std::function<dr::Status()>([]() -> dr::Status { return dr::Error::config("no kubeconfig"); }),
               err) == 1);
  CHECK(err.str() == "error: no kubeconfig\n");

  std::ostringstream thrown;
  CHECK(run_main(std::function<dr::Status()>([]() -> dr::Status { throw std::runtime_error("boom"); }),
                 thrown) == 1);
  CHECK(thrown.str() == "error: internal error: boom\n");

  std::ostringstream odd;
  CHECK(run_main(std::function<dr::Status()>([]() -> dr::Status { throw 42; }), odd) == 1);
  CHECK(odd.str() == "error: internal error: unknown exception\n");

  std::ostringstream code;
  CHECK(run_main(std::function<dr::Result<int>()>([]() -> dr::Result<int> { return 3; }), code) == 3);
  CHECK(run_main(std::function<dr::Result<int>()>([]() -> dr::Result<int> { return dr::Error::usage("x"); }),
                 code, "kubectl dr resume") == 1);
  CHECK(code.str() == "error: x\nSee 'kubectl dr resume -h' for help and examples\n");
}
