// The activation engine's schedule helpers and outcome mapping (activation_internal.hpp).
#include "activation_internal.hpp"

#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"

namespace dr::commands {

Outcome outcome_of(stork::SkipReason reason) {
  switch (reason) {
    case stork::SkipReason::Unchanged:
      return Outcome::Unchanged;
    case stork::SkipReason::Malformed:
    case stork::SkipReason::Conflict:
      return Outcome::Failed;
    case stork::SkipReason::NotManaged:
    case stork::SkipReason::Owned:
    case stork::SkipReason::LeftAlone:
    case stork::SkipReason::Running:
      return Outcome::Skipped;
  }
  return Outcome::Skipped;
}

void retry_schedule_patch(kube::ApiClient& client, ScheduleResult& result, int max_retries,
                          const kube::WriteOptions& write_options) {
  Result<rapidjson::Document> patched = Error{};
  for (int attempt = 1; attempt <= max_retries; ++attempt) {
    auto fresh = client.get(kube::types::migrationschedules, result.namespace_name, result.name);
    if (!fresh) {
      patched = std::move(fresh).error();
      break;
    }
    if (!stork::should_set_application_activated(*fresh, result.application_activated)) {
      result.outcome = Outcome::Unchanged;  // someone else set it meanwhile
      return;
    }
    patched = client.patch(kube::types::migrationschedules, result.namespace_name, result.name,
                           kube::PatchType::Merge,
                           stork::application_activated_patch_body(result.application_activated,
                                                                   stork::resource_version(*fresh)),
                           write_options);
    if (patched || !patched.error().is_conflict()) break;
  }
  if (patched) {
    result.outcome = Outcome::Updated;
  } else {
    mark_schedule_failed(result, patched.error());
  }
}

std::string unguarded_schedule_warning(const ScheduleResult& result, const std::string& migrated) {
  return "MigrationSchedule " + result.namespace_name + "/" + result.name +
         " is Stork's copy of a schedule on the cluster that migrates namespace " + migrated +
         " to this one, and its applicationActivated could not be set: unless that schedule is " +
         "suspended, its next migrations overwrite these applications, and any that changed there " +
         "come back at 0 replicas. Suspend it on that cluster: kubectl dr suspend migrationschedule " +
         result.name + " -n " + result.namespace_name + " --context <source cluster>";
}

}  // namespace dr::commands
