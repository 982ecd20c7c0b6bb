// The annotations Stork (and kubectl-dr) put on migrated objects, and reading the replica count
// Stork records on a migrated workload.
//
// What upstream does (libopenstorage/stork, learned from the source, not copied):
//  * pkg/migration/controllers/migration.go marks EVERY object it applies on the destination with
//    the annotations `stork.libopenstorage.org/migrated: "true"`, `.../migrationName`,
//    `.../migrationNamespace` (namespace of the Migration, i.e. of its MigrationSchedule) and
//    `.../migrationTime`. Replicated workloads (Deployment, StatefulSet, ReplicaSet,
//    DeploymentConfig, IBP kinds) get spec.replicas = 0 plus `.../migrationReplicas` = the source
//    count (missing spec.replicas counts as 1; a 0 with a positive recorded count carries the
//    recorded count forward). Custom resources declared by ApplicationRegistrations get each
//    suspend path set to its "disabled" value and `stork.libopenstorage.org/<path>` =
//    "<activate value>,<deactivate value>".
//  * CronJobs (prepareJobResource in the same file) only get spec.suspend = true when the
//    migration does not start applications. NO annotation records the CronJob's original suspend
//    state, so on the destination a Stork-suspended CronJob and one the operator suspended on the
//    source look alike. The only mark is `stork.libopenstorage.org/migrated`.
//  * storkctl activate/deactivate migration (pkg/resourceutils/updatereplicas.go,
//    updateCronJobObjects) flips spec.suspend on EVERY CronJob in the namespace, migrated or not,
//    so it un-suspends CronJobs an operator paused for their own reasons. The newer failover
//    Action (pkg/resourceutils/scaleupduringdr.go, processActivatingCronJobs) is stricter: it only
//    un-suspends CronJobs carrying `stork.libopenstorage.org/migrated`.
//  * kubectl-dr therefore (a) only un-suspends a CronJob that is migrated by Stork or that
//    kubectl-dr itself suspended, and (b) when it suspends a running CronJob records the prior
//    state in kCronJobSuspendedBefore so activation restores exactly that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"

namespace dr::stork::annotations {

inline constexpr std::string_view kStorkPrefix = "stork.libopenstorage.org/";

// Replica count of a migrated workload, written by Stork's migration controller (and by us).
inline constexpr std::string_view kMigrationReplicas = "stork.libopenstorage.org/migrationReplicas";
// The Portworx failover docs spell it this way; Stork never writes it, but users following the docs
// may have. Read it, never write it.
inline constexpr std::string_view kMigrationReplicasDocsSpelling = "stork.openstorage.org/migrationReplicas";
// Namespace of the Migration (and so of its MigrationSchedule) that created the object.
inline constexpr std::string_view kMigrationNamespace = "stork.libopenstorage.org/migrationNamespace";
inline constexpr std::string_view kMigrationName = "stork.libopenstorage.org/migrationName";
inline constexpr std::string_view kMigrationTime = "stork.libopenstorage.org/migrationTime";
// "true" on every object Stork's migration applied on the destination.
inline constexpr std::string_view kMigrated = "stork.libopenstorage.org/migrated";
// On a MigrationSchedule that Stork copied to the destination cluster (suspended there).
inline constexpr std::string_view kStaticCopy = "stork.libopenstorage.org/static-copy";
// On a Migration: the MigrationSchedule that created it.
inline constexpr std::string_view kMigrationScheduleName = "stork.libopenstorage.org/migration-schedule-name";
// Legacy (pre per-path annotations) activate/deactivate values for ApplicationRegistration CRs.
inline constexpr std::string_view kCrdActivate = "stork.libopenstorage.org/migrationCRDActivate";
inline constexpr std::string_view kCrdDeactivate = "stork.libopenstorage.org/migrationCRDDeactivate";

// kubectl-dr's own: on a CronJob that kubectl-dr suspended, its spec.suspend before that ("false").
// Activation restores this value and removes the annotation. It deliberately lives outside Stork's
// prefix: Stork never reads or writes it, but its migrations copy it to the destination along with
// the rest of the metadata, so a deactivate on the source is undone correctly by an activate on the
// destination.
inline constexpr std::string_view kCronJobSuspendedBefore = "dr.kubectl-dr.io/suspend-before-deactivate";

// "stork.libopenstorage.org/<path>": the per-path annotation Stork records for a CR suspend option.
std::string suspend_path_annotation(std::string_view dotted_path);

}  // namespace dr::stork::annotations

namespace dr::stork {

// Parses a replica count as Stork records it: decimal digits (an optional '+', as Go's Atoi
// accepts), within int32 (spec.replicas is int32). Rejects empty, negative, fractional, spaces,
// overflow.
Result<std::int32_t> parse_replica_count(std::string_view text);

// The migrationReplicas annotation of an object, read from both spellings.
struct ReplicaAnnotation {
  bool present = false;              // either spelling is present
  std::int32_t value = 0;            // valid only when ok()
  std::string_view key;              // the annotation the value was taken from (empty when absent)
  std::string_view raw;              // its text; views into the object
  std::optional<std::string> error;  // set when the chosen annotation does not parse
  // Both spellings are present with different text (the libopenstorage one was used).
  bool spellings_disagree = false;
  std::string_view other_raw;  // the docs-spelling text when spellings_disagree
  // The libopenstorage spelling did not parse and the docs spelling did: the value is the docs
  // one, and this says why (a warning to print).
  std::optional<std::string> fallback_note;

  bool ok() const { return present && !error; }
  // "annotations stork.libopenstorage.org/migrationReplicas="3" and stork.openstorage.org/... disagree".
  std::string disagreement_note() const;
};

// Above this many replicas a recorded count is applied, but with a warning: no workload migrated
// by Stork has been seen near it, and a typo ("30000" for "3") would start a storm of pods.
inline constexpr std::int32_t kPlausibleReplicaBound = 10000;

// Carries a mark of Stork's migration (migrated, migrationNamespace) or a recorded replica count
// (either spelling): an object Stork replicated, or kubectl-dr stopped.
bool has_stork_marks(const rapidjson::Value& object);

// libopenstorage spelling wins when both are present and it parses; when it does not parse and the
// docs spelling does, the docs spelling's value is used (with fallback_note).
ReplicaAnnotation read_migration_replicas(const rapidjson::Value& object);

}  // namespace dr::stork
