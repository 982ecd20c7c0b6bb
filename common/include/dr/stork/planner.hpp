// The activation planner: for one object and one mode, the single write to make (a JSON merge
// patch, RFC 7386) or why none is made. Pure: the command layer lists, plans, patches, and on a 409
// Conflict re-reads the object and plans again (plans are cheap and deterministic).
//
// Modes:
//  * ActivateMigration   — `activate migration`: restore what Stork (or we) recorded.
//  * DeactivateMigration — `deactivate migration`: what storkctl does (annotated workloads to 0,
//                          CronJobs suspended), plus recording a CronJob's prior state.
//  * DeactivateApps      — new: stop EVERY workload and record its count so activation restores it.
//
// Preconditions: writes whose value was derived from what we read (a recorded count, the current
// count we record, a prior suspend state) embed metadata.resourceVersion in the merge patch, so the
// server answers 409 if the object changed since we read it, instead of silently losing an update.
// Writes of a constant (deactivate migration's replicas = 0) carry none: they are idempotent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"
#include "dr/kube/resource.hpp"
#include "dr/stork/application_registration.hpp"

namespace dr::stork {

enum class Mode { ActivateMigration, DeactivateMigration, DeactivateApps };

// How a kind is activated.
enum class WorkloadClass {
  Replicated,      // spec.replicas + migrationReplicas (StatefulSet, Deployment, ReplicaSet, DC, IBP)
  CronJob,         // spec.suspend
  VirtualMachine,  // a registered CR (spec.runStrategy) that may also carry spec.running
  CustomResource,  // an ApplicationRegistration kind: its suspend options
};

// One kind the walk visits, in storkctl's order.
struct Target {
  kube::ResourceType type;
  WorkloadClass workload_class = WorkloadClass::Replicated;
  // Lower-case kind used in messages ("statefulset", "deploymentconfig", "ibppeer", "virtualmachine").
  std::string label;
  // Owned objects (ownerReferences) are skipped: ReplicaSets of a Deployment follow their parent.
  bool skip_owned = false;
  // The type may not be served (OpenShift, IBP, KubeVirt, CRDs): a 404 on LIST means "none here".
  bool optional = false;
  ApplicationResource registration;  // CustomResource / VirtualMachine only
};

// storkctl's order: statefulsets, deployments, replicasets, deploymentconfigs, IBPPeer, IBPCA,
// IBPOrderer, IBPConsole, virtualmachines, ApplicationRegistration kinds, cronjobs. Registered kinds
// that are handled by a built-in rule (IBP kinds, already replica-annotated; VirtualMachine, whose
// registration replaces the default) are not listed twice. CR plurals are guessed from the kind
// (lower-case + "s"/"es"/"ies"); the command layer should resolve them by discovery.
std::vector<Target> activation_targets(const std::vector<ApplicationRegistration>& registrations);

// Lower-case plural the way Kubernetes guesses it for a kind ("Kafka" -> "kafkas", "Policy" -> "policies").
std::string guess_plural(std::string_view kind);

// Why no write is made.
enum class SkipReason {
  NotManaged,  // nothing recorded by Stork/kubectl-dr for this mode (silent: storkctl says nothing)
  Unchanged,   // already in the wanted state (idempotent re-run)
  Owned,       // has ownerReferences: its parent is activated instead
  Malformed,   // a recorded value does not parse: never write a guess
  LeftAlone,   // suspended by someone else (an operator): not ours to resume
  Running,     // activation: already running at or above its recorded count (--force scales it)
  Conflict,    // the record contradicts the object (a recorded 0 on a running workload): a failure
};
std::string_view to_string(SkipReason reason);

struct Skip {
  SkipReason reason = SkipReason::NotManaged;
  std::string detail;   // why, for -v / machine-readable output
  std::string message;  // line to print (storkctl's where it has one), empty = print nothing
};

struct PlannedWrite {
  std::string body;              // merge patch (Content-Type application/merge-patch+json)
  std::string resource_version;  // precondition embedded in body; empty = none
  std::string field;             // what changes: "spec.replicas", "spec.suspend", "spec.runStrategy", ...
  std::string from;              // previous value, for reporting ("0", "true", "Halted")
  std::string to;                // new value
  std::string success_message;   // "Updated replicas for statefulset zk/zk to 3"
  std::string failure_prefix;    // "Error updating replicas for statefulset zk/zk : " (+ error)
  std::vector<std::string> warnings;        // e.g. the two annotation spellings disagree
  std::vector<std::string> pods_to_delete;  // CR podsPath pods to delete after a deactivating write

  std::string failure_message(const Error& error) const { return failure_prefix + error.describe(); }
};

using Plan = std::variant<PlannedWrite, Skip>;

struct PlanOptions {
  // Activation scales a running workload to its recorded count even when that is lower;
  // deactivate apps records a live count even when it is lower than the one recorded.
  bool force = false;
};

Plan plan(Mode mode, const Target& target, const rapidjson::Value& object, const PlanOptions& options = {});

inline const PlannedWrite* as_write(const Plan& p) {
  return std::get_if<PlannedWrite>(&p);
}
inline const Skip* as_skip(const Plan& p) {
  return std::get_if<Skip>(&p);
}

}  // namespace dr::stork
