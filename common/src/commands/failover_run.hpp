// The client-driven failover/failback run (failover_command.cpp parses and confirms; failover_run.cpp
// walks the stages). Internal to common/src/commands.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dr/commands/activation.hpp"
#include "dr/commands/session.hpp"
#include "dr/stork/failover.hpp"

namespace dr::commands {

struct FailoverArgs {
  stork::Direction direction = stork::Direction::Failover;
  std::string schedule;
  std::string namespace_name;  // the schedule's
  std::string from_context;    // empty with --skip-source-operations
  std::string to_context;
  std::vector<std::string> namespaces;  // resolved from the schedule and --include/--exclude
  bool skip_source = false;
  bool resume = false;
  bool rollback = true;
  bool force = false;
  std::chrono::milliseconds timeout{0};  // each wait's bound (0 = none)
};

// One cluster of the run: its context name and client (null when not reachable / not used).
struct RunCluster {
  std::string context;
  std::unique_ptr<kube::ApiClient> client;
};

enum class StageOutcome { Done, AlreadyDone, Failed, NotAttempted };
std::string_view to_string(StageOutcome outcome);

struct StageRecord {
  stork::Stage stage = stork::Stage::ScaleUp;
  std::string description;
  StageOutcome outcome = StageOutcome::NotAttempted;
  std::chrono::milliseconds elapsed{0};
  std::string detail;
  std::vector<WorkloadResult> workloads;
};

struct RunReport {
  std::string run_id;
  std::string outcome;  // Succeeded | Failed | RolledBack | RollbackFailed | PartiallySucceeded
  std::vector<StageRecord> stages;
  std::vector<StageRecord> rollback;
  std::vector<std::string> warnings;
  std::chrono::milliseconds elapsed{0};
};

// Walks the plan's stages against the clusters, journaling in `to` before and after each. The
// journal passed in is already stored (created or resumed). Prints one line per stage on io.err.
RunReport run_failover_stages(const FailoverArgs& args, const std::vector<stork::Stage>& stages,
                              stork::Journal& journal, std::string& journal_version, RunCluster& from,
                              RunCluster& to, Io& io);

// Exit codes: 0 success, 1 failure (rolled back or not), 3 partial success (some workloads failed
// to come up and nothing was rolled back).
inline constexpr int kExitPartialSuccess = 3;

}  // namespace dr::commands
