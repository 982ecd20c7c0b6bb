// The workload controllers of a real cluster, reduced to what kubectl and kubectl-dr observe:
// StatefulSet → pods <name>-<ordinal>; Deployment → ReplicaSet <name>-<hash> → pods
// <name>-<hash>-<rand5>; status fields following the pods; garbage collection of dependents.
#include <algorithm>
#include <functional>
#include <map>
#include <string_view>
#include <vector>

#include "sim_workload_internal.hpp"

namespace emu::sim {

namespace {

// A workload's pod template ({} when it has none).
const Val& template_of(const Val& workload) {
  static const Val kNoTemplate(rapidjson::kObjectType);
  const Val* t = find_path(workload, {"spec", "template"});
  return t ? *t : kNoTemplate;
}

// Writes a workload's status: `fill` sets its fields. True when something was written.
bool write_status(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name,
                  const std::function<void(Val& status, Alloc& a)>& fill) {
  return modify_object(c, r, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    fill(object_member(d, "status", a), a);
    return true;
  });
}

}  // namespace

void WorkloadReconciler::forget_pod(const std::string& ns, const std::string& pod) {
  pod_born_.erase(ns + "/" + pod);
}

void WorkloadReconciler::delete_pod(Cluster& c, const ResourceType& pods, const std::string& ns,
                                    const std::string& pod, WorkloadStep& step) {
  delete_object(c, pods, ns, pod);
  forget_pod(ns, pod);
  step.changed = true;
}

WorkloadStep WorkloadReconciler::reconcile(Cluster& c, const std::string& plural, const std::string& ns,
                                           const std::string& name, Clock::time_point now) {
  if (plural == "statefulsets") return stateful_set(c, ns, name, now);
  if (plural == "deployments") return deployment(c, ns, name, now);
  if (plural == "replicasets") return replica_set(c, ns, name, now);
  return {};
}

void WorkloadReconciler::create_pod(Cluster& c, Doc& pod, Clock::time_point now, WorkloadStep& step) {
  auto pods_r = resource(c, "", "pods");
  bool running = delay_.count() <= 0;
  set_pod_status(pod, c.name(), running, now_rfc3339());
  std::string ns = get_string(pod, {"metadata", "namespace"}), name = name_of(pod);
  if (!create_object(c, *pods_r, pod)) return;
  step.changed = true;
  if (!running) {
    pod_born_[ns + "/" + name] = now;
    WorkloadStep s;
    s.pending = true;
    s.ready_at = now + delay_;
    merge_step(step, s);
  }
}

bool WorkloadReconciler::promote(Cluster& c, const Val& pod, Clock::time_point now, WorkloadStep& step) {
  if (is_running(pod)) return true;
  if (get_string(pod, {"status", "phase"}, "Pending") != "Pending") return false;
  std::string ns = get_string(pod, {"metadata", "namespace"}), name = name_of(pod);
  std::string key = ns + "/" + name;
  auto it = pod_born_.find(key);
  if (it != pod_born_.end() && now < it->second + delay_) {
    WorkloadStep s;
    s.pending = true;
    s.ready_at = it->second + delay_;
    merge_step(step, s);
    return false;
  }
  auto pods_r = resource(c, "", "pods");
  std::string cluster = c.name();
  if (modify_object(c, *pods_r, ns, name, [&](Doc& d) {
        if (get_string(d, {"status", "phase"}, "Pending") != "Pending") return false;
        set_pod_status(d, cluster, true, now_rfc3339());
        return true;
      }))
    step.changed = true;
  pod_born_.erase(key);
  return true;
}

WorkloadStep WorkloadReconciler::stateful_set(Cluster& c, const std::string& ns, const std::string& name,
                                              Clock::time_point now) {
  WorkloadStep step;
  auto sts_r = resource(c, "apps", "statefulsets");
  auto pods_r = resource(c, "", "pods");
  std::vector<Object> all = list_docs(c, *pods_r, ns);
  std::map<int, const Val*> pods;
  for (auto& p : all)
    if (owned_by(*p, "StatefulSet", name)) {
      int ord = ordinal_of(name_of(*p), name);
      if (ord >= 0) pods[ord] = p.get();
    }
  auto sts = get_object(c, *sts_r, ns, name);
  if (!sts) {  // garbage collection of the dependents
    for (auto& [ord, p] : pods) {
      delete_pod(c, *pods_r, ns, name_of(*p), step);
    }
    return step;
  }
  int64_t replicas = std::max<int64_t>(0, get_int(*sts, {"spec", "replicas"}, 1));
  int64_t generation = get_int(*sts, {"metadata", "generation"}, 1);
  OwnerRef owner{"apps/v1", "StatefulSet", name, get_string(*sts, {"metadata", "uid"})};
  const Val* tmpl = &template_of(*sts);
  std::string revision = name + "-" + pod_template_hash(*tmpl);
  ensure_claims(c, *sts, replicas);  // kept on scale-down, as the StatefulSet controller does
  // scale down: the highest ordinal first
  for (auto it = pods.rbegin(); it != pods.rend(); ++it) {
    if (it->first < replicas) continue;
    delete_pod(c, *pods_r, ns, name_of(*it->second), step);
  }
  int64_t existing = 0, ready = 0;
  for (int64_t i = 0; i < replicas; ++i) {
    auto it = pods.find(static_cast<int>(i));
    if (it == pods.end()) {
      std::string pod_name = name + "-" + std::to_string(i);
      std::map<std::string, std::string> extra{{"apps.kubernetes.io/pod-index", std::to_string(i)},
                                               {"controller-revision-hash", revision},
                                               {"statefulset.kubernetes.io/pod-name", pod_name}};
      Doc pod = pod_from_template(c.name(), *tmpl, ns, pod_name, name + "-", owner, extra);
      auto& a = pod.GetAllocator();
      Val& spec = object_member(pod, "spec", a);
      set_string(spec, "hostname", pod_name, a);
      std::string svc = get_string(*sts, {"spec", "serviceName"});
      if (!svc.empty()) set_string(spec, "subdomain", svc, a);
      create_pod(c, pod, now, step);
      ++existing;
      if (delay_.count() <= 0) ++ready;
    } else {
      ++existing;
      if (promote(c, *it->second, now, step)) ++ready;
    }
  }
  if (write_status(c, *sts_r, ns, name, [&](Val& st, Alloc& a) {
        set_int(st, "observedGeneration", generation, a);
        set_int(st, "replicas", existing, a);
        set_count(st, "readyReplicas", ready, true, a);
        set_count(st, "currentReplicas", existing, true, a);
        set_count(st, "updatedReplicas", existing, true, a);
        set_int(st, "availableReplicas", ready, a);
        set_string(st, "currentRevision", revision, a);
        set_string(st, "updateRevision", revision, a);
        set_int(st, "collisionCount", 0, a);
      }))
    step.changed = true;
  return step;
}

WorkloadStep WorkloadReconciler::replica_set(Cluster& c, const std::string& ns, const std::string& name,
                                             Clock::time_point now) {
  WorkloadStep step;
  auto rs_r = resource(c, "apps", "replicasets");
  auto pods_r = resource(c, "", "pods");
  std::vector<Object> all = list_docs(c, *pods_r, ns);
  std::vector<const Val*> pods;
  for (auto& p : all)
    if (owned_by(*p, "ReplicaSet", name) && get_string(*p, {"metadata", "deletionTimestamp"}).empty())
      pods.push_back(p.get());
  auto rs = get_object(c, *rs_r, ns, name);
  if (!rs) {
    for (auto* p : pods) {
      delete_pod(c, *pods_r, ns, name_of(*p), step);
    }
    return step;
  }
  int64_t replicas = std::max<int64_t>(0, get_int(*rs, {"spec", "replicas"}, 1));
  int64_t generation = get_int(*rs, {"metadata", "generation"}, 1);
  OwnerRef owner{"apps/v1", "ReplicaSet", name, get_string(*rs, {"metadata", "uid"})};
  // scale down: not-ready pods first, then the newest
  if (static_cast<int64_t>(pods.size()) > replicas) {
    std::stable_sort(pods.begin(), pods.end(), [](const Val* a, const Val* b) {
      if (is_running(*a) != is_running(*b)) return !is_running(*a);
      return get_string(*a, {"metadata", "creationTimestamp"}) >
             get_string(*b, {"metadata", "creationTimestamp"});
    });
    while (static_cast<int64_t>(pods.size()) > replicas) {
      delete_pod(c, *pods_r, ns, name_of(*pods.front()), step);
      pods.erase(pods.begin());
    }
  }
  int64_t existing = 0, ready = 0;
  for (auto* p : pods) {
    ++existing;
    if (promote(c, *p, now, step)) ++ready;
  }
  const Val* tmpl = &template_of(*rs);
  for (int64_t i = existing; i < replicas; ++i) {
    std::string pod_name;
    for (int attempt = 0; attempt < 10; ++attempt) {
      pod_name = name + "-" + random_suffix(5);
      if (!get_object(c, *pods_r, ns, pod_name)) break;
    }
    Doc pod = pod_from_template(c.name(), *tmpl, ns, pod_name, name + "-", owner, {});
    create_pod(c, pod, now, step);
    ++existing;
    if (delay_.count() <= 0) ++ready;
  }
  if (write_status(c, *rs_r, ns, name, [&](Val& st, Alloc& a) {
        set_int(st, "replicas", existing, a);
        set_count(st, "fullyLabeledReplicas", existing, true, a);
        set_count(st, "readyReplicas", ready, true, a);
        set_count(st, "availableReplicas", ready, true, a);
        set_int(st, "observedGeneration", generation, a);
      }))
    step.changed = true;
  return step;
}

WorkloadStep WorkloadReconciler::deployment(Cluster& c, const std::string& ns, const std::string& name,
                                            Clock::time_point now) {
  WorkloadStep step;
  auto dep_r = resource(c, "apps", "deployments");
  auto rs_r = resource(c, "apps", "replicasets");
  std::vector<Object> owned;
  for (auto& rs : list_docs(c, *rs_r, ns))
    if (owned_by(*rs, "Deployment", name)) owned.push_back(rs);
  auto dep = get_object(c, *dep_r, ns, name);
  if (!dep) {
    for (auto& rs : owned) {
      delete_object(c, *rs_r, ns, name_of(*rs));
      merge_step(step, replica_set(c, ns, name_of(*rs), now));
      step.changed = true;
    }
    return step;
  }
  int64_t replicas = std::max<int64_t>(0, get_int(*dep, {"spec", "replicas"}, 1));
  int64_t generation = get_int(*dep, {"metadata", "generation"}, 1);
  const Val* tmpl = &template_of(*dep);
  std::string hash = pod_template_hash(*tmpl);
  std::string current = name + "-" + hash;
  int64_t max_revision = 0, current_revision = 0;
  for (auto& rs : owned) {
    int64_t rev = std::atoll(annotation(*rs, "deployment.kubernetes.io/revision").c_str());
    max_revision = std::max(max_revision, rev);
    if (name_of(*rs) == current) current_revision = rev;
  }
  bool exists = std::any_of(owned.begin(), owned.end(), [&](auto& rs) { return name_of(*rs) == current; });
  int64_t revision =
      current_revision && current_revision == max_revision ? current_revision : max_revision + 1;
  if (!exists) {
    Doc rs = replica_set_for(*dep, *tmpl, hash, replicas, revision);
    if (create_object(c, *rs_r, rs)) step.changed = true;
  }
  for (auto& rs : owned) {
    std::string rs_name = name_of(*rs);
    bool is_current = rs_name == current;
    int64_t want = is_current ? replicas : 0;
    if (modify_object(c, *rs_r, ns, rs_name, [&](Doc& d) {
          auto& a = d.GetAllocator();
          Val& md = object_member(d, "metadata", a);
          if (is_current) set_new_replica_set_annotations(*dep, md, revision, true, a);
          // scaleReplicaSet: a ReplicaSet whose size changes gets the replicas annotations
          if (get_int(d, {"spec", "replicas"}, 1) != want) set_replicas_annotations(*dep, md, replicas, a);
          set_int(object_member(d, "spec", a), "replicas", want, a);
          return true;
        }))
      step.changed = true;
  }
  // the replica sets' pods
  std::vector<std::string> names{current};
  for (auto& rs : owned)
    if (name_of(*rs) != current) names.push_back(name_of(*rs));
  int64_t total = 0, updated = 0, ready = 0;
  for (auto& rs_name : names) {
    merge_step(step, replica_set(c, ns, rs_name, now));
    if (auto rs = get_object(c, *rs_r, ns, rs_name)) {
      int64_t n = get_int(*rs, {"status", "replicas"});
      total += n;
      if (rs_name == current) updated = n;
      ready += get_int(*rs, {"status", "readyReplicas"});
    }
  }
  std::string now_str = now_rfc3339();
  if (modify_object(c, *dep_r, ns, name, [&](Doc& d) {
        auto& a = d.GetAllocator();
        set_annotation(d, "deployment.kubernetes.io/revision", std::to_string(revision));
        Val& st = object_member(d, "status", a);
        set_int(st, "observedGeneration", generation, a);
        set_count(st, "replicas", total, true, a);
        set_count(st, "updatedReplicas", updated, true, a);
        set_count(st, "readyReplicas", ready, true, a);
        set_count(st, "availableReplicas", ready, true, a);
        set_count(st, "unavailableReplicas", std::max<int64_t>(0, total - ready), true, a);
        Val old_conds;
        if (const Val* oc = find(st, "conditions")) old_conds.CopyFrom(*oc, a);
        Val conds(rapidjson::kArrayType);
        bool available = ready >= replicas - replicas / 4;
        Val avail(rapidjson::kObjectType);
        set_string(avail, "type", "Available", a);
        set_string(avail, "status", available ? "True" : "False", a);
        set_string(avail, "lastUpdateTime", now_str, a);
        set_string(avail, "lastTransitionTime", now_str, a);
        set_string(avail, "reason", available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", a);
        set_string(avail, "message",
                   available ? "Deployment has minimum availability."
                             : "Deployment does not have minimum availability.",
                   a);
        put_condition(conds, std::move(avail), &old_conds, a);
        bool done = updated == replicas && ready >= replicas && total == replicas;
        Val prog(rapidjson::kObjectType);
        set_string(prog, "type", "Progressing", a);
        set_string(prog, "status", "True", a);
        set_string(prog, "lastUpdateTime", now_str, a);
        set_string(prog, "lastTransitionTime", now_str, a);
        set_string(prog, "reason", done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated", a);
        set_string(
            prog, "message",
            "ReplicaSet \"" + current + (done ? "\" has successfully progressed." : "\" is progressing."), a);
        put_condition(conds, std::move(prog), &old_conds, a);
        set_member(st, "conditions", std::move(conds), a);
        return true;
      }))
    step.changed = true;
  return step;
}

void create_dependents(Cluster& c, const std::string& plural, const Val& obj) {
  auto pods_r = sim::resource(c, "", "pods");
  std::string ns = get_string(obj, {"metadata", "namespace"}), name = name_of(obj);
  int64_t replicas = std::max<int64_t>(0, get_int(obj, {"spec", "replicas"}, 1));
  const Val* tmpl = &template_of(obj);
  std::string now = now_rfc3339();
  if (plural == "statefulsets") {
    ensure_claims(c, obj, replicas);
    OwnerRef owner{"apps/v1", "StatefulSet", name, get_string(obj, {"metadata", "uid"})};
    std::string revision = name + "-" + pod_template_hash(*tmpl);
    for (int64_t i = 0; i < replicas; ++i) {
      std::string pod_name = name + "-" + std::to_string(i);
      Doc pod = pod_from_template(c.name(), *tmpl, ns, pod_name, name + "-", owner,
                                  {{"apps.kubernetes.io/pod-index", std::to_string(i)},
                                   {"controller-revision-hash", revision},
                                   {"statefulset.kubernetes.io/pod-name", pod_name}});
      auto& a = pod.GetAllocator();
      set_string(object_member(pod, "spec", a), "hostname", pod_name, a);
      std::string svc = get_string(obj, {"spec", "serviceName"});
      if (!svc.empty()) set_string(object_member(pod, "spec", a), "subdomain", svc, a);
      set_pod_status(pod, c.name(), true, now);
      create_seeded(c, *pods_r, std::move(pod));
    }
  } else if (plural == "deployments") {
    auto rs_r = sim::resource(c, "apps", "replicasets");
    std::string hash = pod_template_hash(*tmpl);
    Doc rs = replica_set_for(obj, *tmpl, hash, replicas, 1);
    auto& a = rs.GetAllocator();
    Val& st = object_member(rs, "status", a);
    set_int(st, "replicas", replicas, a);
    set_count(st, "fullyLabeledReplicas", replicas, true, a);
    set_count(st, "readyReplicas", replicas, true, a);
    set_count(st, "availableReplicas", replicas, true, a);
    set_int(st, "observedGeneration", 1, a);
    Object stored = create_seeded(c, *rs_r, std::move(rs));
    if (!stored) return;
    const Val& rs_doc = *stored;
    OwnerRef owner{"apps/v1", "ReplicaSet", name_of(rs_doc), get_string(rs_doc, {"metadata", "uid"})};
    const Val* rs_tmpl = find_path(rs_doc, {"spec", "template"});
    for (int64_t i = 0; i < replicas; ++i) {
      std::string pod_name = name_of(rs_doc) + "-" + random_suffix(5);
      Doc pod = pod_from_template(c.name(), *rs_tmpl, ns, pod_name, name_of(rs_doc) + "-", owner, {});
      set_pod_status(pod, c.name(), true, now);
      create_seeded(c, *pods_r, std::move(pod));
    }
  }
}

}  // namespace emu::sim

namespace emu::sim {

bool reconcile_workload(Cluster& c, const std::string& plural, const std::string& ns,
                        const std::string& name) {
  WorkloadReconciler r(std::chrono::milliseconds(0));
  return r.reconcile(c, plural, ns, name).changed;
}

}  // namespace emu::sim
