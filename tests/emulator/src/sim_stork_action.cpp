// Stork's Action controller (Stork >= 24.2, pkg/action): `perform failover|failback` creates an
// Action, and the controller walks it through its stages, one step per reconcile, as upstream does:
// a stage starts with status "", runs (In-Progress, or Scheduled while validating), ends Successful
// or Failed, and the next reconcile moves to the following stage (or to the rollback stage, or to
// Final). Failover runs in the cluster taking over; its source is the peer its ClusterPair names.
// Failback runs in the cluster running the apps, over the schedule that migrates back.
//
// Not simulated: sync DR (cluster domains deactivated by the driver), an unreachable source (the
// emulator's clusters are always up: use skipSourceOperations), ApplicationRegistration CRs.
#include <algorithm>
#include <cstdlib>

#include "sim_stork_internal.hpp"

namespace emu::sim {

namespace {

constexpr const char* kFinal = "Final";
// How many reconciles WaitAfterScaleDown waits for pods to go before failing (and rolling back);
// the controller's loop reconciles an active Action every 100 ms or on any Stork change.
constexpr int kMaxScaleDownChecks = 600;

struct ActionRef {
  Cluster& cluster;
  const ResourceType& type;
  std::string ns;
  std::string name;
};

struct StageUpdate {
  StageUpdate(std::string stage_to, std::string status_to, std::string why = "", bool finish = false,
              const Val* summary_to = nullptr, int checks = -1)
      : stage(std::move(stage_to)),
        status(std::move(status_to)),
        reason(std::move(why)),
        finished(finish),
        summary(summary_to),
        scale_down_checks(checks) {}
  std::string stage;
  std::string status;
  std::string reason;
  bool finished = false;         // set finishTimestamp
  const Val* summary = nullptr;  // status.summary, when given
  int scale_down_checks = -1;    // the emulator's own counter, kept in an annotation
};

void update_status(const ActionRef& ref, const StageUpdate& u) {
  modify_object(ref.cluster, ref.type, ref.ns, ref.name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = object_member(d, "status", a);
    set_string(st, "stage", u.stage, a);
    set_string(st, "status", u.status, a);
    set_string(st, "reason", u.reason, a);
    if (u.finished) set_string(st, "finishTimestamp", now_rfc3339(), a);
    if (u.summary != nullptr) set_member(st, "summary", Val(*u.summary, a), a);
    if (u.scale_down_checks >= 0)
      set_annotation(d, "emulator.kubectl-dr.io/scale-down-checks", std::to_string(u.scale_down_checks));
    return true;
  });
}

std::vector<std::string> string_list(const Val* v) {
  std::vector<std::string> out;
  if (v && v->IsArray())
    for (auto& s : v->GetArray())
      if (s.IsString()) out.emplace_back(s.GetString());
  return out;
}

// A valid recorded count, in either spelling (the library's first), or -1.
int64_t recorded_count(const Val& obj) {
  for (const char* key : {kAnnReplicas, kAnnReplicasDocs}) {
    std::string text = annotation(obj, key);
    if (text.empty()) continue;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (end && *end == '\0' && v >= 0 && v <= 1000000) return v;
  }
  return -1;
}

const char* const kScaledKinds[][2] = {{"apps", "deployments"}, {"apps", "statefulsets"}};

// Scales up every workload of `ns` in `c` that carries a recorded count, and resumes the CronJobs
// Stork suspended (those carrying the migrated annotation). Empty on success, else why not.
std::string scale_up_namespace(Cluster& c, const std::string& ns) {
  std::string failure;
  for (auto& k : kScaledKinds) {
    auto r = resource(c, k[0], k[1]);
    if (!r) continue;
    for (auto& obj : list_docs(c, *r, ns)) {
      int64_t count = recorded_count(*obj);
      if (count < 0 || get_int(*obj, {"spec", "replicas"}, 1) == count) continue;
      std::string err;
      modify_object(
          c, *r, ns, name_of(*obj),
          [&](Doc& d) {
            set_int(object_member(d, "spec", d.GetAllocator()), "replicas", count, d.GetAllocator());
            return true;
          },
          &err);
      if (!err.empty()) failure = "scaling " + name_of(*obj) + ": " + err;
    }
  }
  if (auto cj = resource(c, "batch", "cronjobs"))
    for (auto& obj : list_docs(c, *cj, ns))
      if (annotation(*obj, kAnnMigrated) == "true" && get_bool(*obj, {"spec", "suspend"}))
        modify_object(c, *cj, ns, name_of(*obj), [&](Doc& d) {
          set_bool(object_member(d, "spec", d.GetAllocator()), "suspend", false, d.GetAllocator());
          return true;
        });
  return failure;
}

// Scales down in `down` exactly what activation will start in `up` (objects there with a recorded
// count, CronJobs there with the migrated annotation), writing the live count into the annotation
// first, as Stork's ScaleDownGivenResources does (a live 0 keeps a positive recorded count).
std::string scale_down_namespace(Cluster& up, Cluster& down, const std::string& ns) {
  std::string failure;
  for (auto& k : kScaledKinds) {
    auto up_r = resource(up, k[0], k[1]);
    auto down_r = resource(down, k[0], k[1]);
    if (!up_r || !down_r) continue;
    for (auto& obj : list_docs(up, *up_r, ns)) {
      if (recorded_count(*obj) < 0) continue;
      std::string err;
      modify_object(
          down, *down_r, ns, name_of(*obj),
          [&](Doc& d) {
            int64_t live = get_int(d, {"spec", "replicas"}, 1);
            int64_t kept = recorded_count(d);
            if (live == 0 && kept > 0) return false;  // already down, its count recorded
            set_annotation(d, kAnnReplicas, std::to_string(live > 0 ? live : std::max<int64_t>(kept, 0)));
            set_int(object_member(d, "spec", d.GetAllocator()), "replicas", 0, d.GetAllocator());
            return true;
          },
          &err);
      if (!err.empty()) failure = "scaling down " + name_of(*obj) + ": " + err;
    }
  }
  auto up_cj = resource(up, "batch", "cronjobs");
  auto down_cj = resource(down, "batch", "cronjobs");
  if (up_cj && down_cj)
    for (auto& obj : list_docs(up, *up_cj, ns))
      if (annotation(*obj, kAnnMigrated) == "true")
        modify_object(down, *down_cj, ns, name_of(*obj), [&](Doc& d) {
          set_bool(object_member(d, "spec", d.GetAllocator()), "suspend", true, d.GetAllocator());
          return true;
        });
  return failure;
}

// Pods still running for the workloads of `ns` that activation will start in `up`.
int64_t pods_left(Cluster& up, Cluster& down, const std::string& ns) {
  int64_t left = 0;
  for (auto& k : kScaledKinds) {
    auto up_r = resource(up, k[0], k[1]);
    auto down_r = resource(down, k[0], k[1]);
    if (!up_r || !down_r) continue;
    for (auto& obj : list_docs(up, *up_r, ns))
      if (recorded_count(*obj) >= 0)
        if (Object there = get_object(down, *down_r, ns, name_of(*obj)))
          left += get_int(*there, {"status", "replicas"}, 0);
  }
  return left;
}

// The newest migration a schedule recorded (any policy type): its status, "" when none.
std::string latest_migration_status(const Val& schedule) {
  std::string latest_time, latest_status;
  if (const Val* items = find_path(schedule, {"status", "items"}); items && items->IsObject())
    for (auto& p : items->GetObject())
      if (p.value.IsArray())
        for (auto& item : p.value.GetArray()) {
          std::string t = get_string(item, {"creationTimestamp"});
          if (t >= latest_time) {
            latest_time = t;
            latest_status = get_string(item, {"status"});
          }
        }
  return latest_status;
}

void set_application_activated(Cluster& c, const std::string& ns, const std::vector<std::string>& namespaces,
                               bool activated) {
  auto ms_r = stork_resource(c, "migrationschedules");
  if (!ms_r) return;
  for (auto& ms : list_docs(c, *ms_r)) {
    if (activated && annotation(*ms, kAnnStaticCopy) != "true") continue;
    auto migrated = string_list(find_path(*ms, {"spec", "template", "spec", "namespaces"}));
    bool relevant =
        namespace_of(*ms) == ns || std::any_of(namespaces.begin(), namespaces.end(), [&](auto& n) {
          return std::find(migrated.begin(), migrated.end(), n) != migrated.end();
        });
    if (!relevant || get_bool(*ms, {"status", "applicationActivated"}) == activated) continue;
    modify_object(c, *ms_r, namespace_of(*ms), name_of(*ms), [&](Doc& d) {
      set_bool(object_member(d, "status", d.GetAllocator()), "applicationActivated", activated,
               d.GetAllocator());
      return true;
    });
  }
}

struct Plan {
  bool failover = true;
  std::string schedule;
  std::vector<std::string> namespaces;
  bool skip_source = false;
};

Plan plan_of(const Val& action) {
  Plan p;
  p.failover = get_string(action, {"spec", "actionType"}) == "failover";
  const char* param = p.failover ? "failoverParameter" : "failbackParameter";
  const char* list = p.failover ? "failoverNamespaces" : "failbackNamespaces";
  p.schedule = get_string(action, {"spec", "actionParameter", param, "migrationScheduleReference"});
  p.namespaces = string_list(find_path(action, {"spec", "actionParameter", param, list}));
  p.skip_source = get_bool(action, {"spec", "actionParameter", param, "skipSourceOperations"});
  return p;
}

class ActionRun {
 public:
  ActionRun(Emulator& e, const ActionRef& ref, const Val& action)
      : e_(e),
        ref_(ref),
        plan_(plan_of(action)),
        stage_(get_string(action, {"status", "stage"})),
        status_(get_string(action, {"status", "status"})),
        checks_(std::atoi(annotation(action, "emulator.kubectl-dr.io/scale-down-checks").c_str())) {}

  // One reconcile; true while there is more to do.
  bool step() {
    if (stage_ == kFinal) return false;
    if (status_ == "Successful" || status_ == "Failed") return advance();
    if (status_.empty()) {
      update({stage_, stage_.empty() ? "Scheduled" : "In-Progress"});
      status_ = stage_.empty() ? "Scheduled" : "In-Progress";
    }
    run_stage();
    return true;
  }

 private:
  void update(const StageUpdate& u) { update_status(ref_, u); }
  void succeed(std::string reason = "") { update({stage_, "Successful", std::move(reason)}); }
  void fail(std::string reason) { update({stage_, "Failed", std::move(reason)}); }
  void move_to(const std::string& stage, std::string reason = "") {
    update({stage, "", std::move(reason), true});
  }

  // The cluster the apps run on afterwards ("up"), and the one they leave ("down").
  Cluster* peer(std::string* why) {
    auto ms_r = stork_resource(ref_.cluster, "migrationschedules");
    Object ms = ms_r ? get_object(ref_.cluster, *ms_r, ref_.ns, plan_.schedule) : nullptr;
    if (!ms) {
      *why = "Error fetching the MigrationSchedule " + ref_.ns + "/" + plan_.schedule;
      return nullptr;
    }
    std::string pair = get_string(*ms, {"spec", "template", "spec", "clusterPair"});
    Cluster* p = pair_peer(e_, ref_.cluster, ref_.ns, pair, why);
    if (!p) *why = "Error fetching the ClusterPair " + ref_.ns + "/" + pair + ": " + *why;
    return p;
  }

  bool advance() {
    const bool ok = status_ == "Successful";
    const bool fo = plan_.failover;
    if (stage_.empty()) {
      ok ? move_to(fo ? "ScaleDownSource" : "ScaleDownDestination") : move_to(kFinal);
    } else if (stage_ == "ScaleDownSource" || stage_ == "ScaleDownDestination") {
      ok ? move_to("WaitAfterScaleDown") : move_to(kFinal);
    } else if (stage_ == "WaitAfterScaleDown" || stage_ == "LastMileMigration") {
      const char* next = stage_ == "WaitAfterScaleDown" ? "LastMileMigration"
                                                        : (fo ? "ScaleUpDestination" : "ScaleUpSource");
      ok ? move_to(next) : move_to(fo ? "ScaleUpSource" : "ScaleUpDestination");
    } else {
      // A scale-up stage: the last one, or the rollback, which fails the Action whatever it did.
      const bool rollback = fo ? stage_ == "ScaleUpSource" : stage_ == "ScaleUpDestination";
      update({kFinal, rollback ? "Failed" : status_, "", true});
      return false;
    }
    return true;
  }

  void run_stage() {
    if (stage_.empty()) return validate();
    if (stage_ == "ScaleDownSource" || stage_ == "ScaleDownDestination") return scale_down();
    if (stage_ == "WaitAfterScaleDown") return wait_for_scale_down();
    if (stage_ == "LastMileMigration") return last_mile();
    // "Destination" is always this cluster, "source" the remote one; which of them is the rollback
    // depends on the direction.
    if (stage_ == "ScaleUpDestination") return scale_up(&ref_.cluster, !plan_.failover);
    if (stage_ == "ScaleUpSource") return scale_up(nullptr, plan_.failover);
    fail("unknown stage " + stage_);
  }

  void validate() {
    auto ms_r = stork_resource(ref_.cluster, "migrationschedules");
    Object ms = ms_r ? get_object(ref_.cluster, *ms_r, ref_.ns, plan_.schedule) : nullptr;
    const std::string what = ref_.ns + "/" + plan_.schedule;
    if (!ms) return fail("Error fetching the MigrationSchedule " + what + " for " + word());
    if (plan_.failover && annotation(*ms, kAnnStaticCopy) != "true")
      return fail("The provided MigrationSchedule " + what +
                  " is not created by Stork. Please ensure that the failover is initiated in the cluster you "
                  "want to failover to");
    if (plan_.failover && plan_.skip_source)
      return move_to(
          "ScaleUpDestination",
          "Skipping source cluster operations and moving to the Failover ScaleUpDestinationStage since "
          "SkipSourceOperations is set to true");
    if (!plan_.failover) {
      std::string latest = latest_migration_status(*ms);
      if (latest != "Successful" && latest != "PartialSuccess")
        return fail("The latest migration of the MigrationSchedule " + what + " is not successful (" +
                    (latest.empty() ? "none" : latest) + "); failback needs a successful one");
    }
    std::string why;
    Cluster* remote = peer(&why);
    if (!remote) return fail(why);
    // Failover suspends the source's schedule; failback its own (the one migrating back).
    Cluster& owner = plan_.failover ? *remote : ref_.cluster;
    auto owner_ms_r = stork_resource(owner, "migrationschedules");
    Object source_ms = owner_ms_r ? get_object(owner, *owner_ms_r, ref_.ns, plan_.schedule) : nullptr;
    if (!source_ms) return fail("Error fetching the MigrationSchedule " + what + " in the remote cluster");
    if (!get_bool(*source_ms, {"spec", "suspend"}))
      modify_object(owner, *owner_ms_r, ref_.ns, plan_.schedule, [&](Doc& d) {
        set_bool(object_member(d, "spec", d.GetAllocator()), "suspend", true, d.GetAllocator());
        return true;
      });
    std::string latest = latest_migration_status(*source_ms);
    if (latest == "Pending" || latest == "InProgress") return;  // waits for it: reconciled again
    succeed();
  }

  // The clusters of this Action: where apps come up, and where they go down.
  bool clusters(Cluster*& up, Cluster*& down) {
    std::string why;
    Cluster* remote = peer(&why);
    if (!remote) {
      fail(why);
      return false;
    }
    up = plan_.failover ? &ref_.cluster : remote;
    down = plan_.failover ? remote : &ref_.cluster;
    return true;
  }

  void scale_down() {
    Cluster *up = nullptr, *down = nullptr;
    if (!clusters(up, down)) return;
    for (auto& ns : plan_.namespaces)
      if (std::string err = scale_down_namespace(*up, *down, ns); !err.empty())
        return fail("Failed to scale down replicas in cluster " + down->name() + " : " + err);
    set_application_activated(*down, ref_.ns, plan_.namespaces, false);
    succeed();
  }

  void wait_for_scale_down() {
    Cluster *up = nullptr, *down = nullptr;
    if (!clusters(up, down)) return;
    int64_t left = 0;
    for (auto& ns : plan_.namespaces) left += pods_left(*up, *down, ns);
    if (left == 0) return succeed();
    if (checks_ >= kMaxScaleDownChecks)
      return fail("Timed out waiting for the apps to scale down in cluster " + down->name());
    update({stage_, status_, "Waiting for " + std::to_string(left) + " pods to terminate", false, nullptr,
            checks_ + 1});
  }

  void last_mile() {
    Cluster *up = nullptr, *down = nullptr;
    if (!clusters(up, down)) return;
    // The migration runs from where the apps were to where they will run, with the schedule the
    // apps' cluster holds: for failover the source's schedule, for failback this cluster's.
    auto ms_r = stork_resource(*down, "migrationschedules");
    Object ms = ms_r ? get_object(*down, *ms_r, ref_.ns, plan_.schedule) : nullptr;
    if (!ms) return fail("Error fetching the MigrationSchedule " + ref_.ns + "/" + plan_.schedule);
    auto mig_r = stork_resource(*down, "migrations");
    std::string name = plan_.schedule + "-lastmile-" + word() + "-" + random_hex(4);
    Doc m(rapidjson::kObjectType);
    auto& a = m.GetAllocator();
    set_string(m, "apiVersion", "stork.libopenstorage.org/v1alpha1", a);
    set_string(m, "kind", "Migration", a);
    add_metadata(m, name, ref_.ns);
    // Named after its schedule like the schedule's own migrations, so the migration controller's
    // checks of the schedule's copy on the other side apply to it too.
    set_annotation(m, kAnnScheduleName, plan_.schedule);
    Val spec = object_copy_at(*ms, {"spec", "template", "spec"}, a);
    set_bool(spec, "startApplications", false, a);
    Val namespaces(rapidjson::kArrayType);
    for (auto& n : plan_.namespaces) namespaces.PushBack(str(n, a), a);
    set_member(spec, "namespaces", std::move(namespaces), a);
    set_member(m, "spec", std::move(spec), a);
    std::string err;
    if (!create_object(*down, *mig_r, m, &err))
      return fail("Failed to create the last mile migration: " + err);
    MigrationResult r = execute_migration(e_, *down, ref_.ns, name);
    if (r.status.empty() || r.status == "InProgress" || r.status == "Pending")
      r = await_migration_outcome(*down, ref_.ns, name, std::chrono::seconds(60));
    if (r.status == "Successful" || r.status == "PartialSuccess") return succeed();
    fail("Last mile migration " + ref_.ns + "/" + name + " " +
         (r.status.empty() ? "did not finish" : r.status) + (r.reason.empty() ? "" : ": " + r.reason));
  }

  // Scales up in the cluster given (nullptr: the remote one); a rollback reports Rollback*.
  void scale_up(Cluster* target, bool rollback) {
    if (target == nullptr) {
      std::string why;
      target = peer(&why);
      if (!target) return fail(why);
    }
    Doc summary(rapidjson::kObjectType);
    auto& a = summary.GetAllocator();
    Val items(rapidjson::kArrayType);
    bool all_ok = true;
    std::vector<std::string> activated;
    for (auto& ns : plan_.namespaces) {
      std::string err = scale_up_namespace(*target, ns);
      Val item(rapidjson::kObjectType);
      set_string(item, "namespace", ns, a);
      if (err.empty()) {
        activated.push_back(ns);
        set_string(item, "status", rollback ? "RollbackSuccessful" : "Successful", a);
        set_string(item, "reason", "scaling up apps in namespace " + ns + " successful", a);
      } else {
        all_ok = false;
        set_string(item, "status", rollback ? "RollbackFailed" : "Failed", a);
        set_string(item, "reason", "scaling up apps in namespace " + ns + " failed: " + err, a);
      }
      items.PushBack(item, a);
    }
    set_member(summary, plan_.failover ? "failoverSummary" : "failbackSummary", std::move(items), a);
    if (all_ok && !rollback) set_application_activated(*target, ref_.ns, activated, true);
    update({stage_, all_ok ? "Successful" : "Failed", "", false, &summary});
  }

  std::string word() const { return plan_.failover ? "failover" : "failback"; }

  Emulator& e_;
  ActionRef ref_;
  Plan plan_;
  std::string stage_;
  std::string status_;
  int checks_ = 0;
};

}  // namespace

bool reconcile_action(Emulator& e, Cluster& c, const std::string& ns, const std::string& name) {
  auto r = stork_resource(c, "actions");
  if (!r) return false;
  Object action = get_object(c, *r, ns, name);
  if (!action || !get_string(*action, {"metadata", "deletionTimestamp"}).empty()) return false;
  const std::string type = get_string(*action, {"spec", "actionType"});
  if (type != "failover" && type != "failback") {
    update_status({c, *r, ns, name}, {kFinal, "Failed", "unsupported actionType \"" + type + "\"", true});
    return false;
  }
  ActionRun run(e, {c, *r, ns, name}, *action);
  return run.step();
}

}  // namespace emu::sim
