// Pieces of the activation engine (activation.cpp) that need no engine state.
#pragma once

#include <string>

#include "dr/commands/activation.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/stork/planner.hpp"

namespace dr::commands {

// An object the plan could not bring to its target (an unreadable or contradictory record) is a
// failure of the run; one deliberately left alone is not.
Outcome outcome_of(stork::SkipReason reason);

// A schedule patch answered 409: re-read the schedule and patch it again from what is there now,
// up to `max_retries` times. Sets the result's outcome (Unchanged when someone else set the flag
// meanwhile).
void retry_schedule_patch(kube::ApiClient& client, ScheduleResult& result, int max_retries,
                          const kube::WriteOptions& write_options);

// A static copy whose applicationActivated could not be set leaves the remote schedule free to
// migrate over the apps just activated: what to tell the operator.
std::string unguarded_schedule_warning(const ScheduleResult& result, const std::string& migrated);

}  // namespace dr::commands
