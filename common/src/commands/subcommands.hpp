// The subcommands behind the verb table's entries: each reads its typed arguments from the
// invocation and returns the exit code, or the Error run_verb prints.
#pragma once

#include "dr/commands/command_line.hpp"
#include "dr/commands/session.hpp"
#include "dr/stork/actions.hpp"
#include "dr/stork/failover.hpp"
#include "dr/stork/planner.hpp"

namespace dr::commands {

enum class StatusView {
  ClusterDomains,
  ClusterDomainUpdates,
  MigrationSchedules,
  Migrations,
  ClusterPairs,
  Apps,
  Failovers,  // Stork's failover Actions and kubectl dr failover runs
  Failbacks,
};

Result<int> cluster_domain_command(bool activate, const Invocation& invocation, Io& io);
Result<int> activation_command(stork::Mode mode, const Invocation& invocation, Io& io);
Result<int> status_command(StatusView view, const Invocation& invocation, Io& io);
Result<int> schedule_suspend_command(bool suspend, const Invocation& invocation, Io& io);
Result<int> perform_command(stork::ActionType type, const Invocation& invocation, Io& io);
Result<int> failover_command(stork::Direction direction, const Invocation& invocation, Io& io);

// spec.template.spec.namespaces, and every namespace a namespaceSelectors pair picks (a LIST of
// namespaces, only when the schedule has selectors).
Result<std::vector<std::string>> namespaces_of_schedule(kube::ApiClient& api,
                                                        const rapidjson::Value& schedule);

}  // namespace dr::commands
