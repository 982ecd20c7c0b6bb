// Pieces of the activation engine (activation.cpp) that need no engine state.
#pragma once

#include <set>
#include <string>

#include "dr/commands/activation.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/stork/planner.hpp"

namespace dr::commands {

// An object the plan could not bring to its target (an unreadable or contradictory record) is a
// failure of the run; one deliberately left alone is not.
Outcome outcome_of(stork::SkipReason reason);

// The result's identity (kind, apiVersion, namespace, name) for one listed object.
WorkloadResult describe_workload(const stork::Target& target, const rapidjson::Value& object);

// An object whose write met a 409 could not be read again: its failed result.
WorkloadResult reread_failure(const stork::Target& target, const std::string& namespace_name,
                              const std::string& name, const Error& error);

// A schedule patch answered 409: re-read the schedule and patch it again from what is there now,
// up to `max_retries` times. Sets the result's outcome (Unchanged when someone else set the flag
// meanwhile).
void retry_schedule_patch(kube::ApiClient& client, ScheduleResult& result, int max_retries,
                          const kube::WriteOptions& write_options);

// A static copy whose applicationActivated could not be set leaves the remote schedule free to
// migrate over the apps just activated: what to tell the operator.
std::string unguarded_schedule_warning(const ScheduleResult& result, const std::string& migrated);

// The namespaces Stork replicates, as this cluster's MigrationSchedules name them (their namespace
// lists and namespaceSelectors). Empty when MigrationSchedules are not served.
Result<std::set<std::string>> namespaces_named_by_schedules(kube::ApiClient& client);

}  // namespace dr::commands
