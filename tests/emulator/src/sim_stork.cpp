// Stork, as one Portworx cluster spanning the emulated clusters sees it: ClusterDomainUpdates flip a
// domain's state in every cluster's ClusterDomainsStatus; MigrationSchedules start Migrations on
// their SchedulePolicy; a Migration copies the namespaces' apps to the ClusterPair's cluster at 0
// replicas. Behaviour follows upstream Stork (pkg/migration/controllers, pkg/clusterdomains).
// This file: the helpers the parts share, the cluster domains, and one pass of everything
// (stork_pass); Migrations are sim_stork_migration.cpp, MigrationSchedules sim_stork_schedule.cpp.
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

bool is_complete(const std::string& status) {
  return status != "Pending" && status != "InProgress" && !status.empty();
}

// A core/v1 Event about an object, when the cluster serves events (Stork records its reasons there).
void record_event(Cluster& c, const std::string& ns, const Val& obj, const std::string& type,
                  const std::string& reason, const std::string& message) {
  auto ev_r = resource(c, "", "events");
  if (!ev_r) return;
  std::string name = get_string(obj, {"metadata", "name"});
  Doc ev(rapidjson::kObjectType);
  auto& a = ev.GetAllocator();
  add_metadata(ev, name + "." + random_hex(16), ns.empty() ? "default" : ns);
  Val& io = object_member(ev, "involvedObject", a);
  set_string(io, "apiVersion", get_string(obj, {"apiVersion"}), a);
  set_string(io, "kind", get_string(obj, {"kind"}), a);
  set_string(io, "name", name, a);
  if (!ns.empty()) set_string(io, "namespace", ns, a);
  set_string(io, "uid", get_string(obj, {"metadata", "uid"}), a);
  set_string(io, "resourceVersion", get_string(obj, {"metadata", "resourceVersion"}), a);
  set_string(ev, "type", type, a);
  set_string(ev, "reason", reason, a);
  set_string(ev, "message", message, a);
  set_int(ev, "count", 1, a);
  std::string now = now_rfc3339();
  set_string(ev, "firstTimestamp", now, a);
  set_string(ev, "lastTimestamp", now, a);
  set_string(object_member(ev, "source", a), "component", "stork", a);
  set_string(ev, "reportingComponent", "stork", a);
  create_object(c, *ev_r, ev);
}

// Copies the namespace to the destination (labels and annotations) when it is missing there.
void ensure_namespace(Cluster& src, Cluster& dst, const std::string& ns) {
  auto ns_r = resource(dst, "", "namespaces");
  if (get_object(dst, *ns_r, "", ns)) return;
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Val& md = object_member(d, "metadata", a);
  set_string(md, "name", ns, a);
  if (Object s = get_object(src, *ns_r, "", ns)) {
    for (const char* k : {"labels", "annotations"})
      if (const Val* v = find_path(*s, {"metadata", k}); v && v->IsObject())
        md.AddMember(str(k, a), Val(*v, a), a);
  }
  set_string(object_member(md, "labels", a), "kubernetes.io/metadata.name", ns, a);
  d.AddMember("spec", Val(rapidjson::kObjectType), a);
  Val fin(rapidjson::kArrayType);
  fin.PushBack(str("kubernetes", a), a);
  set_member(object_member(d, "spec", a), "finalizers", std::move(fin), a);
  set_string(object_member(d, "status", a), "phase", "Active", a);
  create_object(dst, *ns_r, d);
}

// What the resource collector keeps of an object: no server-set metadata, no status.
void strip_for_migration(Doc& d) {
  auto& a = d.GetAllocator();
  if (Val* md = find(d, "metadata")) {
    for (const char* k :
         {"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
          "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers"})
      remove_member(*md, k);
  }
  remove_member(d, "status");
  if (get_string(d, {"kind"}) == "Service") {
    if (Val* spec = find(d, "spec")) {
      if (get_string(*spec, {"clusterIP"}) != "None") {
        remove_member(*spec, "clusterIP");
        remove_member(*spec, "clusterIPs");
      }
      remove_member(*spec, "healthCheckNodePort");
    }
  }
  (void)a;
}

std::string canonical_hash(const Val& v) {
  // Member order of stored objects is stable, so the serialized form is a good enough identity.
  return std::to_string(fnv1a(to_json(v)));
}

std::string local_domain(Cluster& c) {
  if (auto r = stork_resource(c, "clusterdomainsstatuses"))
    for (auto& d : list_docs(c, *r)) {
      std::string l = get_string(*d, {"status", "localDomain"});
      if (!l.empty()) return l;
    }
  return c.name();
}

DomainView domain_state(Emulator& e, const std::string& domain) {
  DomainView v;
  for (auto* c : e.clusters()) {
    auto r = stork_resource(*c, "clusterdomainsstatuses");
    if (!r) continue;
    for (auto& d : list_docs(*c, *r)) {
      const Val* infos = find_path(*d, {"status", "clusterDomainInfos"});
      if (!infos || !infos->IsArray()) continue;
      for (auto& i : infos->GetArray())
        if (get_string(i, {"name"}) == domain) {
          v.known = true;
          v.active = get_string(i, {"state"}) != "Inactive";
          return v;
        }
    }
  }
  return v;
}

Cluster* pair_peer(Emulator& e, Cluster& source, const std::string& ns, const std::string& pair,
                   std::string* reason) {
  auto fail = [&](const std::string& r) -> Cluster* {
    if (reason) *reason = r;
    return nullptr;
  };
  auto cp_r = stork_resource(source, "clusterpairs");
  if (!cp_r) return fail("the cluster does not serve clusterpairs");
  Object cp = get_object(source, *cp_r, ns, pair);
  if (!cp) return fail("clusterpairs.stork.libopenstorage.org \"" + pair + "\" not found");
  const Val* cfg = find_path(*cp, {"spec", "config"});
  if (!cfg || !cfg->IsObject()) return fail("ClusterPair " + pair + " has no spec.config");
  std::string ctx = get_string(*cfg, {"current-context"});
  std::string cluster_entry;
  if (const Val* ctxs = find(*cfg, "contexts"); ctxs && ctxs->IsArray())
    for (auto& c : ctxs->GetArray())
      if (get_string(c, {"name"}) == ctx) cluster_entry = get_string(c, {"context", "cluster"});
  for (const std::string& n : {cluster_entry, ctx})
    if (!n.empty())
      if (Cluster* c = e.find_cluster(n); c && c != &source) return c;
  return fail("ClusterPair " + pair + " does not name an emulated cluster");
}

std::vector<std::string> stork_pass(Emulator& e, const StorkOptions& o, std::time_t now) {
  std::vector<std::string> started;
  for (auto* c : e.clusters()) {
    auto cdu_r = stork_resource(*c, "clusterdomainupdates");
    if (!cdu_r) continue;
    for (auto& d : list_docs(*c, *cdu_r))
      if (get_string(*d, {"status", "status"}).empty()) process_cluster_domain_update(e, *c, name_of(*d));
  }
  for (auto* c : e.clusters()) {
    auto mig_r = stork_resource(*c, "migrations");
    if (!mig_r) continue;
    for (auto& d : list_docs(*c, *mig_r))
      if (!is_complete(get_string(*d, {"status", "status"})))
        execute_migration(e, *c, namespace_of(*d), name_of(*d));
  }
  for (auto* c : e.clusters()) {
    auto ms_r = stork_resource(*c, "migrationschedules");
    if (!ms_r) continue;
    for (auto& d : list_docs(*c, *ms_r)) {
      std::string m = reconcile_schedule(e, *c, namespace_of(*d), name_of(*d), o, now);
      if (!m.empty()) started.push_back(m);
    }
  }
  return started;
}

void ensure_cluster_domains_status(Emulator& e, Cluster& c) {
  auto r = stork_resource(c, "clusterdomainsstatuses");
  if (!r || !list_docs(c, *r).empty()) return;
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  set_string(d, "apiVersion", "stork.libopenstorage.org/v1alpha1", a);
  set_string(d, "kind", "ClusterDomainsStatus", a);
  set_string(object_member(d, "metadata", a), "name", "px-dr-cluster", a);
  Val& st = object_member(d, "status", a);
  set_string(st, "localDomain", c.name(), a);
  Val infos(rapidjson::kArrayType);
  for (auto& n : e.cluster_names()) {
    Val i(rapidjson::kObjectType);
    set_string(i, "name", n, a);
    set_string(i, "state", "Active", a);
    set_string(i, "syncStatus", "InSync", a);
    infos.PushBack(i, a);
  }
  st.AddMember("clusterDomainInfos", infos, a);
  create_object(c, *r, d);
}

void process_cluster_domain_update(Emulator& e, Cluster& origin, const std::string& name) {
  auto cdu_r = stork_resource(origin, "clusterdomainupdates");
  if (!cdu_r) return;
  Object cdu = get_object(origin, *cdu_r, "", name);
  if (!cdu || !get_string(*cdu, {"status", "status"}).empty() ||
      !get_string(*cdu, {"metadata", "deletionTimestamp"}).empty())
    return;
  std::string domain = get_string(*cdu, {"spec", "clusterdomain"});
  bool activate = get_bool(*cdu, {"spec", "active"});
  std::string action = activate ? "activate" : "deactivate";
  auto view = domain_state(e, domain);
  std::string status = "Successful", reason;
  if (!view.known) {
    status = "Failed";
    reason = "unable to " + action + " cluster domain: cluster domain " + domain + " not found";
  } else {
    for (auto* c : e.clusters()) {
      auto cds_r = stork_resource(*c, "clusterdomainsstatuses");
      if (!cds_r) continue;
      for (auto& d : list_docs(*c, *cds_r)) {
        modify_object(*c, *cds_r, "", name_of(*d), [&](Doc& doc) {
          Val* st = find(doc, "status");
          Val* infos = st ? find(*st, "clusterDomainInfos") : nullptr;
          if (!infos || !infos->IsArray()) return false;
          auto& a = doc.GetAllocator();
          bool all_active = true;
          for (auto& i : infos->GetArray()) {
            if (get_string(i, {"name"}) == domain)
              set_string(i, "state", activate ? "Active" : "Inactive", a);
            if (get_string(i, {"state"}) == "Inactive") all_active = false;
          }
          // Portworx cannot tell the sync state while a domain is out; it resyncs when all are back.
          for (auto& i : infos->GetArray())
            set_string(i, "syncStatus", all_active ? "InSync" : "SyncStatusUnknown", a);
          return true;
        });
      }
    }
  }
  modify_object(origin, *cdu_r, "", name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = object_member(d, "status", a);
    set_string(st, "status", status, a);
    if (!reason.empty()) set_string(st, "reason", reason, a);
    return true;
  });
  if (!reason.empty())
    if (auto d = get_object(origin, *cdu_r, "", name))
      record_event(origin, "", *d, "Warning", "Failed", reason);
}

}  // namespace emu::sim
