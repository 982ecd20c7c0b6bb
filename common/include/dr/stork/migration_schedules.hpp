// MigrationSchedules: `get migrationschedule` rows, suspend/resume bodies, which schedules migrate
// a namespace, and the applicationActivated status flag activate/deactivate maintain.
//
// Upstream facts (libopenstorage/stork):
//  * Last success (pkg/storkctl/migrationschedule.go): over status.items of every policy type
//    (Interval, Daily, Weekly, Monthly, in that order), the Successful item with the strictly
//    latest finishTimestamp; duration = its finish - its creation.
//  * "Does this schedule migrate namespace X" (pkg/utils DoesMigrationScheduleMigrateNamespaces):
//    X is in spec.template.spec.namespaces, or X carries ANY one of the label pairs in
//    spec.template.spec.namespaceSelectors (a map; each pair is its own match, OR'ed). No wildcards.
//  * The MigrationSchedule CRD (created with k8sutils.CreateCRDV1) has NO status subresource, so
//    status is written through the main resource, as storkctl's full update does. The status patch
//    below therefore goes to the object itself (subresource ""), not to /status.
//  * Deactivate sets applicationActivated = false only on schedules carrying the static-copy
//    annotation (the suspended copy Stork keeps on the destination); activate sets true on every
//    relevant schedule (pkg/storkctl/migration.go).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/stork/kube_time.hpp"

namespace dr::stork {

struct LastSuccess {
  std::string migration_name;
  TimePoint finished;
  std::chrono::nanoseconds duration{0};  // finish - creation
};

// The storkctl rule, described above. nullopt when no item is Successful with a finish time.
std::optional<LastSuccess> last_success(const rapidjson::Value& schedule);

struct MigrationScheduleRow {
  std::string namespace_name;
  std::string name;
  std::string policy_name;   // spec.schedulePolicyName
  std::string cluster_pair;  // spec.template.spec.clusterPair
  bool suspend = false;      // spec.suspend; absent = false
  bool auto_suspend = false;
  bool application_activated = false;
  bool static_copy = false;
  std::optional<LastSuccess> last_success;
  std::optional<TimePoint> created;
};
MigrationScheduleRow migration_schedule_row(const rapidjson::Value& schedule);
std::vector<MigrationScheduleRow> migration_schedule_rows(const rapidjson::Value& items);

bool is_suspended(const rapidjson::Value& schedule);
bool is_static_copy(const rapidjson::Value& schedule);

// {"metadata":{"resourceVersion":RV},"spec":{"suspend":BOOL}}; RV omitted when empty.
std::string suspend_patch_body(bool suspend, std::string_view resource_version);
// "MigrationSchedule NAME suspended successfully" / "... resumed successfully".
std::string suspend_message(std::string_view name, bool suspend);

// Namespaces named by spec.template.spec.namespaces.
std::vector<std::string> schedule_namespaces(const rapidjson::Value& schedule);
// Does the schedule migrate `ns`? `namespace_labels` is that Namespace's metadata.labels (nullptr
// when unknown/none): needed only for schedules with namespaceSelectors.
bool schedule_migrates_namespace(const rapidjson::Value& schedule, std::string_view ns,
                                 const rapidjson::Value* namespace_labels);
// True when the schedule has namespaceSelectors, i.e. the caller must supply namespace labels.
bool schedule_uses_namespace_selectors(const rapidjson::Value& schedule);

// The namespace holding the MigrationSchedule that migrated `object`: its migrationNamespace
// annotation, else the object's own namespace.
std::string schedule_namespace_for(const rapidjson::Value& object);

// {"metadata":{"resourceVersion":RV},"status":{"applicationActivated":BOOL}}, sent to the object
// itself (see above); RV omitted when empty.
std::string application_activated_patch_body(bool activated, std::string_view resource_version);
inline constexpr std::string_view kApplicationActivatedSubresource{};
// "Setting the ApplicationActivated status in the MigrationSchedule NS/NAME to true".
std::string application_activated_message(std::string_view ns, std::string_view name, bool activated);
// Whether activate (true) / deactivate (false) should set the flag on this (relevant) schedule:
// deactivate touches only static copies; either way nothing is written when already at the value.
bool should_set_application_activated(const rapidjson::Value& schedule, bool activated);

}  // namespace dr::stork
