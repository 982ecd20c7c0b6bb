// Stork, as one Portworx cluster spanning the emulated clusters sees it: ClusterDomainUpdates flip a
// domain's state in every cluster's ClusterDomainsStatus; MigrationSchedules start Migrations on
// their SchedulePolicy; a Migration copies the namespaces' apps to the ClusterPair's cluster at 0
// replicas. Behaviour follows upstream Stork (pkg/migration/controllers, pkg/clusterdomains).
// This file: the helpers the parts share, the cluster domains, and one pass of everything
// (storkPass); Migrations are sim_stork_migration.cpp, MigrationSchedules sim_stork_schedule.cpp.
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

std::string canonicalHash(const Val& v) {
  // Member order of stored objects is stable, so the serialized form is a good enough identity.
  return std::to_string(fnv1a(toJson(v)));
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
