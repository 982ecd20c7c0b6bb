#include "dr/stork/planner.hpp"

#include "planner_internal.hpp"

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

// Stork's migration marks what it applies with `migrated` and with the Migration's name and
// namespace; a CronJob that lost the first (an older Stork, an edit, a tool that copies only some
// annotations) but carries the others, or the `migrated` label, was still suspended by a
// migration, and Stork's failover resumes it.
bool migrated_by_stork(const rapidjson::Value& object) {
  if (annotation(object, annotations::kMigrated) || annotation(object, annotations::kMigrationName) ||
      annotation(object, annotations::kMigrationNamespace))
    return true;
  const auto* labels = labels_of(object);
  if (labels == nullptr || !labels->IsObject()) return false;
  auto label =
      labels->FindMember(rapidjson::StringRef(annotations::kMigrated.data(), annotations::kMigrated.size()));
  return label != labels->MemberEnd() && label->value.IsString() &&
         std::string_view(label->value.GetString()) == "true";
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
    if (migrated_by_stork(object)) {
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
