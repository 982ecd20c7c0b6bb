// The activation engine's stateless pieces: results, outcome mapping, schedule helpers
// (activation_internal.hpp).
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

WorkloadResult describe_workload(const stork::Target& target, const rapidjson::Value& object) {
  WorkloadResult result;
  result.type = target.type;
  result.kind = target.type.kind;
  result.label = target.label;
  result.api_version = target.type.api_version();
  result.namespace_name = std::string(stork::object_namespace(object));
  result.name = std::string(stork::object_name(object));
  return result;
}

WorkloadResult reread_failure(const stork::Target& target, const std::string& namespace_name,
                              const std::string& name, const Error& error) {
  WorkloadResult result;
  result.type = target.type;
  result.kind = target.type.kind;
  result.label = target.label;
  result.api_version = target.type.api_version();
  result.namespace_name = namespace_name;
  result.name = name;
  result.outcome = Outcome::Failed;
  result.error = error.kubectl_line();
  result.message = "Error re-reading " + target.label + " " + namespace_name + "/" + name +
                   " after a conflict : " + result.error;
  return result;
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

Result<std::set<std::string>> namespaces_named_by_schedules(kube::ApiClient& client) {
  std::set<std::string> named;
  DR_TRY_ASSIGN(const bool served, client.discovery().serves(kube::types::migrationschedules));
  if (!served) return named;
  rapidjson::MemoryPoolAllocator<> allocator;
  std::vector<rapidjson::Value> with_selectors;
  auto keep = [&](rapidjson::Value& items, std::string_view) -> Result<void> {
    for (auto& schedule : items.GetArray()) {
      if (stork::schedule_uses_namespace_selectors(schedule))
        with_selectors.emplace_back(schedule, allocator);
      const auto* listed = stork::at_path(schedule, "spec.template.spec.namespaces");
      if (listed == nullptr || !listed->IsArray()) continue;
      for (const auto& entry : listed->GetArray()) {
        if (entry.IsString()) named.emplace(entry.GetString(), entry.GetStringLength());
      }
    }
    return {};
  };
  if (auto listed = client.list(kube::types::migrationschedules, "", {}, keep); !listed)
    return std::move(listed).error().wrap("listing migrationschedules");
  if (with_selectors.empty()) return named;
  auto by_labels = [&](rapidjson::Value& items, std::string_view) -> Result<void> {
    for (auto& ns : items.GetArray()) {
      const auto name = stork::object_name(ns);
      for (const auto& schedule : with_selectors) {
        if (stork::schedule_migrates_namespace(schedule, name, stork::labels_of(ns))) {
          named.emplace(name);
          break;
        }
      }
    }
    return {};
  };
  if (auto listed = client.list(kube::types::namespaces, "", {}, by_labels); !listed)
    return std::move(listed).error().wrap("listing namespaces for namespaceSelectors");
  return named;
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
