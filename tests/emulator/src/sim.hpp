// Simulation: the controllers a real cluster with Portworx Stork would run, working on the stores
// in-process (through Store, so every write is validated like an API request, and never counted as
// one). Installed by SimulationRegistrars in sim_controllers.cpp.
//
// NOTE FOR THE CORE (main.cpp): the controllers read these SimulationConfig::settings keys; please
// map the flags onto them:
//   --ready-delay-ms N        settings["ready-delay-ms"] = "N"   (default 200; 0 = pods Running at once)
//   --no-workload-controller  settings["workload-controller"] = "off"
//   --no-stork-controller     settings["stork-controller"] = "off"
//   --minutes-as-seconds      settings["minutes-as-seconds"] = "true"  (also env
//   KUBE_EMULATOR_MINUTES_AS_SECONDS=1)
// Seeds are registered with SeedRegistrar in seeds.cpp: "zookeeper-failover" and "scale" (scale:N:M).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "sim_util.hpp"

namespace emu::sim {

using Clock = std::chrono::steady_clock;

struct SimOptions {
  int ready_delay_ms = 200;
  bool workloads = true;
  bool stork = true;
  bool minutes_as_seconds = false;
};
// From SimulationConfig::settings (keys above) and the environment.
SimOptions options_from(const SimulationConfig& config);

// ---- workloads (sim_workload.cpp, sim_workload_objects.cpp) ----

struct WorkloadStep {
  bool changed = false;  // something was written
  bool pending = false;  // pods are Pending: call again at `ready_at`
  Clock::time_point ready_at{};
};

// One reconciliation of a StatefulSet / Deployment / ReplicaSet (plural "statefulsets",
// "deployments", "replicasets"). Missing pods are created Pending when the ready delay is > 0
// (Running at once otherwise) and become Running once it passed; extra pods go, the highest
// ordinal first for statefulsets; status follows the pods. A Deployment manages ReplicaSet
// <name>-<pod-template-hash> (older ones scaled to 0), which manages pods <rs>-<rand5>. A
// StatefulSet gets the claims of its volumeClaimTemplates (kept on scale-down). Dependents of a
// deleted workload are garbage-collected.
class WorkloadReconciler {
 public:
  explicit WorkloadReconciler(std::chrono::milliseconds ready_delay) : delay_(ready_delay) {}
  WorkloadStep reconcile(Cluster& c, const std::string& plural, const std::string& ns,
                         const std::string& name, Clock::time_point now = Clock::now());
  void forget_pod(const std::string& ns, const std::string& pod);

 private:
  WorkloadStep stateful_set(Cluster& c, const std::string& ns, const std::string& name,
                            Clock::time_point now);
  WorkloadStep deployment(Cluster& c, const std::string& ns, const std::string& name, Clock::time_point now);
  WorkloadStep replica_set(Cluster& c, const std::string& ns, const std::string& name, Clock::time_point now);
  void create_pod(Cluster& c, Doc& pod, Clock::time_point now, WorkloadStep& step);
  // Deletes a pod the workload no longer wants (or whose workload is gone).
  void delete_pod(Cluster& c, const ResourceType& pods, const std::string& ns, const std::string& pod,
                  WorkloadStep& step);
  bool promote(Cluster& c, const Val& pod, Clock::time_point now, WorkloadStep& step);

  std::chrono::milliseconds delay_;
  std::map<std::string, Clock::time_point> pod_born_;  // Pending pods: ns/name → created
};

// Reconciles once with no ready delay (seeds, tests). True when something was written.
bool reconcile_workload(Cluster& c, const std::string& plural, const std::string& ns,
                        const std::string& name);

// Seeds: the dependents of a workload just created with converged status (ReplicaSet, Running
// pods, claims) without listing anything — fast enough for 50,000 workloads.
void create_dependents(Cluster& c, const std::string& plural, const Val& obj);

// The pod-template-hash of a pod template (10 characters of the generateName alphabet).
std::string pod_template_hash(const Val& pod_template);

// ---- Stork (sim_stork.cpp, sim_stork_migration.cpp, sim_stork_schedule.cpp) ----

// The shared Portworx cluster: the state of a domain as the ClusterDomainsStatus objects say.
struct DomainView {
  bool known = false;
  bool active = true;
};
DomainView domain_state(Emulator& e, const std::string& domain);
// The domain a cluster is (its ClusterDomainsStatus localDomain; the cluster name without one).
std::string local_domain(Cluster& c);

// Creates ClusterDomainsStatus px-dr-cluster in `c` when it has none: every emulated cluster is a
// domain of one Portworx cluster, all Active/InSync; localDomain is `c`'s name.
void ensure_cluster_domains_status(Emulator& e, Cluster& c);

// Processes one ClusterDomainUpdate created in `origin`: Successful and the domain Active/Inactive
// in every cluster's ClusterDomainsStatus, or Failed with status.reason (unknown domain).
void process_cluster_domain_update(Emulator& e, Cluster& origin, const std::string& name);

// The emulated cluster a ClusterPair in `ns` points at (nullptr with the reason). A ClusterPair
// names its peer the way a real one does, by spec.config (the kubeconfig `storkctl generate
// clusterpair` embeds): the cluster entry of its current-context, or the current-context itself,
// is the name of an emulated cluster.
Cluster* pair_peer(Emulator& e, Cluster& source, const std::string& ns, const std::string& pair,
                   std::string* reason = nullptr);

struct MigrationResult {
  std::string name;
  std::string status;  // Successful / PartialSuccess / Failed
  std::string reason;
  int resources = 0;  // applied (or unchanged) on the destination
};
// Runs a Migration object of `source` (status empty/Pending) to completion. `at` (seeds)
// backdates it: started at `at`, finished 10 s later.
// Returns at once, with the status as stored, when another call claimed it first.
MigrationResult execute_migration(Emulator& e, Cluster& source, const std::string& ns,
                                  const std::string& name, std::time_t at = 0);
// The outcome of a Migration this process runs or ran (whichever thread ran it), waiting up to
// `timeout` for it to finish; then only its status as stored.
MigrationResult await_migration_outcome(Cluster& source, const std::string& ns, const std::string& name,
                                        std::chrono::milliseconds timeout);

struct StorkOptions {
  bool minutes_as_seconds = false;
};
// One MigrationSchedule pass at wall time `now`: the static copy on the peer, autoSuspend and the
// inactive-local-domain suspension, the status of the migrations it started, a new Migration when
// the policy is due, pruning. Returns the Migration it started (or ""). `active` is set false
// when nothing will happen until the schedule changes (suspended, a static copy, gone).
std::string reconcile_schedule(Emulator& e, Cluster& c, const std::string& ns, const std::string& name,
                               const StorkOptions& o, std::time_t now, bool* active = nullptr);
// A Migration of the schedule now (Pending item + object), whatever the policy says.
std::string start_migration(Cluster& c, const Val& schedule, const std::string& policy_type, std::time_t now);
// One reconcile of an Action (sim_stork_action.cpp): one stage step, as Stork's controller takes
// it. True while the Action has more to do (reconcile it again).
bool reconcile_action(Emulator& e, Cluster& c, const std::string& ns, const std::string& name);
// Everything pending in every cluster, once: CDUs, Migrations, MigrationSchedules (tests).
std::vector<std::string> stork_pass(Emulator& e, const StorkOptions& o, std::time_t now);

}  // namespace emu::sim
