// The activation engine behind `activate migration`, `deactivate migration` and `deactivate apps`:
// list every kind once (cluster-wide or per namespace, page by page), plan each object with the
// Stork planner, send the writes concurrently through one connection pool, re-read and re-plan an
// object alone when its write meets a 409, then maintain the MigrationSchedules' applicationActivated
// flag. One object failing never stops the others: every outcome is reported.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/cli/flags.hpp"
#include "dr/core/error.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/stork/planner.hpp"
#include "dr/stork/selection.hpp"

namespace dr::commands {

using cli::DryRun;

enum class Outcome {
  Updated,    // the write succeeded (or would have: server dry run)
  Planned,    // client dry run: the write that would be sent
  Unchanged,  // already in the wanted state: no request
  Skipped,    // deliberately not touched (malformed count, owned, operator-suspended)
  Failed,     // the write or its re-read failed
};
std::string_view to_string(Outcome outcome);

struct WorkloadResult {
  kube::ResourceType type;
  std::string kind;   // "StatefulSet"
  std::string label;  // "statefulset": storkctl's lower-case word
  std::string api_version;
  std::string namespace_name;
  std::string name;
  std::string field;  // "spec.replicas", "spec.suspend", ...
  std::string from;
  std::string to;
  Outcome outcome = Outcome::Unchanged;
  std::string message;  // the line printed for it (storkctl's wording where it has one)
  std::string error;    // Failed: the error; Skipped: the reason
  std::vector<std::string> warnings;
};

struct ScheduleResult {
  std::string namespace_name;
  std::string name;
  bool application_activated = false;
  Outcome outcome = Outcome::Updated;
  std::string message;
  std::string error;
};

struct ActivationOptions {
  stork::Mode mode = stork::Mode::ActivateMigration;
  stork::Selection selection;
  DryRun dry_run = DryRun::None;
  std::size_t page_size = 500;
  int max_conflict_retries = 5;
  // Namespaces given explicitly (-n / --include-namespaces) must exist; checked up front.
  bool verify_namespaces = true;
  // --force: see stork::PlanOptions.
  bool force = false;
};

// Receives results as they happen, so the command can print progressively.
struct ActivationObserver {
  std::function<void(const WorkloadResult&)> on_workload;
  std::function<void(const ScheduleResult&)> on_schedule;
  std::function<void(const std::string&)> on_warning;
  std::function<void(const Error&)> on_error;  // failures not tied to one object (a failed list)
};

struct ActivationReport {
  std::vector<WorkloadResult> workloads;
  std::vector<ScheduleResult> schedules;
  std::vector<std::string> warnings;
  std::vector<Error> errors;         // failures not tied to one object
  std::set<std::string> namespaces;  // namespaces with at least one managed workload
  // Namespaces with a workload that failed: their MigrationSchedules are left as they were.
  std::set<std::string> failed_namespaces;
  std::size_t requests_sent = 0;
  std::chrono::milliseconds elapsed{0};
  bool interrupted = false;

  // Workloads with this outcome. MigrationSchedules are not workloads: schedule_count().
  std::size_t count(Outcome outcome) const;
  std::size_t schedule_count(Outcome outcome) const;
  // Anything failed (objects or lists): the command's exit code is 1.
  bool failed() const;
};

// Marks a schedule's ApplicationActivated write failed, with the line printed for it.
void mark_schedule_failed(ScheduleResult& result, const Error& error);

ActivationReport run_activation(kube::ApiClient& client, const ActivationOptions& options,
                                const ActivationObserver& observer = {});

// The -o json/yaml form of a report: kind ActivationReport, one item per workload, the schedules,
// warnings, errors and a summary (workload counts, summary.schedules for the MigrationSchedules).
rapidjson::Document activation_report_document(stork::Mode mode, const ActivationReport& report);
// The closing line on stderr: "Activated 1 workload in 1 namespace (0 unchanged, 0 skipped,
// 0 failed) and marked 1 MigrationSchedule applicationActivated=true in 0.2s, 9 requests". Counts
// workloads only; the schedule clause appears when a schedule was (or would be) written or failed.
// A server dry run's line ends in "(server dry run)": the server accepted every write, none was kept.
std::string activation_summary_line(stork::Mode mode, const ActivationReport& report, bool dry_run,
                                    bool server_dry_run = false);

// --wait. Activation: until every workload the report scaled up (or found at its count) reports
// its ready replicas. Deactivation: until each one it scaled down (or found at 0) is stopped: the
// controller has seen the change and reports no replicas, ready or not. Or until the timeout
// (0 = none). Errors name the workloads still waiting; `progress` gets "N/M workloads ready" or
// "N/M workloads at 0 replicas" after each poll.
Result<void> wait_for_workloads(kube::ApiClient& client, const ActivationReport& report, stork::Mode mode,
                                std::chrono::milliseconds timeout,
                                const std::function<void(const std::string&)>& progress = {});
// What --wait waits for: "ready" (activation) or "at 0 replicas" (deactivation).
std::string_view wait_goal(stork::Mode mode);

}  // namespace dr::commands
