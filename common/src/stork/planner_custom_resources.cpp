// The planner's custom resources: ApplicationRegistration suspend options and VirtualMachines.
#include <optional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dr/core/strings.hpp"
#include "dr/stork/annotations.hpp"
#include "dr/stork/object.hpp"
#include "planner_internal.hpp"

namespace dr::stork {

namespace {

using strings::lower;

struct FieldChange {
  std::string path;
  rapidjson::Value value;  // allocated in the plan's document
  std::string from;
  std::string to;
};

// Splits "a,b" into exactly two parts, or nullopt.
std::optional<std::pair<std::string_view, std::string_view>> split_pair(std::string_view text) {
  auto comma = text.find(',');
  if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos)
    return std::nullopt;
  return std::pair{text.substr(0, comma), text.substr(comma + 1)};
}

std::optional<bool> parse_go_bool(std::string_view text) {
  // Go's strconv.ParseBool accepts these spellings.
  if (text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" || text == "True")
    return true;
  if (text == "0" || text == "f" || text == "F" || text == "false" || text == "FALSE" || text == "False")
    return false;
  return std::nullopt;
}

std::string value_text(const rapidjson::Value* value) {
  if (value == nullptr || value->IsNull()) return "";
  if (value->IsString()) return {value->GetString(), value->GetStringLength()};
  if (value->IsBool()) return value->GetBool() ? "true" : "false";
  if (value->IsInt64()) return std::to_string(value->GetInt64());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value->Accept(writer);
  return buffer.GetString();
}

// Sets `value` at a dotted path inside `root`, creating objects on the way.
void set_path(rapidjson::Value& root, std::string_view dotted_path, rapidjson::Value value,
              rapidjson::Document::AllocatorType& allocator) {
  rapidjson::Value* current = &root;
  while (true) {
    auto dot = dotted_path.find('.');
    auto key = dotted_path.substr(0, dot);
    auto it = current->FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    if (dot == std::string_view::npos) {
      if (it != current->MemberEnd()) {
        it->value = std::move(value);
      } else {
        current->AddMember(
            rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), allocator),
            std::move(value), allocator);
      }
      return;
    }
    if (it == current->MemberEnd() || !it->value.IsObject()) {
      if (it != current->MemberEnd()) {
        it->value.SetObject();
        current = &it->value;
      } else {
        current->AddMember(
            rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), allocator),
            rapidjson::Value(rapidjson::kObjectType), allocator);
        current = &(current->MemberEnd() - 1)->value;
      }
    } else {
      current = &it->value;
    }
    dotted_path.remove_prefix(dot + 1);
  }
}

// What planning a custom resource's suspend options gathers before it decides.
struct SuspendPlan {
  std::vector<FieldChange> changes;
  std::vector<std::pair<std::string, std::string>> records;  // annotation key -> value
  std::vector<std::string> problems;
  std::size_t considered = 0;
  std::size_t unmanaged = 0;  // options without any Stork record of their value
};

// One suspend option of one object, as the per-type planners see it.
struct OptionState {
  const SuspendOption& option;
  std::string record_key;
  std::optional<std::string_view> record;
  const rapidjson::Value* current_value;
  std::string current_text;
};

struct CustomResourceContext {
  Mode mode;
  const rapidjson::Value& object;
  bool is_vm;
  bool migrated;
  rapidjson::Document::AllocatorType& allocator;
};

void plan_bool_option(const CustomResourceContext& cr, const OptionState& state, SuspendPlan& plan) {
  auto suspend_value = parse_go_bool(state.option.value);
  bool target_value = cr.mode == Mode::ActivateMigration ? (suspend_value ? !*suspend_value : false)
                                                         : (suspend_value ? *suspend_value : true);
  if (cr.mode != Mode::DeactivateApps && !state.record && !cr.migrated) {
    ++plan.unmanaged;
    return;
  }
  const auto* current_value = state.current_value;
  bool current = current_value != nullptr && current_value->IsBool() && current_value->GetBool();
  if (current_value != nullptr && current_value->IsBool() && current == target_value) return;
  if (current_value == nullptr && !target_value) return;  // absent reads as false
  plan.changes.push_back({state.option.path, rapidjson::Value(target_value), state.current_text,
                          target_value ? "true" : "false"});
  if (cr.mode == Mode::DeactivateApps)
    plan.records.emplace_back(state.record_key, state.current_text + "," + state.option.value);
}

void plan_int_option(const CustomResourceContext& cr, const OptionState& state, SuspendPlan& plan) {
  const auto& option = state.option;
  const auto& current_text = state.current_text;
  std::optional<std::int64_t> current;
  if (state.current_value != nullptr && state.current_value->IsInt64())
    current = state.current_value->GetInt64();
  if (cr.mode == Mode::DeactivateApps) {
    if (!current) {
      plan.problems.push_back("unable to find suspend path " + option.path);
      return;
    }
    if (*current == 0) return;  // already stopped: keep whatever count is recorded
    plan.changes.push_back({option.path, rapidjson::Value(std::int64_t{0}), current_text, "0"});
    plan.records.emplace_back(state.record_key, current_text + "," + option.value);
    return;
  }
  std::string_view recorded_text;
  if (state.record) {
    recorded_text = state.record->substr(0, state.record->find(','));
  } else if (auto legacy = annotation(cr.object, annotations::kCrdActivate)) {
    recorded_text = *legacy;
  } else {
    ++plan.unmanaged;
    return;
  }
  auto recorded = parse_replica_count(recorded_text);
  if (cr.mode == Mode::ActivateMigration) {
    if (!recorded) {
      plan.problems.push_back("annotation " + state.record_key + ": " + recorded.error().message);
      return;
    }
    if (current && *current == *recorded) return;
    plan.changes.push_back(
        {option.path, rapidjson::Value(std::int64_t{*recorded}), current_text, std::to_string(*recorded)});
    return;
  }
  if (current && *current == 0) return;
  plan.changes.push_back({option.path, rapidjson::Value(std::int64_t{0}), current_text, "0"});
  // Never lose a count: if the recorded one is unusable, record the live one.
  if (current && *current > 0 && (!recorded || *recorded == 0)) {
    plan.records.emplace_back(state.record_key, current_text + "," + option.value);
  }
}

void plan_string_option(const CustomResourceContext& cr, const OptionState& state, SuspendPlan& plan) {
  const auto& option = state.option;
  const auto& current_text = state.current_text;
  if (cr.mode == Mode::DeactivateApps) {
    if (current_text == option.value && !(cr.is_vm && bool_at(cr.object, "spec.running"))) return;
    plan.changes.push_back(
        {option.path, rapidjson::Value(option.value.c_str(), cr.allocator), current_text, option.value});
    // Already at the disabled value (only spec.running needed dropping): nothing to record,
    // and a recorded value, if any, must be kept.
    if (current_text != option.value) {
      plan.records.emplace_back(state.record_key, current_text + "," + option.value);
    }
    return;
  }
  std::string wanted;
  if (state.record) {
    auto parts = split_pair(*state.record);
    if (!parts) {
      plan.problems.push_back("migrated annotation does not have proper values " + state.record_key + "/" +
                              std::string(*state.record));
      return;
    }
    wanted = std::string(cr.mode == Mode::ActivateMigration ? parts->first : parts->second);
  } else if (auto legacy =
                 annotation(cr.object, cr.mode == Mode::ActivateMigration ? annotations::kCrdActivate
                                                                          : annotations::kCrdDeactivate)) {
    wanted = std::string(*legacy);
  } else {
    ++plan.unmanaged;
    return;
  }
  if (wanted.empty()) {
    plan.problems.push_back("annotation " + state.record_key + " records no value to set");
    return;
  }
  const bool running_conflicts = cr.is_vm && at_path(cr.object, "spec.running") != nullptr;
  if (current_text == wanted && !running_conflicts) return;
  plan.changes.push_back({option.path, rapidjson::Value(wanted.c_str(), cr.allocator), current_text, wanted});
}

SuspendPlan plan_suspend_options(const CustomResourceContext& cr, const std::vector<SuspendOption>& options) {
  SuspendPlan plan;
  for (const auto& option : options) {
    if (option.path.find('.') == std::string::npos) continue;  // Stork ignores top-level paths
    ++plan.considered;
    OptionState state{option,
                      annotations::suspend_path_annotation(option.path),
                      std::nullopt,
                      at_path(cr.object, option.path),
                      {}};
    state.record = annotation(cr.object, state.record_key);
    state.current_text = value_text(state.current_value);
    // A VM stopped/started through spec.running has no runStrategy: derive the effective one.
    if (cr.is_vm && option.path == "spec.runStrategy" && state.current_text.empty()) {
      if (auto running = bool_at(cr.object, "spec.running"))
        state.current_text = *running ? "Always" : "Halted";
    }
    switch (option.value_type()) {
      case SuspendValueType::Bool:
        plan_bool_option(cr, state, plan);
        break;
      case SuspendValueType::Int:
        plan_int_option(cr, state, plan);
        break;
      case SuspendValueType::String:
        plan_string_option(cr, state, plan);
        break;
      case SuspendValueType::Unknown:
        plan.problems.push_back("invalid type " + option.type + " to suspend cr");
        break;
    }
  }
  return plan;
}

// The merge patch that applies `plan` (with the resourceVersion read as precondition), and what
// the write reports.
PlannedWrite custom_resource_write(const CustomResourceContext& cr, const Target& target, SuspendPlan& plan,
                                   rapidjson::Document& patch, const std::string& label) {
  auto& allocator = cr.allocator;
  PlannedWrite write;
  const auto rv = resource_version(cr.object);
  write.resource_version = std::string(rv);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("resourceVersion",
                     rapidjson::Value(rv.data(), static_cast<rapidjson::SizeType>(rv.size()), allocator),
                     allocator);
  if (!plan.records.empty()) {
    rapidjson::Value annotations_value(rapidjson::kObjectType);
    for (auto& [key, value] : plan.records) {
      annotations_value.AddMember(rapidjson::Value(key.c_str(), allocator),
                                  rapidjson::Value(value.c_str(), allocator), allocator);
    }
    metadata.AddMember("annotations", annotations_value, allocator);
  }
  patch.AddMember("metadata", metadata, allocator);
  for (auto& change : plan.changes) {
    if (!write.field.empty()) {
      write.field += ", ";
      write.from += ", ";
      write.to += ", ";
    }
    write.field += change.path;
    write.from += change.from;
    write.to += change.to;
    set_path(patch, change.path, std::move(change.value), allocator);
  }
  // spec.running and spec.runStrategy are mutually exclusive on a VirtualMachine: drop running
  // whenever we set runStrategy (storkctl meant to, but never sent the change).
  if (cr.is_vm && at_path(cr.object, "spec.running") != nullptr)
    set_path(patch, "spec.running", rapidjson::Value(), allocator);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  patch.Accept(writer);
  write.body.assign(buffer.GetString(), buffer.GetSize());
  write.success_message = "Updated CR for " + label;
  write.failure_prefix = "Error updating CR " + label + ": ";

  if (cr.mode != Mode::ActivateMigration && !target.registration.pods_path.empty()) {
    if (const auto* pods = at_path(cr.object, target.registration.pods_path);
        pods != nullptr && pods->IsArray()) {
      for (const auto& pod : pods->GetArray()) {
        if (pod.IsString()) write.pods_to_delete.emplace_back(pod.GetString(), pod.GetStringLength());
      }
    }
  }
  return write;
}

}  // namespace

Plan plan_custom_resource(Mode mode, const Target& target, const rapidjson::Value& object) {
  const std::string kind_label = target.label.empty() ? lower(target.registration.kind) : target.label;
  const std::string label = kind_label + " " + namespaced_name(object);
  rapidjson::Document patch(rapidjson::kObjectType);
  const CustomResourceContext cr{mode, object, target.workload_class == WorkloadClass::VirtualMachine,
                                 annotation(object, annotations::kMigrated).has_value(),
                                 patch.GetAllocator()};
  SuspendPlan plan = plan_suspend_options(cr, target.registration.all_suspend_options());

  if (!plan.problems.empty()) {
    const std::string problems = strings::join(plan.problems, "; ");
    return skip(SkipReason::Malformed, problems,
                "Error parsing replicas for app : " + label + ": " + problems);
  }
  if (plan.considered == 0)
    return skip(SkipReason::NotManaged, "its ApplicationRegistration declares no suspend options");
  if (plan.changes.empty()) {
    if (plan.unmanaged == plan.considered)
      return skip(SkipReason::NotManaged, "no Stork suspend annotations recorded");
    return skip(SkipReason::Unchanged, "suspend options already set");
  }
  return custom_resource_write(cr, target, plan, patch, label);
}

}  // namespace dr::stork
