#include "dr/stork/planner.hpp"

#include <algorithm>
#include <optional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dr/core/strings.hpp"
#include "dr/stork/annotations.hpp"
#include "dr/stork/object.hpp"

namespace dr::stork {

namespace {

using strings::lower;

Skip skip(SkipReason reason, std::string detail, std::string message = {}) {
  return Skip{reason, std::move(detail), std::move(message)};
}

// ---------------------------------------------------------------------------------------------
// Replicated workloads: spec.replicas and the migrationReplicas annotation.

// {"metadata":{"resourceVersion":"7","annotations":{"k":"v"}},"spec":{"replicas":0}}, built by
// hand: this runs once per workload, tens of thousands of times per run.
std::string replicas_body(std::int64_t replicas, std::string_view precondition,
                          std::optional<std::int64_t> record_count, bool set_replicas = true) {
  std::string body;
  body.reserve(160);
  body += '{';
  if (!precondition.empty() || record_count) {
    body += "\"metadata\":{";
    bool first = true;
    if (!precondition.empty()) {
      body += "\"resourceVersion\":";
      append_json_string(body, precondition);
      first = false;
    }
    if (record_count) {
      if (!first) body += ',';
      body += "\"annotations\":{";
      append_json_string(body, annotations::kMigrationReplicas);
      body += ':';
      append_json_string(body, std::to_string(*record_count));
      body += '}';
    }
    body += '}';
    if (set_replicas) body += ',';
  }
  if (set_replicas) {
    body += "\"spec\":{\"replicas\":";
    body += std::to_string(replicas);
    body += '}';
  }
  body += '}';
  return body;
}

PlannedWrite replicas_write(const Target& target, const std::string& id, std::int64_t from, std::int64_t to) {
  PlannedWrite write;
  write.field = "spec.replicas";
  write.from = std::to_string(from);
  write.to = std::to_string(to);
  write.success_message = "Updated replicas for " + target.label + " " + id + " to " + write.to;
  write.failure_prefix = "Error updating replicas for " + target.label + " " + id + " : ";
  return write;
}

Plan plan_replicated(Mode mode, const Target& target, const rapidjson::Value& object,
                     const PlanOptions& options) {
  if (target.skip_owned && has_owner_references(object)) {
    return skip(SkipReason::Owned, "has ownerReferences: activated through its owner");
  }
  const std::string id = namespaced_name(object);
  std::int64_t current = 1;  // the API server's default when spec.replicas is absent
  if (const auto* replicas = at_path(object, "spec.replicas"); replicas != nullptr && !replicas->IsNull()) {
    if (!replicas->IsInt64() || replicas->GetInt64() < 0) {
      return skip(
          SkipReason::Malformed, "spec.replicas is not a non-negative integer",
          "Error reading replicas for " + target.label + " " + id + " : spec.replicas is not a number");
    }
    current = replicas->GetInt64();
  }
  const auto recorded = read_migration_replicas(object);
  const auto rv = resource_version(object);
  auto with_warnings = [&](PlannedWrite write) {
    if (recorded.spellings_disagree) write.warnings.push_back(recorded.disagreement_note());
    if (recorded.fallback_note) write.warnings.push_back(*recorded.fallback_note);
    return write;
  };
  // A recorded 0 on a running workload is not a count: applying it stops the app, keeping it
  // loses the real count for good. Neither mode guesses; the operator decides.
  if (mode != Mode::DeactivateApps && recorded.ok() && recorded.value == 0 && current > 0) {
    return skip(SkipReason::Conflict,
                "runs " + std::to_string(current) + " replicas but its recorded count is 0",
                "Error: " + target.label + " " + id + " runs " + std::to_string(current) +
                    " replicas but annotation " + std::string(recorded.key) +
                    " records 0: left as it is (`kubectl dr deactivate apps` records its live count)");
  }

  switch (mode) {
    case Mode::ActivateMigration: {
      if (!recorded.present) return skip(SkipReason::NotManaged, "no migrationReplicas annotation");
      if (recorded.error) {
        return skip(SkipReason::Malformed, *recorded.error,
                    "Error parsing replicas for app : " + target.label + " " + id + ": " + *recorded.error);
      }
      if (current == recorded.value) {
        return skip(SkipReason::Unchanged, "spec.replicas is already " + std::to_string(current));
      }
      // Someone scaled it up since it was migrated: that is a decision, not drift to undo.
      if (current > recorded.value && !options.force) {
        return skip(SkipReason::Running,
                    "running: at " + std::to_string(current) + " replicas, above its recorded count " +
                        std::to_string(recorded.value),
                    "Skipped " + target.label + " " + id + ": running at " + std::to_string(current) +
                        " replicas (recorded " + std::to_string(recorded.value) + "); --force scales it to " +
                        std::to_string(recorded.value));
      }
      auto write = replicas_write(target, id, current, recorded.value);
      write.resource_version = std::string(rv);
      write.body = replicas_body(recorded.value, rv, std::nullopt);
      if (recorded.value > kPlausibleReplicaBound) {
        write.warnings.push_back(target.label + " " + id + ": recorded count " +
                                 std::to_string(recorded.value) + " is above " +
                                 std::to_string(kPlausibleReplicaBound) + "; applied as recorded");
      }
      return with_warnings(std::move(write));
    }
    case Mode::DeactivateMigration: {
      if (!recorded.present) return skip(SkipReason::NotManaged, "no migrationReplicas annotation");
      if (current == 0) return skip(SkipReason::Unchanged, "spec.replicas is already 0");
      auto write = replicas_write(target, id, current, 0);
      if (recorded.error) {
        // storkctl would scale to 0 and keep the unreadable annotation, losing the count for good.
        // Record the live count instead (a derived value: guard it with the precondition).
        write.resource_version = std::string(rv);
        write.body = replicas_body(0, rv, current);
        write.warnings.push_back(*recorded.error + "; replaced with the current count " +
                                 std::to_string(current));
      } else {
        // Guarded as well, though 0 is an absolute value: a write whose answer was lost is repeated,
        // and the precondition makes the server refuse the copy once the first landed, so no object
        // is ever written twice.
        write.resource_version = std::string(rv);
        write.body = replicas_body(0, rv, std::nullopt);
      }
      return with_warnings(std::move(write));
    }
    case Mode::DeactivateApps: {
      if (current > 0) {
        auto write = replicas_write(target, id, current, 0);
        write.resource_version = std::string(rv);
        // A live count below the recorded one is usually a scale-down in progress or a partial
        // outage: the recorded count is the application's size, kept unless --force.
        const bool keep_recorded = recorded.ok() && recorded.value > current && !options.force &&
                                   recorded.key == annotations::kMigrationReplicas;
        write.body =
            replicas_body(0, rv, keep_recorded ? std::nullopt : std::optional<std::int64_t>(current));
        if (keep_recorded) {
          write.warnings.push_back(target.label + " " + id + ": kept its recorded count " +
                                   std::to_string(recorded.value) + " (live " + std::to_string(current) +
                                   "); --force records the live count");
        }
        return write;
      }
      // Already stopped: whatever count is recorded is the only copy left. Never overwrite it with 0.
      if (!recorded.present) {
        return skip(SkipReason::Unchanged, "already at 0 replicas with no recorded count: nothing to record",
                    "Skipped " + target.label + " " + id +
                        ": already at 0 replicas and no replica count is recorded");
      }
      if (recorded.error) {
        // Stopped, which is all this mode asks; the unreadable count is kept for a person to read.
        return skip(SkipReason::LeftAlone, "already at 0 replicas; " + *recorded.error,
                    "Error parsing replicas for app : " + target.label + " " + id + ": " + *recorded.error);
      }
      if (recorded.key == annotations::kMigrationReplicasDocsSpelling && recorded.value > 0) {
        // Only the docs' spelling holds the count, which Stork itself never reads: copy it to
        // Stork's spelling so Stork (and storkctl) can activate this workload too.
        PlannedWrite write;
        write.field =
            std::string("metadata.annotations[") + std::string(annotations::kMigrationReplicas) + "]";
        write.from = "";
        write.to = std::to_string(recorded.value);
        write.resource_version = std::string(rv);
        write.body = replicas_body(0, rv, recorded.value, /*set_replicas=*/false);
        write.success_message = "Recorded replicas for " + target.label + " " + id + " as " + write.to;
        write.failure_prefix = "Error recording replicas for " + target.label + " " + id + " : ";
        return write;
      }
      return skip(SkipReason::Unchanged,
                  "already at 0 replicas; recorded count " + std::to_string(recorded.value) + " kept");
    }
  }
  return skip(SkipReason::NotManaged, "unknown mode");
}

// ---------------------------------------------------------------------------------------------
// CronJobs: spec.suspend, and our record of the state before we suspended it.

std::string cronjob_body(bool suspend, std::string_view precondition, std::optional<bool> record_before,
                         bool remove_record) {
  std::string body;
  body.reserve(160);
  body += "{\"metadata\":{\"resourceVersion\":";
  append_json_string(body, precondition);
  if (record_before || remove_record) {
    body += ",\"annotations\":{";
    append_json_string(body, annotations::kCronJobSuspendedBefore);
    body += ':';
    if (remove_record) {
      body += "null";
    } else {
      append_json_string(body, *record_before ? "true" : "false");
    }
    body += '}';
  }
  body += "},\"spec\":{\"suspend\":";
  body += suspend ? "true" : "false";
  body += "}}";
  return body;
}

Plan plan_cronjob(Mode mode, const Target& target, const rapidjson::Value& object) {
  const std::string id = namespaced_name(object);
  bool suspended = false;  // absent = false (the API default)
  if (const auto* value = at_path(object, "spec.suspend"); value != nullptr && !value->IsNull()) {
    if (!value->IsBool()) return skip(SkipReason::Malformed, "spec.suspend is not a boolean");
    suspended = value->GetBool();
  }
  const auto rv = resource_version(object);
  auto make_write = [&](bool to) {
    PlannedWrite write;
    write.field = "spec.suspend";
    write.from = suspended ? "true" : "false";
    write.to = to ? "true" : "false";
    write.resource_version = std::string(rv);
    write.success_message = "Updated suspend option for " + target.label + " " + id + " to " + write.to;
    // storkctl's failure line spells it "cronJob".
    write.failure_prefix = "Error updating suspend option for cronJob " + id + " : ";
    return write;
  };

  if (mode == Mode::ActivateMigration) {
    if (auto record = annotation(object, annotations::kCronJobSuspendedBefore)) {
      if (*record != "true" && *record != "false") {
        return skip(SkipReason::Malformed,
                    "annotation " + std::string(annotations::kCronJobSuspendedBefore) + "=\"" +
                        std::string(*record) + "\" is not true/false",
                    "Error reading suspend option for cronjob " + id + " : annotation " +
                        std::string(annotations::kCronJobSuspendedBefore) + " is not true/false");
      }
      if (*record == "true") {
        if (suspended) {
          return skip(SkipReason::LeftAlone, "it was already suspended before kubectl-dr deactivated it",
                      "Skipped cronjob " + id + ": it was suspended before deactivation; left suspended");
        }
        return skip(SkipReason::Unchanged, "spec.suspend is already false");
      }
      if (!suspended) return skip(SkipReason::Unchanged, "spec.suspend is already false");
      auto write = make_write(false);
      write.body = cronjob_body(false, rv, std::nullopt, /*remove_record=*/true);
      return write;
    }
    if (!suspended) return skip(SkipReason::Unchanged, "spec.suspend is already false");
    if (annotation(object, annotations::kMigrated)) {
      // Stork suspends migrated CronJobs; resuming them is activation.
      auto write = make_write(false);
      write.body = cronjob_body(false, rv, std::nullopt, false);
      return write;
    }
    // Neither migrated by Stork nor suspended by us: someone paused it on purpose. storkctl would
    // resume it anyway; we do not.
    return skip(
        SkipReason::LeftAlone, "suspended, but not migrated by Stork nor suspended by kubectl-dr",
        "Skipped cronjob " + id + ": suspended by someone other than Stork or kubectl-dr; left suspended");
  }

  // Both deactivations suspend every running CronJob (as storkctl) and record that it was running.
  if (suspended) return skip(SkipReason::Unchanged, "spec.suspend is already true");
  auto write = make_write(true);
  write.body = cronjob_body(true, rv, /*record_before=*/false, false);
  return write;
}

// ---------------------------------------------------------------------------------------------
// Custom resources (ApplicationRegistration suspend options) and VirtualMachines.

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

Target make_target(kube::ResourceType type, WorkloadClass cls, std::string label, bool skip_owned,
                   bool optional) {
  Target target;
  target.type = std::move(type);
  target.workload_class = cls;
  target.label = std::move(label);
  target.skip_owned = skip_owned;
  target.optional = optional;
  return target;
}

}  // namespace

std::string_view to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::NotManaged:
      return "not-managed";
    case SkipReason::Unchanged:
      return "unchanged";
    case SkipReason::Owned:
      return "owned";
    case SkipReason::Malformed:
      return "malformed";
    case SkipReason::LeftAlone:
      return "left-alone";
    case SkipReason::Running:
      return "running";
    case SkipReason::Conflict:
      return "conflict";
  }
  return "unknown";
}

std::string guess_plural(std::string_view kind) {
  std::string plural = lower(kind);
  if (plural.empty()) return plural;
  auto ends_with = [&](std::string_view suffix) {
    return plural.size() >= suffix.size() &&
           plural.compare(plural.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("s") || ends_with("x") || ends_with("z") || ends_with("ch") || ends_with("sh")) {
    plural += "es";
  } else if (ends_with("y") && plural.size() > 1 &&
             std::string_view("aeiou").find(plural[plural.size() - 2]) == std::string_view::npos) {
    plural.back() = 'i';
    plural += "es";
  } else {
    plural += 's';
  }
  return plural;
}

std::vector<Target> activation_targets(const std::vector<ApplicationRegistration>& registrations) {
  namespace t = kube::types;
  std::vector<Target> targets;
  targets.push_back(make_target(t::statefulsets, WorkloadClass::Replicated, "statefulset", false, false));
  targets.push_back(make_target(t::deployments, WorkloadClass::Replicated, "deployment", false, false));
  targets.push_back(make_target(t::replicasets, WorkloadClass::Replicated, "replicaset", true, false));
  targets.push_back(
      make_target(t::deploymentconfigs, WorkloadClass::Replicated, "deploymentconfig", false, true));
  for (const char* kind : {"IBPPeer", "IBPCA", "IBPOrderer", "IBPConsole"}) {
    kube::ResourceType type{"ibp.com", "v1alpha1", guess_plural(kind), kind, true};
    targets.push_back(make_target(type, WorkloadClass::Replicated, lower(kind), false, true));
  }
  auto is_builtin = [](const ApplicationResource& r) {
    return (r.group == "ibp.com" && r.kind.rfind("IBP", 0) == 0) ||
           (r.group == t::virtualmachines.group && r.kind == t::virtualmachines.kind);
  };
  Target vm = make_target(t::virtualmachines, WorkloadClass::VirtualMachine, "virtualmachine", false, true);
  vm.registration = default_virtual_machine_registration();
  std::vector<Target> custom;
  for (const auto& registration : registrations) {
    for (const auto& resource : registration.resources) {
      if (resource.group == t::virtualmachines.group && resource.kind == t::virtualmachines.kind &&
          !resource.all_suspend_options().empty()) {
        vm.registration = resource;
        vm.type.version = resource.version;
      }
      if (is_builtin(resource)) continue;
      bool duplicate = std::any_of(custom.begin(), custom.end(), [&](const Target& existing) {
        return existing.registration.group == resource.group &&
               existing.registration.version == resource.version &&
               existing.registration.kind == resource.kind;
      });
      if (duplicate) continue;
      kube::ResourceType type{resource.group, resource.version, guess_plural(resource.kind), resource.kind,
                              true};
      Target target = make_target(type, WorkloadClass::CustomResource, lower(resource.kind), false, true);
      target.registration = resource;
      custom.push_back(std::move(target));
    }
  }
  targets.push_back(std::move(vm));
  for (auto& target : custom) targets.push_back(std::move(target));
  targets.push_back(make_target(t::cronjobs, WorkloadClass::CronJob, "cronjob", false, false));
  return targets;
}

Plan plan(Mode mode, const Target& target, const rapidjson::Value& object, const PlanOptions& options) {
  // Every write carries the listed resourceVersion as its precondition (a lost update could lose a
  // replica count), so an object without one, which no API server lists, is never written.
  if (!object.IsObject()) return skip(SkipReason::Malformed, "the listed item is not a JSON object");
  if (resource_version(object).empty())
    return skip(SkipReason::Malformed, "the listed object has no metadata.resourceVersion");
  switch (target.workload_class) {
    case WorkloadClass::Replicated:
      return plan_replicated(mode, target, object, options);
    case WorkloadClass::CronJob:
      return plan_cronjob(mode, target, object);
    case WorkloadClass::VirtualMachine:
    case WorkloadClass::CustomResource:
      return plan_custom_resource(mode, target, object);
  }
  return skip(SkipReason::NotManaged, "unknown workload class");
}

}  // namespace dr::stork
