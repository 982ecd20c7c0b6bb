#include "dr/stork/migration_schedules.hpp"

#include "dr/stork/annotations.hpp"
#include "dr/stork/object.hpp"

namespace dr::stork {

namespace {

constexpr std::string_view kPolicyTypes[] = {"Interval", "Daily", "Weekly", "Monthly"};

std::string metadata_body_prefix(std::string_view resource_version) {
  std::string body = "{";
  if (!resource_version.empty()) {
    body += "\"metadata\":{\"resourceVersion\":";
    append_json_string(body, resource_version);
    body += "},";
  }
  return body;
}

// {"metadata":{"resourceVersion":"7"},"<section>":{"<field>":true}}: a merge patch of one boolean,
// conditional on the version read when the resource version is given.
std::string boolean_patch_body(std::string_view resource_version, std::string_view section,
                               std::string_view field, bool value) {
  std::string body = metadata_body_prefix(resource_version);
  append_json_string(body, section);
  body += ":{";
  append_json_string(body, field);
  body += value ? ":true}}" : ":false}}";
  return body;
}

}  // namespace

std::optional<LastSuccess> last_success(const rapidjson::Value& schedule) {
  const auto* items = at_path(schedule, "status.items");
  if (items == nullptr || !items->IsObject()) return std::nullopt;
  std::optional<LastSuccess> best;
  for (auto policy : kPolicyTypes) {
    const auto* list = member(*items, policy);
    if (list == nullptr || !list->IsArray()) continue;
    for (const auto& item : list->GetArray()) {
      if (string_member(item, "status") != "Successful") continue;
      auto finished = parse_kube_time(string_member(item, "finishTimestamp"));
      if (!finished) continue;
      if (best && *finished <= best->finished) continue;  // strictly later wins, as storkctl
      LastSuccess candidate;
      candidate.migration_name = std::string(string_member(item, "name"));
      candidate.finished = *finished;
      if (auto created = parse_kube_time(string_member(item, "creationTimestamp"))) {
        candidate.duration = *finished - *created;
      } else {
        // Go subtracts the zero time here, printing an absurd duration; report none instead.
        candidate.duration = std::chrono::nanoseconds{0};
      }
      best = std::move(candidate);
    }
  }
  return best;
}

bool is_suspended(const rapidjson::Value& schedule) {
  return bool_at(schedule, "spec.suspend").value_or(false);
}

bool is_static_copy(const rapidjson::Value& schedule) {
  return annotation(schedule, annotations::kStaticCopy).has_value();
}

MigrationScheduleRow migration_schedule_row(const rapidjson::Value& schedule) {
  MigrationScheduleRow row;
  row.namespace_name = std::string(object_namespace(schedule));
  row.name = std::string(object_name(schedule));
  row.created = parse_kube_time(creation_timestamp(schedule));
  if (const auto* spec = member(schedule, "spec")) {
    row.policy_name = std::string(string_member(*spec, "schedulePolicyName"));
    if (const auto* template_spec = at_path(*spec, "template.spec")) {
      row.cluster_pair = std::string(string_member(*template_spec, "clusterPair"));
    }
    row.auto_suspend = bool_at(*spec, "autoSuspend").value_or(false);
  }
  row.suspend = is_suspended(schedule);
  row.application_activated = bool_at(schedule, "status.applicationActivated").value_or(false);
  row.static_copy = is_static_copy(schedule);
  row.last_success = last_success(schedule);
  return row;
}

std::vector<MigrationScheduleRow> migration_schedule_rows(const rapidjson::Value& items) {
  return rows_of_items(items, migration_schedule_row);
}

std::string suspend_patch_body(bool suspend, std::string_view resource_version) {
  return boolean_patch_body(resource_version, "spec", "suspend", suspend);
}

std::string suspend_message(std::string_view name, bool suspend) {
  return "MigrationSchedule " + std::string(name) + (suspend ? " suspended" : " resumed") + " successfully";
}

std::vector<std::string> schedule_namespaces(const rapidjson::Value& schedule) {
  std::vector<std::string> out;
  const auto* namespaces = at_path(schedule, "spec.template.spec.namespaces");
  if (namespaces == nullptr || !namespaces->IsArray()) return out;
  for (const auto& ns : namespaces->GetArray()) {
    if (ns.IsString()) out.emplace_back(ns.GetString(), ns.GetStringLength());
  }
  return out;
}

bool schedule_uses_namespace_selectors(const rapidjson::Value& schedule) {
  const auto* selectors = at_path(schedule, "spec.template.spec.namespaceSelectors");
  return selectors != nullptr && selectors->IsObject() && selectors->MemberCount() > 0;
}

bool schedule_migrates_namespace(const rapidjson::Value& schedule, std::string_view ns,
                                 const rapidjson::Value* namespace_labels) {
  if (const auto* namespaces = at_path(schedule, "spec.template.spec.namespaces");
      namespaces != nullptr && namespaces->IsArray()) {
    for (const auto& entry : namespaces->GetArray()) {
      if (entry.IsString() && std::string_view(entry.GetString(), entry.GetStringLength()) == ns) return true;
    }
  }
  const auto* selectors = at_path(schedule, "spec.template.spec.namespaceSelectors");
  if (selectors == nullptr || !selectors->IsObject() || namespace_labels == nullptr) return false;
  for (auto it = selectors->MemberBegin(); it != selectors->MemberEnd(); ++it) {
    if (!it->value.IsString()) continue;
    const auto* label = member(*namespace_labels, {it->name.GetString(), it->name.GetStringLength()});
    if (label != nullptr && label->IsString() &&
        std::string_view(label->GetString(), label->GetStringLength()) ==
            std::string_view(it->value.GetString(), it->value.GetStringLength())) {
      return true;
    }
  }
  return false;
}

std::string schedule_namespace_for(const rapidjson::Value& object) {
  if (auto ns = annotation(object, annotations::kMigrationNamespace); ns && !ns->empty())
    return std::string(*ns);
  return std::string(object_namespace(object));
}

std::string application_activated_patch_body(bool activated, std::string_view resource_version) {
  return boolean_patch_body(resource_version, "status", "applicationActivated", activated);
}

std::string application_activated_message(std::string_view ns, std::string_view name, bool activated) {
  return "Setting the ApplicationActivated status in the MigrationSchedule " + std::string(ns) + "/" +
         std::string(name) + " to " + (activated ? "true" : "false");
}

bool should_set_application_activated(const rapidjson::Value& schedule, bool activated) {
  if (!activated && !is_static_copy(schedule)) return false;
  return bool_at(schedule, "status.applicationActivated").value_or(false) != activated;
}

}  // namespace dr::stork
