// What an activation reports: outcome counts, the -o json|yaml document and the summary line.
#include <iomanip>
#include <sstream>

#include <rapidjson/document.h>

#include "dr/commands/activation.hpp"

namespace dr::commands {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Updated:
      return "updated";
    case Outcome::Planned:
      return "planned";
    case Outcome::Unchanged:
      return "unchanged";
    case Outcome::Skipped:
      return "skipped";
    case Outcome::Failed:
      return "failed";
  }
  return "unknown";
}

std::size_t ActivationReport::count(Outcome outcome) const {
  return static_cast<std::size_t>(std::count_if(
      workloads.begin(), workloads.end(), [&](const WorkloadResult& r) { return r.outcome == outcome; }));
}

std::size_t ActivationReport::schedule_count(Outcome outcome) const {
  return static_cast<std::size_t>(std::count_if(
      schedules.begin(), schedules.end(), [&](const ScheduleResult& r) { return r.outcome == outcome; }));
}

bool ActivationReport::failed() const {
  return !errors.empty() || count(Outcome::Failed) > 0 || schedule_count(Outcome::Failed) > 0 || interrupted;
}

void mark_schedule_failed(ScheduleResult& result, const Error& error) {
  result.outcome = Outcome::Failed;
  result.error = error.kubectl_line();
  result.message = "Error setting the ApplicationActivated status in the MigrationSchedule " +
                   result.namespace_name + "/" + result.name + " : " + result.error;
}

namespace {

std::string_view mode_name(stork::Mode mode) {
  switch (mode) {
    case stork::Mode::ActivateMigration:
      return "activate-migration";
    case stork::Mode::DeactivateMigration:
      return "deactivate-migration";
    case stork::Mode::DeactivateApps:
      return "deactivate-apps";
  }
  return "";
}

}  // namespace

rapidjson::Document activation_report_document(stork::Mode mode, const ActivationReport& report) {
  rapidjson::Document document(rapidjson::kObjectType);
  auto& a = document.GetAllocator();
  auto str = [&](std::string_view text) {
    return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  };
  document.AddMember("apiVersion", "dr.kubectl-dr.io/v1alpha1", a);
  document.AddMember("kind", "ActivationReport", a);
  document.AddMember("mode", str(mode_name(mode)), a);
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& w : report.workloads) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("kind", str(w.kind), a);
    item.AddMember("apiVersion", str(w.api_version), a);
    item.AddMember("namespace", str(w.namespace_name), a);
    item.AddMember("name", str(w.name), a);
    item.AddMember("field", str(w.field), a);
    item.AddMember("from", str(w.from), a);
    item.AddMember("to", str(w.to), a);
    item.AddMember("outcome", str(to_string(w.outcome)), a);
    if (!w.message.empty()) item.AddMember("message", str(w.message), a);
    if (!w.error.empty()) {
      item.AddMember(rapidjson::StringRef(w.outcome == Outcome::Failed ? "error" : "reason"), str(w.error),
                     a);
    }
    items.PushBack(item, a);
  }
  document.AddMember("items", items, a);
  rapidjson::Value schedules(rapidjson::kArrayType);
  for (const auto& s : report.schedules) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("namespace", str(s.namespace_name), a);
    item.AddMember("name", str(s.name), a);
    item.AddMember("applicationActivated", s.application_activated, a);
    item.AddMember("outcome", str(to_string(s.outcome)), a);
    if (!s.error.empty()) item.AddMember("error", str(s.error), a);
    schedules.PushBack(item, a);
  }
  document.AddMember("schedules", schedules, a);
  rapidjson::Value warnings(rapidjson::kArrayType);
  for (const auto& w : report.warnings) warnings.PushBack(str(w), a);
  document.AddMember("warnings", warnings, a);
  rapidjson::Value errors(rapidjson::kArrayType);
  for (const auto& e : report.errors) errors.PushBack(str(e.kubectl_line()), a);
  document.AddMember("errors", errors, a);
  rapidjson::Value summary(rapidjson::kObjectType);
  // Workload counts (plus the failures not tied to one object); the schedules have their own.
  summary.AddMember("updated", static_cast<uint64_t>(report.count(Outcome::Updated)), a);
  summary.AddMember("planned", static_cast<uint64_t>(report.count(Outcome::Planned)), a);
  summary.AddMember("unchanged", static_cast<uint64_t>(report.count(Outcome::Unchanged)), a);
  summary.AddMember("skipped", static_cast<uint64_t>(report.count(Outcome::Skipped)), a);
  summary.AddMember("failed", static_cast<uint64_t>(report.count(Outcome::Failed) + report.errors.size()), a);
  rapidjson::Value schedule_counts(rapidjson::kObjectType);
  for (auto outcome : {Outcome::Updated, Outcome::Planned, Outcome::Unchanged, Outcome::Failed}) {
    schedule_counts.AddMember(str(to_string(outcome)),
                              rapidjson::Value(static_cast<uint64_t>(report.schedule_count(outcome))), a);
  }
  summary.AddMember("schedules", schedule_counts, a);
  summary.AddMember("namespaces", static_cast<uint64_t>(report.namespaces.size()), a);
  summary.AddMember("requests", static_cast<uint64_t>(report.requests_sent), a);
  summary.AddMember("elapsedMilliseconds", static_cast<int64_t>(report.elapsed.count()), a);
  summary.AddMember("interrupted", report.interrupted, a);
  document.AddMember("summary", summary, a);
  return document;
}

std::string activation_summary_line(stork::Mode mode, const ActivationReport& report, bool dry_run,
                                    bool server_dry_run) {
  std::ostringstream line;
  const bool activating = mode == stork::Mode::ActivateMigration;
  std::size_t changed = report.count(Outcome::Updated) + report.count(Outcome::Planned);
  if (report.interrupted) line << "Interrupted: ";
  line << (dry_run ? "Would have " : "")
       << (dry_run ? (activating ? "activated" : "deactivated") : (activating ? "Activated" : "Deactivated"))
       << " " << changed << (changed == 1 ? " workload" : " workloads") << " in " << report.namespaces.size()
       << (report.namespaces.size() == 1 ? " namespace" : " namespaces") << " ("
       << report.count(Outcome::Unchanged) << " unchanged, " << report.count(Outcome::Skipped) << " skipped, "
       << report.count(Outcome::Failed) + report.errors.size() << " failed)";
  // MigrationSchedules are not workloads: their status update is a clause of its own, only when
  // one was (or would be) written or failed.
  const std::size_t marked =
      report.schedule_count(Outcome::Updated) + report.schedule_count(Outcome::Planned);
  const std::size_t schedules_failed = report.schedule_count(Outcome::Failed);
  if (marked + schedules_failed > 0) {
    line << " and marked " << marked << (marked == 1 ? " MigrationSchedule" : " MigrationSchedules")
         << " applicationActivated=" << (activating ? "true" : "false");
    if (schedules_failed > 0) line << " (" << schedules_failed << " failed)";
  }
  line << " in " << std::fixed << std::setprecision(1) << static_cast<double>(report.elapsed.count()) / 1000.0
       << "s, " << report.requests_sent << " requests";
  if (server_dry_run) line << " (server dry run)";
  if (report.interrupted) line << "; re-run the command to finish";
  return line.str();
}

}  // namespace dr::commands
