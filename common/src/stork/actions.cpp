#include "dr/stork/actions.hpp"

#include <algorithm>
#include <array>

#include "dr/stork/object.hpp"

namespace dr::stork {

namespace {

constexpr std::size_t kMaxObjectName = 253;

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Go's fmt of a []string: "[a b]".
std::string go_list(const std::vector<std::string>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ' ';
    text += values[i];
  }
  return text + "]";
}

void append_string_array(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, values[i]);
  }
  out += ']';
}

const rapidjson::Value* summary_items(const rapidjson::Value& action) {
  const auto* summary = at_path(action, "status.summary");
  if (summary == nullptr || !summary->IsObject()) return nullptr;
  for (const char* key : {"failoverSummary", "failbackSummary"}) {
    const auto* items = member(*summary, key);
    if (items != nullptr && items->IsArray() && !items->Empty()) return items;
  }
  return nullptr;
}

}  // namespace

std::string_view action_type_word(ActionType type) {
  return type == ActionType::Failover ? "failover" : "failback";
}

std::optional<ActionType> action_type_of(const rapidjson::Value& action) {
  const auto* type = at_path(action, "spec.actionType");
  if (type == nullptr || !type->IsString()) return std::nullopt;
  const std::string_view word = type->GetString();
  if (word == "failover") return ActionType::Failover;
  if (word == "failback") return ActionType::Failback;
  return std::nullopt;
}

std::string action_name(ActionType type, std::string_view schedule, const std::tm& local) {
  std::array<char, 32> stamp{};
  const std::size_t stamp_size = std::strftime(stamp.data(), stamp.size(), "%Y-%m-%d-%H%M%S", &local);
  const std::string prefix = std::string(action_type_word(type)) + "-";
  const std::string suffix = "-" + std::string(stamp.data(), stamp_size);
  const std::size_t room = kMaxObjectName - prefix.size() - suffix.size();
  return prefix + std::string(schedule.substr(0, room)) + suffix;
}

Result<std::vector<std::string>> action_namespaces(const std::vector<std::string>& schedule_namespaces,
                                                   const std::vector<std::string>& include,
                                                   const std::vector<std::string>& exclude) {
  if (!include.empty() && !exclude.empty()) {
    return Error::usage(
        "can provide only one of --include-namespaces or --exclude-namespaces values at once");
  }
  const auto& given = include.empty() ? exclude : include;
  std::vector<std::string> outside;
  for (const auto& ns : given) {
    if (!contains(schedule_namespaces, ns)) outside.push_back(ns);
  }
  if (!outside.empty()) {
    return Error::usage("provided namespaces " + go_list(outside) +
                        " are not a subset of the namespaces being migrated by the given MigrationSchedule");
  }
  if (!include.empty()) return include;
  std::vector<std::string> selected;
  for (const auto& ns : schedule_namespaces) {
    if (!contains(exclude, ns)) selected.push_back(ns);
  }
  return selected;
}

std::string action_body(const ActionRequest& request) {
  const bool failover = request.type == ActionType::Failover;
  std::string body =
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Action","metadata":{"name":)";
  append_json_string(body, request.name);
  body += R"(,"namespace":)";
  append_json_string(body, request.namespace_name);
  body += R"(},"spec":{"actionType":)";
  append_json_string(body, action_type_word(request.type));
  body += failover ? R"(,"actionParameter":{"failoverParameter":{"failoverNamespaces":)"
                   : R"(,"actionParameter":{"failbackParameter":{"failbackNamespaces":)";
  append_string_array(body, request.namespaces);
  body += R"(,"migrationScheduleReference":)";
  append_json_string(body, request.schedule);
  if (failover)
    body += request.skip_source_operations ? R"(,"skipSourceOperations":true)"
                                           : R"(,"skipSourceOperations":false)";
  body += R"(}}},"status":{}})";
  return body;
}

std::string action_stage_display(ActionType type, std::string_view stage) {
  const bool failover = type == ActionType::Failover;
  if (stage.empty()) return "Validations";
  if (stage == "ScaleDownSource") return "Scale Down (on source)";
  if (stage == "ScaleDownDestination") return "Scale Down (on destination)";
  if (stage == "WaitAfterScaleDown") {
    return failover ? "Waiting for Apps to Scale Down (on source)"
                    : "Waiting for Apps to Scale Down (on destination)";
  }
  if (stage == "LastMileMigration") {
    return failover ? "Last Mile Migration (from source -> destination)"
                    : "Last Mile Migration (from destination -> source)";
  }
  if (stage == "ScaleUpSource")
    return failover ? "Rolling Back Scale Down (on source)" : "Scale Up (on source)";
  if (stage == "ScaleUpDestination") {
    return failover ? "Scale Up (on destination)" : "Rolling Back Scale Down (on destination)";
  }
  if (stage == "Final") return "Completed";
  return std::string(stage);
}

std::string action_more_info(const rapidjson::Value& action) {
  const auto* status = at_path(action, "status");
  std::string reason(status != nullptr ? string_member(*status, "reason") : "");
  const auto* items = summary_items(action);
  // No summary yet (or an empty one, which storkctl drops from its table): the reason says it all.
  if (items == nullptr) return reason;
  std::size_t successful = 0;
  std::size_t rolled_back = 0;
  bool any_rollback = false;
  for (const auto& item : items->GetArray()) {
    const std::string_view status = item.IsObject() ? string_member(item, "status") : "";
    if (status == "Successful") ++successful;
    if (status == "RollbackSuccessful") ++rolled_back;
    if (status == "RollbackSuccessful" || status == "RollbackFailed") any_rollback = true;
  }
  const std::string total = std::to_string(items->Size());
  if (any_rollback) {
    std::string text = "Rolled back Apps in : " + std::to_string(rolled_back) + "/" + total + " namespaces";
    if (!reason.empty()) text += " ; " + reason;
    return text;
  }
  return "Scaled up Apps in : " + std::to_string(successful) + "/" + total + " namespaces";
}

ActionRow action_row(ActionType type, const rapidjson::Value& action) {
  ActionRow row;
  row.namespace_name = std::string(object_namespace(action));
  row.name = std::string(object_name(action));
  row.created = parse_kube_time(creation_timestamp(action));
  const auto* status = at_path(action, "status");
  const bool has_status = status != nullptr && status->IsObject();
  row.stage = action_stage_display(type, has_status ? string_member(*status, "stage") : "");
  row.status = has_status ? std::string(string_member(*status, "status")) : "";
  row.more_info = action_more_info(action);
  return row;
}

bool action_finished(const rapidjson::Value& action) {
  const auto* stage = at_path(action, "status.stage");
  return stage != nullptr && stage->IsString() && std::string_view(stage->GetString()) == "Final";
}

}  // namespace dr::stork
