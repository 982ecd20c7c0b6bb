// Stork, as one Portworx cluster spanning the emulated clusters sees it: ClusterDomainUpdates flip a
// domain's state in every cluster's ClusterDomainsStatus; MigrationSchedules start Migrations on
// their SchedulePolicy; a Migration copies the namespaces' apps to the ClusterPair's cluster at 0
// replicas. Behaviour follows upstream Stork (pkg/migration/controllers, pkg/clusterdomains).
#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "sim.hpp"

namespace emu::sim {

namespace {

const char* const kResourceKinds[][3] = {
    // group, plural, kind — the order Stork applies them in does not matter here
    {"", "configmaps", "ConfigMap"},       {"", "services", "Service"},
    {"apps", "deployments", "Deployment"}, {"apps", "statefulsets", "StatefulSet"},
    {"batch", "cronjobs", "CronJob"},
};

bool isComplete(const std::string& status) {
  return status != "Pending" && status != "InProgress" && !status.empty();
}

// A core/v1 Event about an object, when the cluster serves events (Stork records its reasons there).
void recordEvent(Cluster& c, const std::string& ns, const Val& obj, const std::string& type,
                 const std::string& reason, const std::string& message) {
  auto evR = resource(c, "", "events");
  if (!evR) return;
  std::string name = getString(obj, {"metadata", "name"});
  Doc ev(rapidjson::kObjectType);
  auto& a = ev.GetAllocator();
  Val& md = objectMember(ev, "metadata", a);
  setString(md, "name", name + "." + randomHex(16), a);
  setString(md, "namespace", ns.empty() ? "default" : ns, a);
  Val& io = objectMember(ev, "involvedObject", a);
  setString(io, "apiVersion", getString(obj, {"apiVersion"}), a);
  setString(io, "kind", getString(obj, {"kind"}), a);
  setString(io, "name", name, a);
  if (!ns.empty()) setString(io, "namespace", ns, a);
  setString(io, "uid", getString(obj, {"metadata", "uid"}), a);
  setString(io, "resourceVersion", getString(obj, {"metadata", "resourceVersion"}), a);
  setString(ev, "type", type, a);
  setString(ev, "reason", reason, a);
  setString(ev, "message", message, a);
  setInt(ev, "count", 1, a);
  std::string now = nowRfc3339();
  setString(ev, "firstTimestamp", now, a);
  setString(ev, "lastTimestamp", now, a);
  setString(objectMember(ev, "source", a), "component", "stork", a);
  setString(ev, "reportingComponent", "stork", a);
  createObject(c, *evR, ev);
}

// Copies the namespace to the destination (labels and annotations) when it is missing there.
void ensureNamespace(Cluster& src, Cluster& dst, const std::string& ns) {
  auto nsR = resource(dst, "", "namespaces");
  if (getObject(dst, *nsR, "", ns)) return;
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Val& md = objectMember(d, "metadata", a);
  setString(md, "name", ns, a);
  if (Object s = getObject(src, *nsR, "", ns)) {
    for (const char* k : {"labels", "annotations"})
      if (const Val* v = findPath(*s, {"metadata", k}); v && v->IsObject())
        md.AddMember(str(k, a), Val(*v, a), a);
  }
  setString(objectMember(md, "labels", a), "kubernetes.io/metadata.name", ns, a);
  d.AddMember("spec", Val(rapidjson::kObjectType), a);
  Val fin(rapidjson::kArrayType);
  fin.PushBack(str("kubernetes", a), a);
  setMember(objectMember(d, "spec", a), "finalizers", std::move(fin), a);
  setString(objectMember(d, "status", a), "phase", "Active", a);
  createObject(dst, *nsR, d);
}

// What the resource collector keeps of an object: no server-set metadata, no status.
void stripForMigration(Doc& d) {
  auto& a = d.GetAllocator();
  if (Val* md = find(d, "metadata")) {
    for (const char* k :
         {"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
          "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers"})
      removeMember(*md, k);
  }
  removeMember(d, "status");
  if (getString(d, {"kind"}) == "Service") {
    if (Val* spec = find(d, "spec")) {
      if (getString(*spec, {"clusterIP"}) != "None") {
        removeMember(*spec, "clusterIP");
        removeMember(*spec, "clusterIPs");
      }
      removeMember(*spec, "healthCheckNodePort");
    }
  }
  (void)a;
}

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

std::string canonicalHash(const Val& v) {
  // Member order of stored objects is stable, so the serialized form is a good enough identity.
  return std::to_string(fnv1a(toJson(v)));
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

// The policy types in the order Stork checks them.
const char* const kPolicyTypes[] = {"Interval", "Daily", "Weekly", "Monthly"};

int weekday(const std::string& day) {
  static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string d;
  for (char ch : day) d += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (int i = 0; i < 7; ++i)
    if (d.rfind(names[i], 0) == 0) return i;
  return -1;
}

// "10:00PM" / "10:00pm" (Go's time.Kitchen) → hour, minute.
bool kitchen(const std::string& s, int& h, int& m) {
  char ap[3] = {0, 0, 0};
  if (std::sscanf(s.c_str(), "%d:%d%2c", &h, &m, ap) != 3) return false;
  bool pm = std::tolower(static_cast<unsigned char>(ap[0])) == 'p';
  if (h < 1 || h > 12 || m < 0 || m > 59) return false;
  h = h % 12 + (pm ? 12 : 0);
  return true;
}

// Upstream checkTrigger: due when the last trigger was before today's slot and the slot has passed.
bool slotDue(std::time_t last, std::time_t slot, std::time_t now) {
  return last < slot && now >= slot;
}

bool triggerRequired(const Val& policy, const std::string& type, std::time_t last, std::time_t now,
                     const StorkOptions& o) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  auto today = [&](int h, int m) {
    std::tm t = tm;
    t.tm_hour = h;
    t.tm_min = m;
    t.tm_sec = 0;
    return timegm(&t);
  };
  if (type == "Interval") {
    const Val* p = find(policy, "interval");
    if (!p || !p->IsObject()) return false;
    int64_t minutes = getInt(*p, {"intervalMinutes"});
    if (minutes < 1) return false;
    int64_t seconds = o.minutesAsSeconds ? minutes : minutes * 60;
    return last + seconds < now;
  }
  int h = 0, m = 0;
  if (type == "Daily") {
    const Val* p = find(policy, "daily");
    if (!p || !kitchen(getString(*p, {"time"}), h, m)) return false;
    return slotDue(last, today(h, m), now);
  }
  if (type == "Weekly") {
    const Val* p = find(policy, "weekly");
    if (!p || !kitchen(getString(*p, {"time"}), h, m)) return false;
    int day = weekday(getString(*p, {"day"}));
    if (day < 0) return false;
    std::time_t slot = today(h, m) + static_cast<std::time_t>((day - tm.tm_wday + 7) % 7) * 86400;
    if (slot > now) slot -= 7 * 86400;
    return slotDue(last, slot, now);
  }
  if (type == "Monthly") {
    const Val* p = find(policy, "monthly");
    if (!p || !kitchen(getString(*p, {"time"}), h, m)) return false;
    int date = static_cast<int>(getInt(*p, {"date"}));
    if (date < 1 || date > 31) return false;
    std::tm t = tm;
    t.tm_mday = date;
    t.tm_hour = h;
    t.tm_min = m;
    t.tm_sec = 0;
    std::time_t slot = timegm(&t);
    if (slot > now) {
      t.tm_mon -= 1;
      slot = timegm(&t);
    }
    return slotDue(last, slot, now);
  }
  return false;
}

}  // namespace

namespace {
std::string migrationName(const std::string& schedule, const std::string& type, std::time_t now) {
  std::string lower = type;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return schedule + "-" + lower + "-" + nameTimeSuffix(now);
}

}  // namespace

// Upstream startMigration: a Pending item in the schedule's status, then the Migration object
// (owned by the schedule, its spec the template's, the schedule's annotations plus its name).
std::string startMigration(Cluster& c, const Val& ms, const std::string& type, std::time_t now) {
  auto msR = storkResource(c, "migrationschedules");
  auto migR = storkResource(c, "migrations");
  std::string ns = getString(ms, {"metadata", "namespace"}), name = getString(ms, {"metadata", "name"});
  std::string migName = migrationName(name, type, now), nowStr = rfc3339(now);
  modifyObject(c, *msR, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = objectMember(d, "status", a);
    Val& its = objectMember(st, "items", a);
    if (!find(its, type) || !find(its, type)->IsArray()) setMember(its, type, Val(rapidjson::kArrayType), a);
    Val item(rapidjson::kObjectType);
    setString(item, "name", migName, a);
    setString(item, "creationTimestamp", nowStr, a);
    item.AddMember("finishTimestamp", Val(rapidjson::kNullType), a);
    setString(item, "status", "Pending", a);
    find(its, type)->PushBack(item, a);
    return true;
  });
  Doc m(rapidjson::kObjectType);
  auto& a = m.GetAllocator();
  Val& md = objectMember(m, "metadata", a);
  setString(md, "name", migName, a);
  setString(md, "namespace", ns, a);
  Val ann(rapidjson::kObjectType);
  if (const Val* an = findPath(ms, {"metadata", "annotations"}); an && an->IsObject()) ann.CopyFrom(*an, a);
  setString(ann, kAnnScheduleName, name, a);
  md.AddMember("annotations", ann, a);
  Val refs(rapidjson::kArrayType);
  Val ref(rapidjson::kObjectType);
  setString(ref, "apiVersion", "stork.libopenstorage.org/v1alpha1", a);
  setString(ref, "kind", "MigrationSchedule", a);
  setString(ref, "name", name, a);
  setString(ref, "uid", getString(ms, {"metadata", "uid"}), a);
  refs.PushBack(ref, a);
  md.AddMember("ownerReferences", refs, a);
  Val spec(rapidjson::kObjectType);
  if (const Val* s = findPath(ms, {"spec", "template", "spec"}); s && s->IsObject()) spec.CopyFrom(*s, a);
  m.AddMember("spec", spec, a);
  Val st(rapidjson::kObjectType);
  setString(st, "stage", "", a);
  setString(st, "status", "Pending", a);
  m.AddMember("status", st, a);
  createObject(c, *migR, m);
  return migName;
}

std::string localDomain(Cluster& c) {
  if (auto r = storkResource(c, "clusterdomainsstatuses"))
    for (auto& d : listDocs(c, *r)) {
      std::string l = getString(*d, {"status", "localDomain"});
      if (!l.empty()) return l;
    }
  return c.name();
}

DomainView domainState(Emulator& e, const std::string& domain) {
  DomainView v;
  for (auto* c : e.clusters()) {
    auto r = storkResource(*c, "clusterdomainsstatuses");
    if (!r) continue;
    for (auto& d : listDocs(*c, *r)) {
      const Val* infos = findPath(*d, {"status", "clusterDomainInfos"});
      if (!infos || !infos->IsArray()) continue;
      for (auto& i : infos->GetArray())
        if (getString(i, {"name"}) == domain) {
          v.known = true;
          v.active = getString(i, {"state"}) != "Inactive";
          return v;
        }
    }
  }
  return v;
}

Cluster* pairPeer(Emulator& e, Cluster& source, const std::string& ns, const std::string& pair,
                  std::string* reason) {
  auto fail = [&](const std::string& r) -> Cluster* {
    if (reason) *reason = r;
    return nullptr;
  };
  auto cpR = storkResource(source, "clusterpairs");
  if (!cpR) return fail("the cluster does not serve clusterpairs");
  Object cp = getObject(source, *cpR, ns, pair);
  if (!cp) return fail("clusterpairs.stork.libopenstorage.org \"" + pair + "\" not found");
  const Val* cfg = findPath(*cp, {"spec", "config"});
  if (!cfg || !cfg->IsObject()) return fail("ClusterPair " + pair + " has no spec.config");
  std::string ctx = getString(*cfg, {"current-context"});
  std::string clusterEntry;
  if (const Val* ctxs = find(*cfg, "contexts"); ctxs && ctxs->IsArray())
    for (auto& c : ctxs->GetArray())
      if (getString(c, {"name"}) == ctx) clusterEntry = getString(c, {"context", "cluster"});
  for (const std::string& n : {clusterEntry, ctx})
    if (!n.empty())
      if (Cluster* c = e.find_cluster(n); c && c != &source) return c;
  return fail("ClusterPair " + pair + " does not name an emulated cluster");
}

namespace {

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
    // volumes: Portworx replicates the data; Stork creates the claims, bound, on the destination
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
    if (!includeResources) continue;
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

std::string reconcileSchedule(Emulator& e, Cluster& c, const std::string& ns, const std::string& name,
                              const StorkOptions& o, std::time_t now, bool* active) {
  if (active) *active = false;
  auto msR = storkResource(c, "migrationschedules");
  auto migR = storkResource(c, "migrations");
  if (!msR || !migR) return "";
  Object ms = getObject(c, *msR, ns, name);
  if (!ms || !getString(*ms, {"metadata", "deletionTimestamp"}).empty()) return "";
  if (!annotation(*ms, kAnnStaticCopy).empty()) return "";  // the copy on the DR side: nothing to run
  auto suspended = [](const Val& d) {
    const Val* s = findPath(d, {"spec", "suspend"});
    return s && s->IsBool() && s->GetBool();
  };
  auto suspend = [&](const std::string& msg) {
    modifyObject(c, *msR, ns, name, [&](Doc& d) {
      setBool(objectMember(d, "spec", d.GetAllocator()), "suspend", true, d.GetAllocator());
      return true;
    });
    if (auto m = getObject(c, *msR, ns, name)) recordEvent(c, ns, *m, "Warning", "Suspended", msg);
  };
  if (!suspended(*ms)) {
    std::string pair = getString(*ms, {"spec", "template", "spec", "clusterPair"}), why;
    Cluster* peer = pairPeer(e, c, ns, pair, &why);
    if (!peer) {
      recordEvent(c, ns, *ms, "Warning", "Failed", why);
      if (active) *active = true;
      return "";
    }
    Object remote = getObject(*peer, *msR, ns, name);
    if (!remote) {
      ensureNamespace(c, *peer, ns);
      Doc copy;
      copy.CopyFrom(*ms, copy.GetAllocator());
      stripForMigration(copy);
      auto& a = copy.GetAllocator();
      setAnnotation(copy, kAnnStaticCopy, "true");
      Doc tmpl;
      if (const Val* t = findPath(*ms, {"spec", "template"})) tmpl.CopyFrom(*t, tmpl.GetAllocator());
      setAnnotation(copy, kAnnResourceHash, canonicalHash(tmpl));
      setBool(objectMember(copy, "spec", a), "suspend", true, a);
      Val st(rapidjson::kObjectType);
      st.AddMember("items", Val(rapidjson::kNullType), a);
      setBool(st, "applicationActivated", false, a);
      setMember(copy, "status", std::move(st), a);
      createObject(*peer, *msR, copy);
      remote = getObject(*peer, *msR, ns, name);
    }
    if (remote && annotation(*remote, kAnnStaticCopy) != "true") {
      recordEvent(
          c, ns, *ms, "Warning", "Failed",
          "a non static-copy migrationSchedule with the same name and namespace found in the remote cluster");
      if (active) *active = true;
      return "";
    }
    if (remote && getBool(*ms, {"spec", "autoSuspend"}) &&
        getBool(*remote, {"status", "applicationActivated"})) {
      suspend("Suspending migration schedule since migrated apps on remote cluster are active");
      return "";
    }
  }
  // the status of the migrations it started (read first: no store calls inside a mutation)
  std::string nowStr = rfc3339(now);
  std::map<std::string, std::string> outcome;  // migration → its status now
  if (const Val* items = findPath(*ms, {"status", "items"}); items && items->IsObject())
    for (auto& p : items->GetObject())
      if (p.value.IsArray())
        for (auto& it : p.value.GetArray()) {
          if (isComplete(getString(it, {"status"}))) continue;
          std::string st = "Failed";
          if (Object m = getObject(c, *migR, ns, getString(it, {"name"})))
            st = getString(*m, {"status", "status"});
          outcome[getString(it, {"name"})] = st.empty() ? "Pending" : st;
        }
  if (!outcome.empty())
    modifyObject(c, *msR, ns, name, [&](Doc& d) {
      Val* st0 = find(d, "status");
      Val* items = st0 ? find(*st0, "items") : nullptr;
      if (!items || !items->IsObject()) return false;
      auto& a = d.GetAllocator();
      for (auto& p : items->GetObject()) {
        if (!p.value.IsArray()) continue;
        for (auto& it : p.value.GetArray()) {
          auto o = outcome.find(getString(it, {"name"}));
          if (o == outcome.end() || isComplete(getString(it, {"status"}))) continue;
          setString(it, "status", o->second, a);
          if (isComplete(o->second)) setString(it, "finishTimestamp", nowStr, a);
        }
      }
      return true;
    });
  ms = getObject(c, *msR, ns, name);
  if (!ms) return "";
  std::string started;
  if (!suspended(*ms)) {
    if (active) *active = true;
    std::string domain = localDomain(c);
    if (auto v = domainState(e, domain); v.known && !v.active) {
      suspend("Suspending migration schedule since local clusterdomain is inactive");
      if (active) *active = false;
      return "";
    }
    auto spR = storkResource(c, "schedulepolicies");
    std::string policyName = getString(*ms, {"spec", "schedulePolicyName"});
    Object policy;
    if (spR) policy = getObject(c, *spR, "", policyName);
    const Val* items = findPath(*ms, {"status", "items"});
    bool running = false;
    if (items && items->IsObject())
      for (auto& p : items->GetObject())
        if (p.value.IsArray())
          for (auto& it : p.value.GetArray())
            if (!isComplete(getString(it, {"status"}))) running = true;
    const Val* pol = policy ? find(*policy, "policy") : nullptr;
    if (!running && pol) {
      for (const char* type : kPolicyTypes) {
        std::time_t last = 0;
        if (items && items->IsObject())
          if (const Val* list = find(*items, type); list && list->IsArray())
            for (auto& it : list->GetArray())
              last = std::max(last, parseRfc3339(getString(it, {"creationTimestamp"})));
        if (!triggerRequired(*pol, type, last, now, o)) continue;
        std::string migName = migrationName(name, type, now);
        if (getObject(c, *migR, ns, migName)) break;
        startMigration(c, *ms, type, now);
        started = migName;
        break;
      }
    }
  }
  // prune: per policy type keep the last successful migration and what came after it
  std::vector<std::string> prune;
  modifyObject(c, *msR, ns, name, [&](Doc& d) {
    Val* st = find(d, "status");
    Val* items = st ? find(*st, "items") : nullptr;
    if (!items || !items->IsObject()) return false;
    bool changed = false;
    for (auto& p : items->GetObject()) {
      if (!p.value.IsArray() || p.value.Size() < 2) continue;
      int n = static_cast<int>(p.value.Size()), keepFrom = 0;
      for (int i = n - 1; i >= 0; --i) {
        std::string s = getString(p.value[static_cast<rapidjson::SizeType>(i)], {"status"});
        if (s == "Successful" || s == "PartialSuccess") {
          keepFrom = i;
          break;
        }
      }
      if (keepFrom == 0) continue;
      for (int i = 0; i < keepFrom; ++i) {
        prune.push_back(getString(p.value[0], {"name"}));
        p.value.Erase(p.value.Begin());
      }
      changed = true;
    }
    return changed;
  });
  for (auto& m : prune) deleteObject(c, *migR, ns, m);
  return started;
}

std::vector<std::string> storkPass(Emulator& e, const StorkOptions& o, std::time_t now) {
  std::vector<std::string> started;
  for (auto* c : e.clusters()) {
    auto cduR = storkResource(*c, "clusterdomainupdates");
    if (!cduR) continue;
    for (auto& d : listDocs(*c, *cduR))
      if (getString(*d, {"status", "status"}).empty()) processClusterDomainUpdate(e, *c, nameOf(*d));
  }
  for (auto* c : e.clusters()) {
    auto migR = storkResource(*c, "migrations");
    if (!migR) continue;
    for (auto& d : listDocs(*c, *migR))
      if (!isComplete(getString(*d, {"status", "status"})))
        executeMigration(e, *c, namespaceOf(*d), nameOf(*d));
  }
  for (auto* c : e.clusters()) {
    auto msR = storkResource(*c, "migrationschedules");
    if (!msR) continue;
    for (auto& d : listDocs(*c, *msR)) {
      std::string m = reconcileSchedule(e, *c, namespaceOf(*d), nameOf(*d), o, now);
      if (!m.empty()) started.push_back(m);
    }
  }
  return started;
}

}  // namespace emu::sim

namespace emu::sim {

void ensureClusterDomainsStatus(Emulator& e, Cluster& c) {
  auto r = storkResource(c, "clusterdomainsstatuses");
  if (!r || !listDocs(c, *r).empty()) return;
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  setString(d, "apiVersion", "stork.libopenstorage.org/v1alpha1", a);
  setString(d, "kind", "ClusterDomainsStatus", a);
  setString(objectMember(d, "metadata", a), "name", "px-dr-cluster", a);
  Val& st = objectMember(d, "status", a);
  setString(st, "localDomain", c.name(), a);
  Val infos(rapidjson::kArrayType);
  for (auto& n : e.cluster_names()) {
    Val i(rapidjson::kObjectType);
    setString(i, "name", n, a);
    setString(i, "state", "Active", a);
    setString(i, "syncStatus", "InSync", a);
    infos.PushBack(i, a);
  }
  st.AddMember("clusterDomainInfos", infos, a);
  createObject(c, *r, d);
}

void processClusterDomainUpdate(Emulator& e, Cluster& origin, const std::string& name) {
  auto cduR = storkResource(origin, "clusterdomainupdates");
  if (!cduR) return;
  Object cdu = getObject(origin, *cduR, "", name);
  if (!cdu || !getString(*cdu, {"status", "status"}).empty() ||
      !getString(*cdu, {"metadata", "deletionTimestamp"}).empty())
    return;
  std::string domain = getString(*cdu, {"spec", "clusterdomain"});
  bool activate = getBool(*cdu, {"spec", "active"});
  std::string action = activate ? "activate" : "deactivate";
  auto view = domainState(e, domain);
  std::string status = "Successful", reason;
  if (!view.known) {
    status = "Failed";
    reason = "unable to " + action + " cluster domain: cluster domain " + domain + " not found";
  } else {
    for (auto* c : e.clusters()) {
      auto cdsR = storkResource(*c, "clusterdomainsstatuses");
      if (!cdsR) continue;
      for (auto& d : listDocs(*c, *cdsR)) {
        modifyObject(*c, *cdsR, "", nameOf(*d), [&](Doc& doc) {
          Val* st = find(doc, "status");
          Val* infos = st ? find(*st, "clusterDomainInfos") : nullptr;
          if (!infos || !infos->IsArray()) return false;
          auto& a = doc.GetAllocator();
          bool allActive = true;
          for (auto& i : infos->GetArray()) {
            if (getString(i, {"name"}) == domain) setString(i, "state", activate ? "Active" : "Inactive", a);
            if (getString(i, {"state"}) == "Inactive") allActive = false;
          }
          // Portworx cannot tell the sync state while a domain is out; it resyncs when all are back.
          for (auto& i : infos->GetArray())
            setString(i, "syncStatus", allActive ? "InSync" : "SyncStatusUnknown", a);
          return true;
        });
      }
    }
  }
  modifyObject(origin, *cduR, "", name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = objectMember(d, "status", a);
    setString(st, "status", status, a);
    if (!reason.empty()) setString(st, "reason", reason, a);
    return true;
  });
  if (!reason.empty())
    if (auto d = getObject(origin, *cduR, "", name)) recordEvent(origin, "", *d, "Warning", "Failed", reason);
}

}  // namespace emu::sim
