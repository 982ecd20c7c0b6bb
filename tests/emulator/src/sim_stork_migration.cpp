// Stork's Migrations: one run copies the namespaces' apps to the ClusterPair's cluster at 0
// replicas, as pkg/migration/controllers does, and records the outcome for migrateNow.
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
void prepareApplication(Doc& d, bool startApplications) {
  auto& a = d.GetAllocator();
  Val& spec = objectMember(d, "spec", a);
  int64_t replicas = find(spec, "replicas") ? getInt(spec, {"replicas"}, 1) : 1;
  std::string ann = annotation(d, kAnnReplicas);
  if (replicas == 0 && !ann.empty()) {
    char* end = nullptr;
    long long v = std::strtoll(ann.c_str(), &end, 10);
    if (end && *end == '\0' && v > 0) {
      replicas = v;
      setInt(spec, "replicas", replicas, a);
    }
  }
  if (startApplications) return;
  setInt(spec, "replicas", 0, a);
  setLabel(d, kAnnMigrated, "true");
  setAnnotation(d, kAnnReplicas, std::to_string(replicas));
}

void setMigrationFailed(Cluster& c, const ResourceType& migR, const std::string& ns, const std::string& name,
                        const std::string& reason) {
  std::string now = nowRfc3339();
  modifyObject(c, migR, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = objectMember(d, "status", a);
    setString(st, "stage", "Final", a);
    setString(st, "status", "Failed", a);
    setString(st, "finishTimestamp", now, a);
    return true;
  });
  if (auto m = getObject(c, migR, ns, name)) recordEvent(c, ns, *m, "Warning", "Failed", reason);
}

// Outcomes of the migrations this process ran, for migrateNow: the controller's thread may run the
// Migration migrateNow just created before migrateNow does, and the reason of a failure lives only in
// an Event. Bounded: the oldest are forgotten.
struct RecordedOutcomes {
  using Key = std::tuple<const Cluster*, std::string, std::string, std::string>;  // + uid: names recur
  std::mutex mu;
  std::condition_variable changed;
  std::map<Key, MigrationResult> byKey;
  std::deque<Key> order;
};
RecordedOutcomes& recordedOutcomes() {
  static RecordedOutcomes r;
  return r;
}
std::string migrationUid(Cluster& c, const std::string& ns, const std::string& name) {
  auto migR = storkResource(c, "migrations");
  Object mig = migR ? getObject(c, *migR, ns, name) : nullptr;
  return mig ? getString(*mig, {"metadata", "uid"}) : "";
}
void recordOutcome(Cluster& c, const std::string& ns, const std::string& name, const MigrationResult& r) {
  constexpr size_t kKept = 256;
  RecordedOutcomes::Key key{&c, ns, name, migrationUid(c, ns, name)};
  auto& rec = recordedOutcomes();
  {
    std::lock_guard lk(rec.mu);
    if (rec.byKey.insert_or_assign(key, r).second) rec.order.push_back(key);
    while (rec.order.size() > kKept) {
      rec.byKey.erase(rec.order.front());
      rec.order.pop_front();
    }
  }
  rec.changed.notify_all();
}

// Volumes: Portworx replicates the data; Stork creates the claims, bound, on the destination. Appends
// one entry per claim of namespace `n` to `volumes`.
void migrateVolumes(Cluster& source, Cluster* dest, const std::string& ns, const std::string& name,
                    const std::string& n, bool includeVolumes, Val& volumes, Alloc& ha) {
  if (auto pvcR = resource(source, "", "persistentvolumeclaims"); pvcR && includeVolumes)
    for (auto& pvcObj : listDocs(source, *pvcR, n)) {
      const Val& pvc = *pvcObj;
      std::string pvcName = getString(pvc, {"metadata", "name"});
      if (auto dpvcR = resource(*dest, "", "persistentvolumeclaims");
          dpvcR && !getObject(*dest, *dpvcR, n, pvcName)) {
        Doc copy;
        copy.CopyFrom(pvc, copy.GetAllocator());
        Val st;
        if (const Val* s0 = find(pvc, "status")) st.CopyFrom(*s0, copy.GetAllocator());
        stripForMigration(copy);
        if (!st.IsNull()) copy.AddMember("status", st, copy.GetAllocator());
        setAnnotation(copy, kAnnMigrated, "true");
        setAnnotation(copy, kAnnMigrationName, name);
        setAnnotation(copy, kAnnMigrationNamespace, ns);
        createObject(*dest, *dpvcR, copy);
      }
      Val v(rapidjson::kObjectType);
      setString(v, "persistentVolumeClaim", getString(pvc, {"metadata", "name"}), ha);
      setString(v, "namespace", n, ha);
      setString(v, "volume", getString(pvc, {"spec", "volumeName"}), ha);
      setString(v, "status", "Successful", ha);
      setString(v, "reason", "Migration successful for volume", ha);
      setInt(v, "bytesTotal", 0, ha);
      volumes.PushBack(v, ha);
    }
}

// The resources of namespace `n` of the kinds Stork migrates, applied on the destination as Stork
// does; one entry per resource in `resources`, counted in `total` and (when applied) `done`.
void migrateResources(Cluster& source, Cluster* dest, const std::string& ns, const std::string& name,
                      const std::string& n, bool startApplications, const std::string& migTime,
                      Val& resources, Alloc& ha, int& total, int& done) {
  for (auto& k : kResourceKinds) {
    auto srcR = resource(source, k[0], k[1]);
    auto dstR = resource(*dest, k[0], k[1]);
    if (!srcR || !dstR) continue;
    for (auto& objRef : listDocs(source, *srcR, n)) {
      const Val& obj = *objRef;
      std::string objName = getString(obj, {"metadata", "name"});
      if (k[1] == std::string("configmaps") && objName == "kube-root-ca.crt") continue;
      if (const Val* refs = findPath(obj, {"metadata", "ownerReferences"});
          refs && refs->IsArray() && !refs->Empty())
        continue;
      if (k[1] == std::string("services") && objName == "kubernetes" && n == "default") continue;
      ++total;
      Doc out;
      out.CopyFrom(obj, out.GetAllocator());
      stripForMigration(out);
      std::string kind = k[2];
      if (kind == "Deployment" || kind == "StatefulSet") prepareApplication(out, startApplications);
      if (kind == "CronJob" && !startApplications)
        setBool(objectMember(out, "spec", out.GetAllocator()), "suspend", true, out.GetAllocator());
      std::string hash = canonicalHash(out);
      setAnnotation(out, kAnnMigrated, "true");
      setAnnotation(out, kAnnMigrationName, name);
      setAnnotation(out, kAnnMigrationNamespace, ns);
      setAnnotation(out, kAnnMigrationTime, migTime);
      setAnnotation(out, kAnnResourceHash, hash);
      std::string status = "Successful", reason = "Resource migrated successfully";
      Object existing = getObject(*dest, *dstR, n, objName);
      if (existing && annotation(*existing, kAnnResourceHash) == hash) {
        // unchanged since the last migration: upstream skips the update
      } else {
        if (existing) deleteObject(*dest, *dstR, n, objName);  // delete and re-create, as Stork does
        std::string err;
        if (!createObject(*dest, *dstR, out, &err)) {  // validated like any create
          status = "Failed";
          reason = "Error applying resource: " + err;
        }
      }
      if (status == "Successful") ++done;
      Val ri(rapidjson::kObjectType);
      setString(ri, "name", objName, ha);
      setString(ri, "namespace", n, ha);
      setString(ri, "group", k[0], ha);
      setString(ri, "version", "v1", ha);
      setString(ri, "kind", kind, ha);
      setString(ri, "status", status, ha);
      setString(ri, "reason", reason, ha);
      resources.PushBack(ri, ha);
    }
  }
}

// `claimed` is set when this call moved the Migration from Pending to InProgress, so ran it: two
// callers (the controller and migrateNow) never both apply one Migration.
MigrationResult runMigration(Emulator& e, Cluster& source, const std::string& ns, const std::string& name,
                             std::time_t at, bool& claimed) {
  MigrationResult res;
  res.name = name;
  auto migR = storkResource(source, "migrations");
  auto msR = storkResource(source, "migrationschedules");
  if (!migR) return res;
  Object mig = getObject(source, *migR, ns, name);
  if (!mig) return res;
  auto fail = [&](const std::string& reason) {
    setMigrationFailed(source, *migR, ns, name, reason);
    res.status = "Failed";
    res.reason = reason;
    return res;
  };
  // setDefaults, as upstream writes them back
  auto boolOr = [&](const char* k, bool def) {
    const Val* v = findPath(*mig, {"spec", k});
    return v && v->IsBool() ? v->GetBool() : def;
  };
  bool includeResources = boolOr("includeResources", true);
  bool startApplications = boolOr("startApplications", false);
  bool includeVolumes = boolOr("includeVolumes", true);
  std::string migStart = at ? rfc3339(at) : nowRfc3339();
  modifyObject(source, *migR, ns, name, [&](Doc& d) {
    if (std::string now = getString(d, {"status", "status"}); !now.empty() && now != "Pending") {
      res.status = now;  // another caller has it, or had it: InProgress or finished
      return false;
    }
    claimed = true;
    auto& a = d.GetAllocator();
    Val& spec = objectMember(d, "spec", a);
    for (auto [k, def] :
         {std::pair{"includeResources", true}, std::pair{"includeVolumes", true},
          std::pair{"startApplications", false}, std::pair{"purgeDeletedResources", false},
          std::pair{"skipServiceUpdate", false}, std::pair{"includeNetworkPolicyWithCIDR", false},
          std::pair{"skipDeletedNamespaces", true}, std::pair{"ignoreOwnerReferencesCheck", false}})
      if (!find(spec, k) || findPath(spec, {k})->IsNull()) setBool(spec, k, def, a);
    Val& st = objectMember(d, "status", a);
    setString(st, "status", "InProgress", a);
    setString(st, "stage", "Applications", a);
    return true;
  });
  if (!claimed) return res;

  std::string schedName = annotation(*mig, kAnnScheduleName);
  std::string pair = getString(*mig, {"spec", "clusterPair"});
  if (pair.empty()) return fail("clusterPair to migrate to cannot be empty");
  std::string why;
  Cluster* dest = pairPeer(e, source, ns, pair, &why);
  if (!dest) return fail(why);
  if (!schedName.empty() && msR) {
    if (Object remote = getObject(*dest, *msR, ns, schedName);
        remote && getBool(*remote, {"status", "applicationActivated"}))
      return fail("migrated applications are active on remote cluster");
  }
  std::string srcDomain = localDomain(source), dstDomain = localDomain(*dest);
  if (auto v = domainState(e, srcDomain); v.known && !v.active)
    return fail("cluster domain " + srcDomain + " of the source cluster is inactive");
  if (auto v = domainState(e, dstDomain); v.known && !v.active)
    return fail("cluster domain " + dstDomain + " of the destination cluster is inactive");

  std::vector<std::string> namespaces;
  if (const Val* nss = findPath(*mig, {"spec", "namespaces"}); nss && nss->IsArray())
    for (auto& n : nss->GetArray())
      if (n.IsString()) namespaces.emplace_back(n.GetString());
  auto nsR = resource(source, "", "namespaces");
  Val resources(rapidjson::kArrayType), volumes(rapidjson::kArrayType);
  Doc holder(rapidjson::kObjectType);
  auto& ha = holder.GetAllocator();
  int total = 0, done = 0;
  std::string migTime = nameTimeSuffix(at ? at : std::time(nullptr));
  for (auto& n : namespaces) {
    if (!getObject(source, *nsR, "", n)) continue;  // skipDeletedNamespaces
    ensureNamespace(source, *dest, n);
    migrateVolumes(source, dest, ns, name, n, includeVolumes, volumes, ha);
    if (!includeResources) continue;
    migrateResources(source, dest, ns, name, n, startApplications, migTime, resources, ha, total, done);
  }
  res.resources = done;
  res.status = done == total ? "Successful" : (done == 0 ? "Failed" : "PartialSuccess");
  if (res.status != "Successful") res.reason = "some resources failed to migrate";
  std::string finish = at ? rfc3339(at + 10) : nowRfc3339();
  size_t nVolumes = volumes.Size();
  modifyObject(source, *migR, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = objectMember(d, "status", a);
    setString(st, "stage", "Final", a);
    setString(st, "status", res.status, a);
    setMember(st, "resources", Val(resources, a), a);
    setMember(st, "volumes", Val(volumes, a), a);
    setString(st, "finishTimestamp", finish, a);
    setString(st, "volumeMigrationFinishTimestamp", migStart, a);
    setString(st, "resourceMigrationFinishTimestamp", finish, a);
    Val& sum = objectMember(st, "summary", a);
    setInt(sum, "totalNumberOfVolumes", static_cast<int64_t>(nVolumes), a);
    setInt(sum, "numOfMigratedVolumes", static_cast<int64_t>(nVolumes), a);
    setInt(sum, "totalNumberOfResources", total, a);
    setInt(sum, "numOfMigratedResources", done, a);
    setInt(sum, "totalBytesMigrated", 0, a);
    std::time_t t0 = parseRfc3339(migStart), t1 = parseRfc3339(finish);
    setString(sum, "elapsedTimeForVolumeMigration", "0s", a);
    setString(sum, "elapsedTimeForResourceMigration", std::to_string(t1 - t0) + "s", a);
    return true;
  });
  return res;
}

}  // namespace

MigrationResult executeMigration(Emulator& e, Cluster& source, const std::string& ns, const std::string& name,
                                 std::time_t at) {
  bool claimed = false;
  MigrationResult res = runMigration(e, source, ns, name, at, claimed);
  if (claimed) recordOutcome(source, ns, name, res);
  return res;
}

MigrationResult awaitMigrationOutcome(Cluster& source, const std::string& ns, const std::string& name,
                                      std::chrono::milliseconds timeout) {
  RecordedOutcomes::Key key{&source, ns, name, migrationUid(source, ns, name)};
  auto& rec = recordedOutcomes();
  std::unique_lock lk(rec.mu);
  if (rec.changed.wait_for(lk, timeout, [&] { return rec.byKey.count(key) > 0; })) return rec.byKey[key];
  MigrationResult res;
  res.name = name;
  if (auto migR = storkResource(source, "migrations"))
    if (Object mig = getObject(source, *migR, ns, name)) res.status = getString(*mig, {"status", "status"});
  return res;
}

}  // namespace emu::sim
