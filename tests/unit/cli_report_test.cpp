// The edge of a command: one error, kubectl's lines, exit code 1, never an escaped exception.
#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>

#include "dr/cli/flags.hpp"
#include "dr/cli/report.hpp"
#include "dr/commands/activation.hpp"

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

// ---- the activation report: summary line and -o json/yaml document ----

namespace {

dr::commands::WorkloadResult workload(std::string ns, std::string name, dr::commands::Outcome outcome) {
  dr::commands::WorkloadResult w;
  w.kind = "StatefulSet";
  w.label = "statefulset";
  w.api_version = "apps/v1";
  w.namespace_name = std::move(ns);
  w.name = std::move(name);
  w.field = "spec.replicas";
  w.from = "0";
  w.to = "3";
  w.outcome = outcome;
  return w;
}

dr::commands::ScheduleResult schedule(std::string ns, std::string name, dr::commands::Outcome outcome) {
  dr::commands::ScheduleResult s;
  s.namespace_name = std::move(ns);
  s.name = std::move(name);
  s.application_activated = true;
  s.outcome = outcome;
  return s;
}

}  // namespace

TEST_CASE("activation summary counts workloads, and MigrationSchedules apart", "[report]") {
  using dr::commands::Outcome;
  dr::commands::ActivationReport report;
  report.workloads.push_back(workload("zookeeper", "zk", Outcome::Updated));
  report.schedules.push_back(schedule("zookeeper", "migrationschedule", Outcome::Updated));
  report.namespaces.insert("zookeeper");
  report.elapsed = std::chrono::milliseconds(1234);
  report.requests_sent = 9;
  CHECK(report.count(Outcome::Updated) == 1);
  CHECK(report.schedule_count(Outcome::Updated) == 1);
  CHECK(
      dr::commands::activation_summary_line(dr::stork::Mode::ActivateMigration, report, false) ==
      "Activated 1 workload in 1 namespace (0 unchanged, 0 skipped, 0 failed) and marked 1 MigrationSchedule "
      "applicationActivated=true in 1.2s, 9 requests");

  auto document = dr::commands::activation_report_document(dr::stork::Mode::ActivateMigration, report);
  CHECK(document["summary"]["updated"].GetUint64() == 1);
  CHECK(document["summary"]["schedules"]["updated"].GetUint64() == 1);

  // No schedule written: no schedule clause. A failed schedule: counted in its clause, not as a
  // workload, and the report still fails.
  report.schedules.front().outcome = Outcome::Unchanged;
  CHECK(dr::commands::activation_summary_line(dr::stork::Mode::ActivateMigration, report, false) ==
        "Activated 1 workload in 1 namespace (0 unchanged, 0 skipped, 0 failed) in 1.2s, 9 requests");
  CHECK_FALSE(report.failed());
  report.schedules.front().outcome = Outcome::Failed;
  CHECK(dr::commands::activation_summary_line(dr::stork::Mode::DeactivateMigration, report, false) ==
        "Deactivated 1 workload in 1 namespace (0 unchanged, 0 skipped, 0 failed) and marked 0 "
        "MigrationSchedules "
        "applicationActivated=false (1 failed) in 1.2s, 9 requests");
  CHECK(report.failed());
}
