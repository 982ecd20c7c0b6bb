// The workload controllers of a real cluster, reduced to what kubectl and kubectl-dr observe:
// StatefulSet → pods <name>-<ordinal>; Deployment → ReplicaSet <name>-<hash> → pods
// <name>-<hash>-<rand5>; status fields following the pods; garbage collection of dependents.
#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "sim_workload_internal.hpp"

namespace emu::sim {

void WorkloadReconciler::forgetPod(const std::string& ns, const std::string& pod) {
  podBorn_.erase(ns + "/" + pod);
}

WorkloadStep WorkloadReconciler::reconcile(Cluster& c, const std::string& plural, const std::string& ns,
                                           const std::string& name, Clock::time_point now) {
  if (plural == "statefulsets") return statefulSet(c, ns, name, now);
  if (plural == "deployments") return deployment(c, ns, name, now);
  if (plural == "replicasets") return replicaSet(c, ns, name, now);
  return {};
}

void WorkloadReconciler::createPod(Cluster& c, Doc& pod, Clock::time_point now, WorkloadStep& step) {
  auto podsR = resource(c, "", "pods");
  bool running = delay_.count() <= 0;
  setPodStatus(pod, c.name(), running, nowRfc3339());
  std::string ns = getString(pod, {"metadata", "namespace"}), name = nameOf(pod);
  if (!createObject(c, *podsR, pod)) return;
  step.changed = true;
  if (!running) {
    podBorn_[ns + "/" + name] = now;
    WorkloadStep s;
    s.pending = true;
    s.readyAt = now + delay_;
    mergeStep(step, s);
  }
}

bool WorkloadReconciler::promote(Cluster& c, const Val& pod, Clock::time_point now, WorkloadStep& step) {
  if (isRunning(pod)) return true;
  if (getString(pod, {"status", "phase"}, "Pending") != "Pending") return false;
  std::string ns = getString(pod, {"metadata", "namespace"}), name = nameOf(pod);
  std::string key = ns + "/" + name;
  auto it = podBorn_.find(key);
  if (it != podBorn_.end() && now < it->second + delay_) {
    WorkloadStep s;
    s.pending = true;
    s.readyAt = it->second + delay_;
    mergeStep(step, s);
    return false;
  }
  auto podsR = resource(c, "", "pods");
  std::string cluster = c.name();
  if (modifyObject(c, *podsR, ns, name, [&](Doc& d) {
        if (getString(d, {"status", "phase"}, "Pending") != "Pending") return false;
        setPodStatus(d, cluster, true, nowRfc3339());
        return true;
      }))
    step.changed = true;
  podBorn_.erase(key);
  return true;
}

WorkloadStep WorkloadReconciler::statefulSet(Cluster& c, const std::string& ns, const std::string& name,
                                             Clock::time_point now) {
  WorkloadStep step;
  auto stsR = resource(c, "apps", "statefulsets");
  auto podsR = resource(c, "", "pods");
  std::vector<Object> all = listDocs(c, *podsR, ns);
  std::map<int, const Val*> pods;
  for (auto& p : all)
    if (ownedBy(*p, "StatefulSet", name)) {
      int ord = ordinalOf(nameOf(*p), name);
      if (ord >= 0) pods[ord] = p.get();
    }
  auto sts = getObject(c, *stsR, ns, name);
  if (!sts) {  // garbage collection of the dependents
    for (auto& [ord, p] : pods) {
      deleteObject(c, *podsR, ns, nameOf(*p));
      forgetPod(ns, nameOf(*p));
      step.changed = true;
    }
    return step;
  }
  int64_t replicas = std::max<int64_t>(0, getInt(*sts, {"spec", "replicas"}, 1));
  int64_t generation = getInt(*sts, {"metadata", "generation"}, 1);
  OwnerRef owner{"apps/v1", "StatefulSet", name, getString(*sts, {"metadata", "uid"})};
  const Val* tmpl = findPath(*sts, {"spec", "template"});
  Val empty(rapidjson::kObjectType);
  if (!tmpl) tmpl = &empty;
  std::string revision = name + "-" + podTemplateHash(*tmpl);
  ensureClaims(c, *sts, replicas);  // kept on scale-down, as the StatefulSet controller does
  // scale down: the highest ordinal first
  for (auto it = pods.rbegin(); it != pods.rend(); ++it) {
    if (it->first < replicas) continue;
    deleteObject(c, *podsR, ns, nameOf(*it->second));
    forgetPod(ns, nameOf(*it->second));
    step.changed = true;
  }
  int64_t existing = 0, ready = 0;
  for (int64_t i = 0; i < replicas; ++i) {
    auto it = pods.find(static_cast<int>(i));
    if (it == pods.end()) {
      std::string podName = name + "-" + std::to_string(i);
      std::map<std::string, std::string> extra{{"apps.kubernetes.io/pod-index", std::to_string(i)},
                                               {"controller-revision-hash", revision},
                                               {"statefulset.kubernetes.io/pod-name", podName}};
      Doc pod = podFromTemplate(c.name(), *tmpl, ns, podName, name + "-", owner, extra);
      auto& a = pod.GetAllocator();
      Val& spec = objectMember(pod, "spec", a);
      setString(spec, "hostname", podName, a);
      std::string svc = getString(*sts, {"spec", "serviceName"});
      if (!svc.empty()) setString(spec, "subdomain", svc, a);
      createPod(c, pod, now, step);
      ++existing;
      if (delay_.count() <= 0) ++ready;
    } else {
      ++existing;
      if (promote(c, *it->second, now, step)) ++ready;
    }
  }
  if (modifyObject(c, *stsR, ns, name, [&](Doc& d) {
        auto& a = d.GetAllocator();
        Val& st = objectMember(d, "status", a);
        setInt(st, "observedGeneration", generation, a);
        setInt(st, "replicas", existing, a);
        setCount(st, "readyReplicas", ready, true, a);
        setCount(st, "currentReplicas", existing, true, a);
        setCount(st, "updatedReplicas", existing, true, a);
        setInt(st, "availableReplicas", ready, a);
        setString(st, "currentRevision", revision, a);
        setString(st, "updateRevision", revision, a);
        setInt(st, "collisionCount", 0, a);
        return true;
      }))
    step.changed = true;
  return step;
}

WorkloadStep WorkloadReconciler::replicaSet(Cluster& c, const std::string& ns, const std::string& name,
                                            Clock::time_point now) {
  WorkloadStep step;
  auto rsR = resource(c, "apps", "replicasets");
  auto podsR = resource(c, "", "pods");
  std::vector<Object> all = listDocs(c, *podsR, ns);
  std::vector<const Val*> pods;
  for (auto& p : all)
    if (ownedBy(*p, "ReplicaSet", name) && getString(*p, {"metadata", "deletionTimestamp"}).empty())
      pods.push_back(p.get());
  auto rs = getObject(c, *rsR, ns, name);
  if (!rs) {
    for (auto* p : pods) {
      deleteObject(c, *podsR, ns, nameOf(*p));
      forgetPod(ns, nameOf(*p));
      step.changed = true;
    }
    return step;
  }
  int64_t replicas = std::max<int64_t>(0, getInt(*rs, {"spec", "replicas"}, 1));
  int64_t generation = getInt(*rs, {"metadata", "generation"}, 1);
  OwnerRef owner{"apps/v1", "ReplicaSet", name, getString(*rs, {"metadata", "uid"})};
  // scale down: not-ready pods first, then the newest
  if (static_cast<int64_t>(pods.size()) > replicas) {
    std::stable_sort(pods.begin(), pods.end(), [](const Val* a, const Val* b) {
      if (isRunning(*a) != isRunning(*b)) return !isRunning(*a);
      return getString(*a, {"metadata", "creationTimestamp"}) >
             getString(*b, {"metadata", "creationTimestamp"});
    });
    while (static_cast<int64_t>(pods.size()) > replicas) {
      deleteObject(c, *podsR, ns, nameOf(*pods.front()));
      forgetPod(ns, nameOf(*pods.front()));
      pods.erase(pods.begin());
      step.changed = true;
    }
  }
  int64_t existing = 0, ready = 0;
  for (auto* p : pods) {
    ++existing;
    if (promote(c, *p, now, step)) ++ready;
  }
  const Val* tmpl = findPath(*rs, {"spec", "template"});
  Val empty(rapidjson::kObjectType);
  if (!tmpl) tmpl = &empty;
  for (int64_t i = existing; i < replicas; ++i) {
    std::string podName;
    for (int attempt = 0; attempt < 10; ++attempt) {
      podName = name + "-" + randomSuffix(5);
      if (!getObject(c, *podsR, ns, podName)) break;
    }
    Doc pod = podFromTemplate(c.name(), *tmpl, ns, podName, name + "-", owner, {});
    createPod(c, pod, now, step);
    ++existing;
    if (delay_.count() <= 0) ++ready;
  }
  if (modifyObject(c, *rsR, ns, name, [&](Doc& d) {
        auto& a = d.GetAllocator();
        Val& st = objectMember(d, "status", a);
        setInt(st, "replicas", existing, a);
        setCount(st, "fullyLabeledReplicas", existing, true, a);
        setCount(st, "readyReplicas", ready, true, a);
        setCount(st, "availableReplicas", ready, true, a);
        setInt(st, "observedGeneration", generation, a);
        return true;
      }))
    step.changed = true;
  return step;
}

WorkloadStep WorkloadReconciler::deployment(Cluster& c, const std::string& ns, const std::string& name,
                                            Clock::time_point now) {
  WorkloadStep step;
  auto depR = resource(c, "apps", "deployments");
  auto rsR = resource(c, "apps", "replicasets");
  std::vector<Object> owned;
  for (auto& rs : listDocs(c, *rsR, ns))
    if (ownedBy(*rs, "Deployment", name)) owned.push_back(rs);
  auto dep = getObject(c, *depR, ns, name);
  if (!dep) {
    for (auto& rs : owned) {
      deleteObject(c, *rsR, ns, nameOf(*rs));
      mergeStep(step, replicaSet(c, ns, nameOf(*rs), now));
      step.changed = true;
    }
    return step;
  }
  int64_t replicas = std::max<int64_t>(0, getInt(*dep, {"spec", "replicas"}, 1));
  int64_t generation = getInt(*dep, {"metadata", "generation"}, 1);
  const Val* tmpl = findPath(*dep, {"spec", "template"});
  Val empty(rapidjson::kObjectType);
  if (!tmpl) tmpl = &empty;
  std::string hash = podTemplateHash(*tmpl);
  std::string current = name + "-" + hash;
  int64_t maxRevision = 0, currentRevision = 0;
  for (auto& rs : owned) {
    int64_t rev = std::atoll(annotation(*rs, "deployment.kubernetes.io/revision").c_str());
    maxRevision = std::max(maxRevision, rev);
    if (nameOf(*rs) == current) currentRevision = rev;
  }
  bool exists = std::any_of(owned.begin(), owned.end(), [&](auto& rs) { return nameOf(*rs) == current; });
  int64_t revision = currentRevision && currentRevision == maxRevision ? currentRevision : maxRevision + 1;
  if (!exists) {
    Doc rs = replicaSetFor(*dep, *tmpl, hash, replicas, revision);
    if (createObject(c, *rsR, rs)) step.changed = true;
  }
  for (auto& rs : owned) {
    std::string rsName = nameOf(*rs);
    bool isCurrent = rsName == current;
    int64_t want = isCurrent ? replicas : 0;
    if (modifyObject(c, *rsR, ns, rsName, [&](Doc& d) {
          auto& a = d.GetAllocator();
          Val& md = objectMember(d, "metadata", a);
          if (isCurrent) setNewReplicaSetAnnotations(*dep, md, revision, true, a);
          // scaleReplicaSet: a ReplicaSet whose size changes gets the replicas annotations
          if (getInt(d, {"spec", "replicas"}, 1) != want) setReplicasAnnotations(*dep, md, replicas, a);
          setInt(objectMember(d, "spec", a), "replicas", want, a);
          return true;
        }))
      step.changed = true;
  }
  // the replica sets' pods
  std::vector<std::string> names{current};
  for (auto& rs : owned)
    if (nameOf(*rs) != current) names.push_back(nameOf(*rs));
  int64_t total = 0, updated = 0, ready = 0;
  for (auto& rsName : names) {
    mergeStep(step, replicaSet(c, ns, rsName, now));
    if (auto rs = getObject(c, *rsR, ns, rsName)) {
      int64_t n = getInt(*rs, {"status", "replicas"});
      total += n;
      if (rsName == current) updated = n;
      ready += getInt(*rs, {"status", "readyReplicas"});
    }
  }
  std::string nowStr = nowRfc3339();
  if (modifyObject(c, *depR, ns, name, [&](Doc& d) {
        auto& a = d.GetAllocator();
        setAnnotation(d, "deployment.kubernetes.io/revision", std::to_string(revision));
        Val& st = objectMember(d, "status", a);
        setInt(st, "observedGeneration", generation, a);
        setCount(st, "replicas", total, true, a);
        setCount(st, "updatedReplicas", updated, true, a);
        setCount(st, "readyReplicas", ready, true, a);
        setCount(st, "availableReplicas", ready, true, a);
        setCount(st, "unavailableReplicas", std::max<int64_t>(0, total - ready), true, a);
        Val oldConds;
        if (const Val* oc = find(st, "conditions")) oldConds.CopyFrom(*oc, a);
        Val conds(rapidjson::kArrayType);
        bool available = ready >= replicas - replicas / 4;
        Val avail(rapidjson::kObjectType);
        setString(avail, "type", "Available", a);
        setString(avail, "status", available ? "True" : "False", a);
        setString(avail, "lastUpdateTime", nowStr, a);
        setString(avail, "lastTransitionTime", nowStr, a);
        setString(avail, "reason", available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", a);
        setString(avail, "message",
                  available ? "Deployment has minimum availability."
                            : "Deployment does not have minimum availability.",
                  a);
        putCondition(conds, std::move(avail), &oldConds, a);
        bool done = updated == replicas && ready >= replicas && total == replicas;
        Val prog(rapidjson::kObjectType);
        setString(prog, "type", "Progressing", a);
        setString(prog, "status", "True", a);
        setString(prog, "lastUpdateTime", nowStr, a);
        setString(prog, "lastTransitionTime", nowStr, a);
        setString(prog, "reason", done ? "NewReplicaSetAvailable" : "ReplicaSetUpdated", a);
        setString(
            prog, "message",
            "ReplicaSet \"" + current + (done ? "\" has successfully progressed." : "\" is progressing."), a);
        putCondition(conds, std::move(prog), &oldConds, a);
        setMember(st, "conditions", std::move(conds), a);
        return true;
      }))
    step.changed = true;
  return step;
}

void createDependents(Cluster& c, const std::string& plural, const Val& obj) {
  auto podsR = sim::resource(c, "", "pods");
  std::string ns = getString(obj, {"metadata", "namespace"}), name = nameOf(obj);
  int64_t replicas = std::max<int64_t>(0, getInt(obj, {"spec", "replicas"}, 1));
  const Val* tmpl = findPath(obj, {"spec", "template"});
  Val empty(rapidjson::kObjectType);
  if (!tmpl) tmpl = &empty;
  std::string now = nowRfc3339();
  if (plural == "statefulsets") {
    ensureClaims(c, obj, replicas);
    OwnerRef owner{"apps/v1", "StatefulSet", name, getString(obj, {"metadata", "uid"})};
    std::string revision = name + "-" + podTemplateHash(*tmpl);
    for (int64_t i = 0; i < replicas; ++i) {
      std::string podName = name + "-" + std::to_string(i);
      Doc pod = podFromTemplate(c.name(), *tmpl, ns, podName, name + "-", owner,
                                {{"apps.kubernetes.io/pod-index", std::to_string(i)},
                                 {"controller-revision-hash", revision},
                                 {"statefulset.kubernetes.io/pod-name", podName}});
      auto& a = pod.GetAllocator();
      setString(objectMember(pod, "spec", a), "hostname", podName, a);
      std::string svc = getString(obj, {"spec", "serviceName"});
      if (!svc.empty()) setString(objectMember(pod, "spec", a), "subdomain", svc, a);
      setPodStatus(pod, c.name(), true, now);
      createSeeded(c, *podsR, std::move(pod));
    }
  } else if (plural == "deployments") {
    auto rsR = sim::resource(c, "apps", "replicasets");
    std::string hash = podTemplateHash(*tmpl);
    Doc rs = replicaSetFor(obj, *tmpl, hash, replicas, 1);
    auto& a = rs.GetAllocator();
    Val& st = objectMember(rs, "status", a);
    setInt(st, "replicas", replicas, a);
    setCount(st, "fullyLabeledReplicas", replicas, true, a);
    setCount(st, "readyReplicas", replicas, true, a);
    setCount(st, "availableReplicas", replicas, true, a);
    setInt(st, "observedGeneration", 1, a);
    Object stored = createSeeded(c, *rsR, std::move(rs));
    if (!stored) return;
    const Val& rsDoc = *stored;
    OwnerRef owner{"apps/v1", "ReplicaSet", nameOf(rsDoc), getString(rsDoc, {"metadata", "uid"})};
    const Val* rsTmpl = findPath(rsDoc, {"spec", "template"});
    for (int64_t i = 0; i < replicas; ++i) {
      std::string podName = nameOf(rsDoc) + "-" + randomSuffix(5);
      Doc pod = podFromTemplate(c.name(), *rsTmpl, ns, podName, nameOf(rsDoc) + "-", owner, {});
      setPodStatus(pod, c.name(), true, now);
      createSeeded(c, *podsR, std::move(pod));
    }
  }
}

}  // namespace emu::sim

namespace emu::sim {

bool reconcileWorkload(Cluster& c, const std::string& plural, const std::string& ns,
                       const std::string& name) {
  WorkloadReconciler r(std::chrono::milliseconds(0));
  return r.reconcile(c, plural, ns, name).changed;
}

}  // namespace emu::sim
