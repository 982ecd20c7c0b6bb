// The edge of a command: one error, kubectl's lines, exit code 1, never an escaped exception.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "dr/cli/flags.hpp"
#include "dr/cli/printer.hpp"
#include "dr/cli/report.hpp"
#include "dr/commands/activation.hpp"
#include "dr/commands/command_line.hpp"

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

  const char* argv[] = {"kubectl-dr-status", "--foo"};
  auto parsed = dr::commands::parse_invocation(*dr::commands::find_verb("status"), 2, argv);
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
  CHECK(run_main([]() -> dr::Result<int> { return 0; }, err) == 0);
  CHECK(err.str().empty());
  CHECK(run_main([]() -> dr::Result<int> { return dr::Error::config("no kubeconfig"); }, err) == 1);
  CHECK(err.str() == "error: no kubeconfig\n");

  std::ostringstream thrown;
  CHECK(run_main([]() -> dr::Result<int> { throw std::runtime_error("boom"); }, thrown) == 1);
  CHECK(thrown.str() == "error: internal error: boom\n");

  std::ostringstream odd;
  CHECK(run_main([]() -> dr::Result<int> { throw 42; }, odd) == 1);
  CHECK(odd.str() == "error: internal error: unknown exception\n");

  std::ostringstream code;
  CHECK(run_main([]() -> dr::Result<int> { return 3; }, code) == 3);
  CHECK(run_main([]() -> dr::Result<int> { return dr::Error::usage("x"); }, code, "kubectl dr resume") == 1);
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

namespace {

// The type a YAML 1.1 reader (go-yaml v2, PyYAML, kubectl) gives a plain scalar; quoted ones are
// strings. A JSON string must never come back as anything else.
enum class Scalar { String, Int, Float, Bool, Null };
Scalar plain_type(const std::string& text) {
  static const std::regex null_re("~|null|Null|NULL|");
  static const std::regex bool_re(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::regex int_re(
      "[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)");
  static const std::regex float_re(
      "[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*([eE][-+]?[0-9]+)|[-+]?\\.(inf|Inf|"
      "INF)|\\.(nan|NaN|NAN)");
  if (std::regex_match(text, null_re)) return Scalar::Null;
  if (std::regex_match(text, bool_re)) return Scalar::Bool;
  if (std::regex_match(text, int_re)) return Scalar::Int;
  if (std::regex_match(text, float_re)) return Scalar::Float;
  return Scalar::String;
}

// Walks the JSON form and the parsed YAML together: same keys, same values, same types. Failures name the
// path.
void check_same(const rapidjson::Value& json, const YAML::Node& yaml, const std::string& path) {
  INFO("at " << path);
  if (json.IsObject()) {
    // Keys come out sorted (go-yaml's order, as kubectl prints): compared by name.
    REQUIRE(yaml.IsMap());
    REQUIRE(yaml.size() == json.MemberCount());
    for (const auto& member : json.GetObject()) {
      const std::string key = member.name.GetString();
      INFO("key " << key);
      REQUIRE(yaml[key].IsDefined());
      check_same(member.value, yaml[key], path + "." + key);
    }
  } else if (json.IsArray()) {
    REQUIRE(yaml.IsSequence());
    REQUIRE(yaml.size() == json.Size());
    for (rapidjson::SizeType i = 0; i < json.Size(); ++i) {
      check_same(json[i], yaml[i], path + "[" + std::to_string(i) + "]");
    }
  } else {
    REQUIRE(yaml.IsScalar());
    const std::string text = yaml.Scalar();
    const bool plain = yaml.Tag() == "?";
    if (json.IsString()) {
      CHECK(text == std::string(json.GetString(), json.GetStringLength()));
      if (plain) CHECK(plain_type(text) == Scalar::String);
    } else {
      REQUIRE(plain);
      if (json.IsBool()) {
        CHECK(plain_type(text) == Scalar::Bool);
        CHECK(yaml.as<bool>() == json.GetBool());
      } else if (json.IsInt64()) {
        CHECK(plain_type(text) == Scalar::Int);
        CHECK(yaml.as<std::int64_t>() == json.GetInt64());
      } else if (json.IsUint64()) {
        CHECK(plain_type(text) == Scalar::Int);
        CHECK(yaml.as<std::uint64_t>() == json.GetUint64());
      } else if (json.IsNull()) {
        CHECK(plain_type(text) == Scalar::Null);
      } else {
        FAIL("unexpected JSON value");
      }
    }
  }
}

}  // namespace

TEST_CASE("activation report: -o yaml parses back to exactly the -o json form", "[report]") {
  using dr::commands::Outcome;
  dr::commands::ActivationReport report;
  report.workloads.push_back(workload("zookeeper", "zk", Outcome::Updated));
  report.workloads.back().message = "Updated replicas for statefulset zookeeper/zk to 3";
  // Counts as strings ("0", "3"), values YAML would otherwise read as numbers, booleans or null,
  // and messages with ": ", " #", quotes, a leading '-', '*', '!', '%', '@' and a newline.
  auto& failed = report.workloads.emplace_back(workload("yes", "007", Outcome::Failed));
  failed.from = "1e3";
  failed.to = "0x10";
  failed.error = "Error from server (Forbidden): statefulsets.apps \"007\" is forbidden: User \"a:b\" # no";
  failed.message = "- Error updating replicas for statefulset yes/007 : " + failed.error;
  auto& skipped = report.workloads.emplace_back(workload("null", "on", Outcome::Skipped));
  skipped.kind = "Kafka";
  skipped.field = "spec.kafka.replicas";
  skipped.from = "";
  skipped.to = "~";
  skipped.error = "annotation value 'abc' is not a count\n  (second line)";
  skipped.message = "*Error parsing replicas for app : !abc %x @y `z` [a] {b} | > & ? 1.5 -0 .inf";
  auto& unchanged = report.workloads.emplace_back(workload("ns-00001", "true", Outcome::Unchanged));
  unchanged.from = "12:30";
  unchanged.to = "-1";
  report.schedules.push_back(schedule("zookeeper", "migrationschedule", Outcome::Updated));
  report.schedules.push_back(schedule("No", "false", Outcome::Failed));
  report.schedules.back().error = "Error from server (Conflict): the object has been modified; please retry";
  report.warnings.push_back(
      "MigrationSchedule zookeeper/migrationschedule is Stork's copy: \"quoted\" and 'single'");
  report.errors.push_back(dr::Error::server(403, "Forbidden", "deployments.apps is forbidden: cannot list"));
  report.namespaces = {"zookeeper", "yes", "null", "ns-00001"};
  report.requests_sent = 42;
  report.elapsed = std::chrono::milliseconds(1500);

  // The checker itself: what an unquoted count or flag would turn into.
  CHECK(plain_type("0") == Scalar::Int);
  CHECK(plain_type("1e3") == Scalar::Float);
  CHECK(plain_type("yes") == Scalar::Bool);
  CHECK(plain_type("~") == Scalar::Null);
  CHECK(plain_type("12:30") == Scalar::Int);  // YAML 1.1 sexagesimal
  CHECK(plain_type("zk") == Scalar::String);
  CHECK(YAML::Load("v: 0")["v"].Tag() == "?");
  CHECK(YAML::Load("v: '0'")["v"].Tag() == "!");

  for (auto mode : {dr::stork::Mode::ActivateMigration, dr::stork::Mode::DeactivateMigration,
                    dr::stork::Mode::DeactivateApps}) {
    auto document = dr::commands::activation_report_document(mode, report);
    const std::string text = to_yaml(document);
    INFO(text);
    YAML::Node parsed;
    REQUIRE_NOTHROW(parsed = YAML::Load(text));
    check_same(document, parsed, "");
    CHECK(parsed["kind"].as<std::string>() == "ActivationReport");
    CHECK(parsed["items"][1]["from"].as<std::string>() == "1e3");
    CHECK(parsed["summary"]["failed"].as<int>() == 2);  // the failed workload and the failed list
    CHECK(parsed["summary"]["schedules"]["failed"].as<int>() == 1);
  }
}
