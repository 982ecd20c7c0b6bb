// The client-driven failover and failback (`kubectl dr failover|failback`): the stages a run walks
// through, the journal it keeps in the cluster the apps move to, and the preflight verdict on the
// last migration. Pure: the command layer reads and writes the clusters.
//
// Both directions move a schedule's namespaces from cluster FROM (running them now) to cluster TO:
//  * failover: FROM is the source (the schedule itself), TO holds Stork's static copy;
//  * failback: FROM is the DR cluster (holding the static copy), TO is where the schedule lives.
// The last-mile migration runs on FROM with the template of FROM's schedule (its ClusterPair points
// at TO). The journal is a ConfigMap in TO: the laptop running the command may be what dies, and
// TO is the cluster that must be up for the run to mean anything.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"
#include "dr/stork/kube_time.hpp"

namespace dr::stork {

enum class Direction { Failover, Failback };
std::string_view direction_word(Direction direction);  // "failover" / "failback"

enum class Stage {
  SuspendSchedule,    // failover: the schedule on FROM; failback: make sure TO's schedule is suspended
  ActivateDomain,     // failback, where domains are configured: TO's domain active again
  ScaleDown,          // FROM's apps to 0, counts recorded (as `deactivate apps`)
  WaitStopped,        // until FROM reports no replicas
  LastMileMigration,  // a Migration on FROM of the schedule's namespaces, waited for
  DeactivateDomain,   // failover, where domains are configured: FROM's domain inactive
  ScaleUp,            // TO's apps to their recorded counts (as `activate migration`)
  WaitReady,          // until TO's apps are ready
  ResumeSchedule,     // failback: TO's schedule resumed
};
std::string_view stage_id(Stage stage);  // "scale-down": the journal's and -o json's word
std::optional<Stage> stage_from_id(std::string_view id);
// "Scale down the apps on us-east-1a (counts kept)": one line of the plan and of the progress.
std::string stage_description(Stage stage, Direction direction, std::string_view from, std::string_view to);

struct StageSet {
  bool skip_source = false;  // FROM is down: only TO's stages (failover only)
  bool domains = false;      // cluster domains are configured (ClusterDomainsStatus present)
};
// The stages of a run, in order.
std::vector<Stage> plan_stages(Direction direction, const StageSet& set);

// The run's journal, kept as ConfigMap data (strings only) in TO, namespace of the schedule.
struct Journal {
  std::string run_id;
  Direction direction = Direction::Failover;
  std::string schedule;
  std::string from_context;
  std::string to_context;
  std::vector<std::string> namespaces;
  std::vector<std::string> completed;  // stage ids, in order
  std::string state = "InProgress";    // InProgress | Succeeded | Failed | RolledBack
  std::string last_mile_migration;     // its name, recorded before it is created
  std::string started_at;
  std::string updated_at;
  std::string owner;    // host and pid of the run that last wrote it
  std::string message;  // why it failed, when it did
  bool skip_source = false;

  bool done(Stage stage) const;
  bool finished() const { return state != "InProgress"; }
};
// "kubectl-dr-run-<schedule>" (cut to a valid name): one per schedule, so two runs cannot overlap.
std::string journal_name(std::string_view schedule);
// The ConfigMap (JSON) holding the journal; `resource_version` empty for a create.
std::string journal_configmap(const Journal& journal, std::string_view namespace_name,
                              std::string_view resource_version);
// The journal in a ConfigMap read back; a Decode error names what is missing.
Result<Journal> parse_journal(const rapidjson::Value& configmap);

// A run as a row of `kubectl dr status failover|failback`, beside Stork's Actions: NAME the run id,
// STAGE the first stage not done ("Completed" once finished), STATUS in the Action's words
// (In-Progress, Successful, Failed, RollbackSuccessful), MORE INFO who moved what where.
struct JournalRow {
  std::string namespace_name;
  std::string name;
  std::optional<TimePoint> created;
  std::string stage;
  std::string status;
  std::string more_info;
};
JournalRow journal_row(const Journal& journal, std::string_view namespace_name);

// The last migration of a schedule, judged for a failover.
struct LastMigrationCheck {
  enum class Verdict { Ok, Warn, Refuse } verdict = Verdict::Ok;
  std::string status;  // "Successful", "Failed", ... ("" when none)
  std::string name;
  std::optional<TimePoint> finished;
  std::string message;  // the checklist line's detail
};
// Newest item of status.items (any policy type). Refuses a Failed or missing one (unless `force`);
// warns on PartialSuccess, on one still running, and when older than `interval` (0 = unknown).
LastMigrationCheck check_last_migration(const rapidjson::Value& schedule, std::chrono::minutes interval,
                                        TimePoint now, bool force);

// The policy's interval (SchedulePolicy spec.interval.intervalMinutes); 0 when it has none.
std::chrono::minutes policy_interval(const rapidjson::Value& policy);

// The Migration body for the last mile: FROM's schedule template, these namespaces,
// startApplications false, named `name`, labelled with the run.
std::string last_mile_migration_body(const rapidjson::Value& schedule, std::string_view name,
                                     std::string_view namespace_name,
                                     const std::vector<std::string>& namespaces, std::string_view run_id);

// Stork's migrationTime annotation ("2006-01-02-150405", UTC) as a time; nullopt when malformed.
std::optional<TimePoint> parse_migration_time(std::string_view text);

// "1m30s ago" style age for the warnings.
std::string describe_age(std::chrono::seconds age);

}  // namespace dr::stork
