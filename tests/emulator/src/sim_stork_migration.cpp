// Stork's Migrations: one run copies the namespaces' apps to the ClusterPair's cluster at 0
// replicas, as pkg/migration/controllers does, and records the outcome for migrate_now.
#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "sim_stork_internal.hpp"

namespace emu::sim {

namespace {

const char* const kResourceKinds[][3] = {
    // group, plural, kind — the order Stork applies them in does not matter here
    {"", "configmaps", "ConfigMap"},       {"", "services", "Service"},
    {"apps", "deployments", "Deployment"}, {"apps", "statefulsets", "StatefulSet"},
    {"batch", "cronjobs", "CronJob"},
};

// Stork's prepareApplicationResource: replicas to 0, the count kept in the annotation (carried
// forward when the source is itself a stopped migrated copy).
void prepare_application(Doc& d, bool start_applications) {
  auto& a = d.GetAllocator();
  Val& spec = object_member(d, "spec", a);
  int64_t replicas = find(spec, "replicas") ? get_int(spec, {"replicas"}, 1) : 1;
  std::string ann = annotation(d, kAnnReplicas);
  if (replicas == 0 && !ann.empty()) {
    char* end = nullptr;
    long long v = std::strtoll(ann.c_str(), &end, 10);
    if (end && *end == '\0' && v > 0) {
      replicas = v;
      set_int(spec, "replicas", replicas, a);
    }
  }
  if (start_applications) return;
  set_int(spec, "replicas", 0, a);
  set_label(d, kAnnMigrated, "true");
  set_annotation(d, kAnnReplicas, std::to_string(replicas));
}

void set_migration_failed(Cluster& c, const ResourceType& mig_r, const std::string& ns,
                          const std::string& name, const std::string& reason) {
  std::string now = now_rfc3339();
  modify_object(c, mig_r, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = object_member(d, "status", a);
    set_string(st, "stage", "Final", a);
    set_string(st, "status", "Failed", a);
    set_string(st, "finishTimestamp", now, a);
    return true;
  });
  if (auto m = get_object(c, mig_r, ns, name)) record_event(c, ns, *m, "Warning", "Failed", reason);
}

// Outcomes of the migrations this process ran, for migrate_now: the controller's thread may run the
// Migration migrate_now just created before migrate_now does, and the reason of a failure lives only in
// an Event. Bounded: the oldest are forgotten.
struct RecordedOutcomes {
  using Key = std::tuple<const Cluster*, std::string, std::string, std::string>;  // + uid: names recur
  std::mutex mu;
  std::condition_variable changed;
  std::map<Key, MigrationResult> by_key;
  std::deque<Key> order;
};
RecordedOutcomes& recorded_outcomes() {
  static RecordedOutcomes r;
  return r;
}
std::string migration_uid(Cluster& c, const std::string& ns, const std::string& name) {
  auto mig_r = stork_resource(c, "migrations");
  Object mig = mig_r ? get_object(c, *mig_r, ns, name) : nullptr;
  return mig ? get_string(*mig, {"metadata", "uid"}) : "";
}
void record_outcome(Cluster& c, const std::string& ns, const std::string& name, const MigrationResult& r) {
  constexpr size_t kKept = 256;
  RecordedOutcomes::Key key{&c, ns, name, migration_uid(c, ns, name)};
  auto& rec = recorded_outcomes();
  {
    std::lock_guard lk(rec.mu);
    if (rec.by_key.insert_or_assign(key, r).second) rec.order.push_back(key);
    while (rec.order.size() > kKept) {
      rec.by_key.erase(rec.order.front());
      rec.order.pop_front();
    }
  }
  rec.changed.notify_all();
}

// Volumes: Portworx replicates the data; Stork creates the claims, bound, on the destination. Appends
// one entry per claim of namespace `n` to `volumes`.
void migrate_volumes(Cluster& source, Cluster* dest, const std::string& ns, const std::string& name,
                     const std::string& n, bool include_volumes, Val& volumes, Alloc& ha) {
  if (auto pvc_r = resource(source, "", "persistentvolumeclaims"); pvc_r && include_volumes)
    for (auto& pvc_obj : list_docs(source, *pvc_r, n)) {
      const Val& pvc = *pvc_obj;
      std::string pvc_name = get_string(pvc, {"metadata", "name"});
      if (auto dpvc_r = resource(*dest, "", "persistentvolumeclaims");
          dpvc_r && !get_object(*dest, *dpvc_r, n, pvc_name)) {
        Doc copy;
        copy.CopyFrom(pvc, copy.GetAllocator());
        Val st;
        if (const Val* s0 = find(pvc, "status")) st.CopyFrom(*s0, copy.GetAllocator());
        strip_for_migration(copy);
        if (!st.IsNull()) copy.AddMember("status", st, copy.GetAllocator());
        set_annotation(copy, kAnnMigrated, "true");
        set_annotation(copy, kAnnMigrationName, name);
        set_annotation(copy, kAnnMigrationNamespace, ns);
        create_object(*dest, *dpvc_r, copy);
      }
      Val v(rapidjson::kObjectType);
      set_string(v, "persistentVolumeClaim", get_string(pvc, {"metadata", "name"}), ha);
      set_string(v, "namespace", n, ha);
      set_string(v, "volume", get_string(pvc, {"spec", "volumeName"}), ha);
      set_string(v, "status", "Successful", ha);
      set_string(v, "reason", "Migration successful for volume", ha);
      set_int(v, "bytesTotal", 0, ha);
      volumes.PushBack(v, ha);
    }
}

// The resources of namespace `n` of the kinds Stork migrates, applied on the destination as Stork
// does; one entry per resource in `resources`, counted in `total` and (when applied) `done`.
void migrate_resources(Cluster& source, Cluster* dest, const std::string& ns, const std::string& name,
                       const std::string& n, bool start_applications, const std::string& mig_time,
                       Val& resources, Alloc& ha, int& total, int& done) {
  for (auto& k : kResourceKinds) {
    auto src_r = resource(source, k[0], k[1]);
    auto dst_r = resource(*dest, k[0], k[1]);
    if (!src_r || !dst_r) continue;
    for (auto& obj_ref : list_docs(source, *src_r, n)) {
      const Val& obj = *obj_ref;
      std::string obj_name = get_string(obj, {"metadata", "name"});
      if (k[1] == std::string("configmaps") && obj_name == "kube-root-ca.crt") continue;
      if (const Val* refs = find_path(obj, {"metadata", "ownerReferences"});
          refs && refs->IsArray() && !refs->Empty())
        continue;
      if (k[1] == std::string("services") && obj_name == "kubernetes" && n == "default") continue;
      // The resource collector leaves out what asks to be left out (and the older spelling).
      if (annotation(obj, "stork.libopenstorage.org/skip-resource") == "true" ||
          annotation(obj, "stork.libopenstorage.org/skipresource") == "true")
        continue;
      ++total;
      Doc out;
      out.CopyFrom(obj, out.GetAllocator());
      strip_for_migration(out);
      std::string kind = k[2];
      if (kind == "Deployment" || kind == "StatefulSet") prepare_application(out, start_applications);
      if (kind == "CronJob" && !start_applications)
        set_bool(object_member(out, "spec", out.GetAllocator()), "suspend", true, out.GetAllocator());
      std::string hash = canonical_hash(out);
      set_annotation(out, kAnnMigrated, "true");
      set_annotation(out, kAnnMigrationName, name);
      set_annotation(out, kAnnMigrationNamespace, ns);
      set_annotation(out, kAnnMigrationTime, mig_time);
      set_annotation(out, kAnnResourceHash, hash);
      std::string status = "Successful", reason = "Resource migrated successfully";
      Object existing = get_object(*dest, *dst_r, n, obj_name);
      if (existing && annotation(*existing, kAnnResourceHash) == hash) {
        // unchanged since the last migration: upstream skips the update
      } else {
        if (existing) delete_object(*dest, *dst_r, n, obj_name);  // delete and re-create, as Stork does
        std::string err;
        if (!create_object(*dest, *dst_r, out, &err)) {  // validated like any create
          status = "Failed";
          reason = "Error applying resource: " + err;
        }
      }
      if (status == "Successful") ++done;
      Val ri(rapidjson::kObjectType);
      set_string(ri, "name", obj_name, ha);
      set_string(ri, "namespace", n, ha);
      set_string(ri, "group", k[0], ha);
      set_string(ri, "version", "v1", ha);
      set_string(ri, "kind", kind, ha);
      set_string(ri, "status", status, ha);
      set_string(ri, "reason", reason, ha);
      resources.PushBack(ri, ha);
    }
  }
}

// `claimed` is set when this call moved the Migration from Pending to InProgress, so ran it: two
// callers (the controller and migrate_now) never both apply one Migration.
MigrationResult run_migration(Emulator& e, Cluster& source, const std::string& ns, const std::string& name,
                              std::time_t at, bool& claimed) {
  MigrationResult res;
  res.name = name;
  auto mig_r = stork_resource(source, "migrations");
  auto ms_r = stork_resource(source, "migrationschedules");
  if (!mig_r) return res;
  Object mig = get_object(source, *mig_r, ns, name);
  if (!mig) return res;
  auto fail = [&](const std::string& reason) {
    set_migration_failed(source, *mig_r, ns, name, reason);
    res.status = "Failed";
    res.reason = reason;
    return res;
  };
  // setDefaults, as upstream writes them back
  auto bool_or = [&](const char* k, bool def) {
    const Val* v = find_path(*mig, {"spec", k});
    return v && v->IsBool() ? v->GetBool() : def;
  };
  bool include_resources = bool_or("includeResources", true);
  bool start_applications = bool_or("startApplications", false);
  bool include_volumes = bool_or("includeVolumes", true);
  std::string mig_start = at ? rfc3339(at) : now_rfc3339();
  modify_object(source, *mig_r, ns, name, [&](Doc& d) {
    if (std::string now = get_string(d, {"status", "status"}); !now.empty() && now != "Pending") {
      res.status = now;  // another caller has it, or had it: InProgress or finished
      return false;
    }
    claimed = true;
    auto& a = d.GetAllocator();
    Val& spec = object_member(d, "spec", a);
    for (auto [k, def] :
         {std::pair{"includeResources", true}, std::pair{"includeVolumes", true},
          std::pair{"startApplications", false}, std::pair{"purgeDeletedResources", false},
          std::pair{"skipServiceUpdate", false}, std::pair{"includeNetworkPolicyWithCIDR", false},
          std::pair{"skipDeletedNamespaces", true}, std::pair{"ignoreOwnerReferencesCheck", false}})
      if (!find(spec, k) || find_path(spec, {k})->IsNull()) set_bool(spec, k, def, a);
    Val& st = object_member(d, "status", a);
    set_string(st, "status", "InProgress", a);
    set_string(st, "stage", "Applications", a);
    return true;
  });
  if (!claimed) return res;

  std::string sched_name = annotation(*mig, kAnnScheduleName);
  std::string pair = get_string(*mig, {"spec", "clusterPair"});
  if (pair.empty()) return fail("clusterPair to migrate to cannot be empty");
  std::string why;
  Cluster* dest = pair_peer(e, source, ns, pair, &why);
  if (!dest) return fail(why);
  if (!sched_name.empty() && ms_r) {
    if (Object remote = get_object(*dest, *ms_r, ns, sched_name);
        remote && get_bool(*remote, {"status", "applicationActivated"}))
      return fail("migrated applications are active on remote cluster");
  }
  std::string src_domain = local_domain(source), dst_domain = local_domain(*dest);
  if (auto v = domain_state(e, src_domain); v.known && !v.active)
    return fail("cluster domain " + src_domain + " of the source cluster is inactive");
  if (auto v = domain_state(e, dst_domain); v.known && !v.active)
    return fail("cluster domain " + dst_domain + " of the destination cluster is inactive");

  std::vector<std::string> namespaces;
  if (const Val* nss = find_path(*mig, {"spec", "namespaces"}); nss && nss->IsArray())
    for (auto& n : nss->GetArray())
      if (n.IsString()) namespaces.emplace_back(n.GetString());
  auto ns_r = resource(source, "", "namespaces");
  Val resources(rapidjson::kArrayType), volumes(rapidjson::kArrayType);
  Doc holder(rapidjson::kObjectType);
  auto& ha = holder.GetAllocator();
  int total = 0, done = 0;
  std::string mig_time = name_time_suffix(at ? at : std::time(nullptr));
  for (auto& n : namespaces) {
    if (!get_object(source, *ns_r, "", n)) continue;  // skipDeletedNamespaces
    ensure_namespace(source, *dest, n);
    migrate_volumes(source, dest, ns, name, n, include_volumes, volumes, ha);
    if (!include_resources) continue;
    migrate_resources(source, dest, ns, name, n, start_applications, mig_time, resources, ha, total, done);
  }
  res.resources = done;
  res.status = done == total ? "Successful" : (done == 0 ? "Failed" : "PartialSuccess");
  if (res.status != "Successful") res.reason = "some resources failed to migrate";
  std::string finish = at ? rfc3339(at + 10) : now_rfc3339();
  size_t n_volumes = volumes.Size();
  modify_object(source, *mig_r, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = object_member(d, "status", a);
    set_string(st, "stage", "Final", a);
    set_string(st, "status", res.status, a);
    set_member(st, "resources", Val(resources, a), a);
    set_member(st, "volumes", Val(volumes, a), a);
    set_string(st, "finishTimestamp", finish, a);
    set_string(st, "volumeMigrationFinishTimestamp", mig_start, a);
    set_string(st, "resourceMigrationFinishTimestamp", finish, a);
    Val& sum = object_member(st, "summary", a);
    set_int(sum, "totalNumberOfVolumes", static_cast<int64_t>(n_volumes), a);
    set_int(sum, "numOfMigratedVolumes", static_cast<int64_t>(n_volumes), a);
    set_int(sum, "totalNumberOfResources", total, a);
    set_int(sum, "numOfMigratedResources", done, a);
    set_int(sum, "totalBytesMigrated", 0, a);
    std::time_t t0 = parse_rfc3339(mig_start), t1 = parse_rfc3339(finish);
    set_string(sum, "elapsedTimeForVolumeMigration", "0s", a);
    set_string(sum, "elapsedTimeForResourceMigration", std::to_string(t1 - t0) + "s", a);
    return true;
  });
  return res;
}

}  // namespace

MigrationResult execute_migration(Emulator& e, Cluster& source, const std::string& ns,
                                  const std::string& name, std::time_t at) {
  bool claimed = false;
  MigrationResult res = run_migration(e, source, ns, name, at, claimed);
  if (claimed) record_outcome(source, ns, name, res);
  return res;
}

MigrationResult await_migration_outcome(Cluster& source, const std::string& ns, const std::string& name,
                                        std::chrono::milliseconds timeout) {
  RecordedOutcomes::Key key{&source, ns, name, migration_uid(source, ns, name)};
  auto& rec = recorded_outcomes();
  std::unique_lock lk(rec.mu);
  if (rec.changed.wait_for(lk, timeout, [&] { return rec.by_key.count(key) > 0; })) return rec.by_key[key];
  MigrationResult res;
  res.name = name;
  if (auto mig_r = stork_resource(source, "migrations"))
    if (Object mig = get_object(source, *mig_r, ns, name))
      res.status = get_string(*mig, {"status", "status"});
  return res;
}

}  // namespace emu::sim
