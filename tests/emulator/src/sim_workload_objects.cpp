// The objects the workload controllers make: pods from templates (with the status the kubelet would
// report), ReplicaSets of Deployments with their annotations, a StatefulSet's claims.
#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "sim_workload_internal.hpp"

namespace emu::sim {

bool ownedBy(const Val& obj, const std::string& kind, const std::string& name) {
  const Val* refs = findPath(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->IsArray()) return false;
  for (auto& r : refs->GetArray())
    if (getString(r, {"kind"}) == kind && getString(r, {"name"}) == name) return true;
  return false;
}

namespace {

// JSON with object members sorted, so that equal templates hash equally whatever the member order.
// A null member is left out: the controller hashes the decoded Go struct, where null and absent
// are the same zero value (kubectl rollout undo sends the template with "creationTimestamp": null).
void canonical(const Val& v, std::string& out) {
  if (v.IsObject()) {
    std::vector<std::pair<std::string, const Val*>> members;
    for (auto& m : v.GetObject())
      if (!m.value.IsNull())
        members.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()), &m.value);
    std::sort(members.begin(), members.end(), [](auto& a, auto& b) { return a.first < b.first; });
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i) out += ',';
      out += quote(members[i].first);
      out += ':';
      canonical(*members[i].second, out);
    }
    out += '}';
  } else if (v.IsArray()) {
    out += '[';
    bool first = true;
    for (auto& e : v.GetArray()) {
      if (!first) out += ',';
      first = false;
      canonical(e, out);
    }
    out += ']';
  } else {
    out += toJson(v);
  }
}

std::string hex64(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b), static_cast<unsigned long long>(c),
                static_cast<unsigned long long>(d));
  return buf;
}

std::string sha256Like(std::string_view seed) {
  uint64_t h = fnv1a(seed);
  return hex64(h, fnv1a(seed, h), fnv1a(seed, h ^ 0x9e3779b97f4a7c15ULL), fnv1a(seed, ~h));
}

std::string ipFrom(uint64_t h, int first) {
  return std::to_string(first) + "." + std::to_string((h >> 16) % 250) + "." +
         std::to_string((h >> 8) % 256) + "." + std::to_string(h % 253 + 1);
}

Val condition(const char* type, bool status, const std::string& t, Alloc& a, const char* reason = nullptr,
              const std::string& message = "") {
  Val c(rapidjson::kObjectType);
  setString(c, "type", type, a);
  setString(c, "status", status ? "True" : "False", a);
  c.AddMember("lastProbeTime", Val(rapidjson::kNullType), a);
  setString(c, "lastTransitionTime", t, a);
  if (reason) setString(c, "reason", reason, a);
  if (!message.empty()) setString(c, "message", message, a);
  return c;
}

}  // namespace

// status of a pod: Pending (ContainerCreating) or Running and ready.
void setPodStatus(Doc& pod, const std::string& cluster, bool running, const std::string& now) {
  auto& a = pod.GetAllocator();
  std::string ns = getString(pod, {"metadata", "namespace"}), name = nameOf(pod);
  uint64_t h = fnv1a(cluster + "/" + ns + "/" + name);
  std::string node = getString(pod, {"spec", "nodeName"});
  std::string hostIp = ipFrom(fnv1a(cluster + "/" + node), 172);
  std::string started = getString(pod, {"status", "startTime"}, now);
  Val st(rapidjson::kObjectType);
  setString(st, "phase", running ? "Running" : "Pending", a);
  std::vector<std::string> names;
  if (const Val* cs = findPath(pod, {"spec", "containers"}); cs && cs->IsArray())
    for (auto& ctr : cs->GetArray()) names.push_back(getString(ctr, {"name"}));
  std::string unready = "containers with unready status: [";
  for (size_t i = 0; i < names.size(); ++i) unready += (i ? " " : "") + names[i];
  unready += "]";
  Val conds(rapidjson::kArrayType);
  conds.PushBack(condition("PodReadyToStartContainers", running, now, a), a);
  conds.PushBack(condition("Initialized", true, started, a), a);
  if (running) {
    conds.PushBack(condition("Ready", true, now, a), a);
    conds.PushBack(condition("ContainersReady", true, now, a), a);
  } else {
    conds.PushBack(condition("Ready", false, started, a, "ContainersNotReady", unready), a);
    conds.PushBack(condition("ContainersReady", false, started, a, "ContainersNotReady", unready), a);
  }
  conds.PushBack(condition("PodScheduled", true, started, a), a);
  st.AddMember("conditions", conds, a);
  setString(st, "hostIP", hostIp, a);
  Val hostIps(rapidjson::kArrayType);
  Val hip(rapidjson::kObjectType);
  setString(hip, "ip", hostIp, a);
  hostIps.PushBack(hip, a);
  st.AddMember("hostIPs", hostIps, a);
  if (running) {
    std::string podIp = ipFrom(h, 10);
    setString(st, "podIP", podIp, a);
    Val podIps(rapidjson::kArrayType);
    Val pip(rapidjson::kObjectType);
    setString(pip, "ip", podIp, a);
    podIps.PushBack(pip, a);
    st.AddMember("podIPs", podIps, a);
  }
  setString(st, "startTime", started, a);
  Val statuses(rapidjson::kArrayType);
  bool resources = false;
  if (const Val* cs = findPath(pod, {"spec", "containers"}); cs && cs->IsArray()) {
    for (auto& ctr : cs->GetArray()) {
      std::string cname = getString(ctr, {"name"}), image = getString(ctr, {"image"});
      if (const Val* r = find(ctr, "resources"); r && r->IsObject() && r->MemberCount() > 0) resources = true;
      Val s(rapidjson::kObjectType);
      if (running)
        setString(s, "containerID", "containerd://" + sha256Like(ns + "/" + name + "/" + cname), a);
      setString(s, "image", image.find('/') == std::string::npos ? "docker.io/library/" + image : image, a);
      setString(s, "imageID", running ? image + "@sha256:" + sha256Like(image) : "", a);
      s.AddMember("lastState", Val(rapidjson::kObjectType), a);
      setString(s, "name", cname, a);
      setBool(s, "ready", running, a);
      setInt(s, "restartCount", 0, a);
      setBool(s, "started", running, a);
      Val state(rapidjson::kObjectType);
      Val inner(rapidjson::kObjectType);
      if (running) {
        setString(inner, "startedAt", now, a);
        state.AddMember("running", inner, a);
      } else {
        setString(inner, "reason", "ContainerCreating", a);
        state.AddMember("waiting", inner, a);
      }
      s.AddMember("state", state, a);
      statuses.PushBack(s, a);
    }
  }
  st.AddMember("containerStatuses", statuses, a);
  setString(st, "qosClass", resources ? "Burstable" : "BestEffort", a);
  setMember(pod, "status", std::move(st), a);
}

// A pod as the kubelet-less control plane would create it from a template.
Doc podFromTemplate(const std::string& cluster, const Val& tmpl, const std::string& ns,
                    const std::string& name, const std::string& generateName, const OwnerRef& owner,
                    const std::map<std::string, std::string>& extraLabels) {
  Doc pod(rapidjson::kObjectType);
  auto& a = pod.GetAllocator();
  setString(pod, "apiVersion", "v1", a);
  setString(pod, "kind", "Pod", a);
  Val& md = objectMember(pod, "metadata", a);
  setString(md, "name", name, a);
  setString(md, "generateName", generateName, a);
  setString(md, "namespace", ns, a);
  Val labels(rapidjson::kObjectType);
  if (const Val* l = findPath(tmpl, {"metadata", "labels"}); l && l->IsObject()) labels.CopyFrom(*l, a);
  for (auto& [k, v] : extraLabels) setString(labels, k, v, a);
  md.AddMember("labels", labels, a);
  if (const Val* an = findPath(tmpl, {"metadata", "annotations"});
      an && an->IsObject() && an->MemberCount()) {
    Val copy;
    copy.CopyFrom(*an, a);
    md.AddMember("annotations", copy, a);
  }
  Val refs(rapidjson::kArrayType);
  Val ref(rapidjson::kObjectType);
  setString(ref, "apiVersion", owner.apiVersion, a);
  setString(ref, "kind", owner.kind, a);
  setString(ref, "name", owner.name, a);
  setString(ref, "uid", owner.uid, a);
  setBool(ref, "controller", true, a);
  setBool(ref, "blockOwnerDeletion", true, a);
  refs.PushBack(ref, a);
  md.AddMember("ownerReferences", refs, a);

  Val spec(rapidjson::kObjectType);
  if (const Val* s = find(tmpl, "spec"); s && s->IsObject()) spec.CopyFrom(*s, a);
  if (Val* cs = find(spec, "containers"); cs && cs->IsArray()) {
    for (auto& ctr : cs->GetArray()) {
      if (!ctr.IsObject()) continue;
      std::string image = getString(ctr, {"image"});
      auto colon = image.rfind(':');
      bool latest = colon == std::string::npos || image.find('/', colon) != std::string::npos ||
                    image.substr(colon + 1) == "latest";
      if (!find(ctr, "imagePullPolicy"))
        setString(ctr, "imagePullPolicy", latest ? "Always" : "IfNotPresent", a);
      if (!find(ctr, "resources")) ctr.AddMember("resources", Val(rapidjson::kObjectType), a);
      if (!find(ctr, "terminationMessagePath"))
        setString(ctr, "terminationMessagePath", "/dev/termination-log", a);
      if (!find(ctr, "terminationMessagePolicy")) setString(ctr, "terminationMessagePolicy", "File", a);
    }
  }
  auto def = [&](const char* k, const char* v) {
    if (!find(spec, k)) setString(spec, k, v, a);
  };
  def("restartPolicy", "Always");
  def("dnsPolicy", "ClusterFirst");
  def("schedulerName", "default-scheduler");
  def("serviceAccountName", "default");
  def("serviceAccount", getString(spec, {"serviceAccountName"}, "default").c_str());
  def("preemptionPolicy", "PreemptLowerPriority");
  if (!find(spec, "terminationGracePeriodSeconds")) setInt(spec, "terminationGracePeriodSeconds", 30, a);
  if (!find(spec, "securityContext")) spec.AddMember("securityContext", Val(rapidjson::kObjectType), a);
  if (!find(spec, "priority")) setInt(spec, "priority", 0, a);
  if (!find(spec, "enableServiceLinks")) setBool(spec, "enableServiceLinks", true, a);
  uint64_t h = fnv1a(cluster + "/" + ns + "/" + name);
  setString(spec, "nodeName", cluster + "-node-" + std::to_string(h % 3 + 1), a);
  setMember(pod, "spec", std::move(spec), a);
  return pod;
}

bool isRunning(const Val& pod) {
  return getString(pod, {"status", "phase"}) == "Running" &&
         getString(pod, {"metadata", "deletionTimestamp"}).empty();
}

int ordinalOf(const std::string& pod, const std::string& sts) {
  if (pod.size() <= sts.size() + 1 || pod.compare(0, sts.size() + 1, sts + "-") != 0) return -1;
  std::string tail = pod.substr(sts.size() + 1);
  if (tail.empty() || tail.size() > 9 || !std::all_of(tail.begin(), tail.end(), ::isdigit)) return -1;
  return std::stoi(tail);
}

// Sets an integer status field, dropping it when zero and Go's omitempty applies.
void setCount(Val& st, const char* key, int64_t n, bool omitEmpty, Alloc& a) {
  if (omitEmpty && n == 0)
    removeMember(st, key);
  else
    setInt(st, key, n, a);
}

void mergeStep(WorkloadStep& into, const WorkloadStep& s) {
  into.changed = into.changed || s.changed;
  if (s.pending) {
    if (!into.pending || s.readyAt < into.readyAt) into.readyAt = s.readyAt;
    into.pending = true;
  }
}

// Keeps a condition's timestamps when its status and reason did not change.
void putCondition(Val& conds, Val cond, const Val* oldConds, Alloc& a) {
  if (oldConds && oldConds->IsArray()) {
    for (auto& o : oldConds->GetArray()) {
      if (getString(o, {"type"}) != getString(cond, {"type"})) continue;
      if (getString(o, {"status"}) == getString(cond, {"status"}) &&
          getString(o, {"reason"}) == getString(cond, {"reason"})) {
        for (const char* k : {"lastUpdateTime", "lastTransitionTime"})
          if (const Val* t = find(o, k)) setMember(cond, k, Val(*t, a), a);
      }
    }
  }
  conds.PushBack(cond, a);
}

namespace {

// The annotations the Deployment controller does not copy from a Deployment onto its new
// ReplicaSet (annotationsToSkip in k8s.io/kubernetes pkg/controller/deployment/util).
bool skipCopyAnnotation(std::string_view key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" ||
         key == "deployment.kubernetes.io/revision" || key == "deployment.kubernetes.io/revision-history" ||
         key == "deployment.kubernetes.io/desired-replicas" ||
         key == "deployment.kubernetes.io/max-replicas" || key == "deprecated.deployment.rollback.to";
}

// copyDeploymentAnnotationsToReplicaSet: every annotation of the Deployment but the skipped ones
// lands on the ReplicaSet (added or overwritten, never removed). True when one changed.
bool copyDeploymentAnnotations(const Val& dep, Val& rsMeta, Alloc& a) {
  const Val* from = findPath(dep, {"metadata", "annotations"});
  if (!from || !from->IsObject()) return false;
  bool changed = false;
  Val& to = objectMember(rsMeta, "annotations", a);
  for (auto& m : from->GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (!m.value.IsString() || skipCopyAnnotation(key)) continue;
    std::string_view value(m.value.GetString(), m.value.GetStringLength());
    if (const Val* old = find(to, key);
        old && old->IsString() && std::string_view(old->GetString(), old->GetStringLength()) == value)
      continue;
    setString(to, key, value, a);
    changed = true;
  }
  return changed;
}

// MaxSurge of a Deployment: 0 unless RollingUpdate; an int, or a percentage of the replicas
// rounded up (ResolveFenceposts).
int64_t maxSurge(const Val& dep, int64_t replicas) {
  if (getString(dep, {"spec", "strategy", "type"}, "RollingUpdate") != "RollingUpdate") return 0;
  const Val* surge = findPath(dep, {"spec", "strategy", "rollingUpdate", "maxSurge"});
  if (!surge) return (replicas + 3) / 4;  // the default, 25%
  if (surge->IsInt64()) return std::max<int64_t>(0, surge->GetInt64());
  if (!surge->IsString()) return 0;
  std::string s = surge->GetString();
  if (s.empty() || s.back() != '%') return 0;  // refused by validation
  int64_t pct = std::atoll(s.c_str());
  return (pct * replicas + 99) / 100;
}

}  // namespace

// SetReplicasAnnotations: desired-replicas and max-replicas (replicas + MaxSurge).
bool setReplicasAnnotations(const Val& dep, Val& rsMeta, int64_t replicas, Alloc& a) {
  bool changed = false;
  Val& ann = objectMember(rsMeta, "annotations", a);
  std::pair<const char*, std::string> want[] = {
      {"deployment.kubernetes.io/desired-replicas", std::to_string(replicas)},
      {"deployment.kubernetes.io/max-replicas", std::to_string(replicas + maxSurge(dep, replicas))}};
  for (auto& [k, v] : want) {
    if (getString(ann, {k}) == v) continue;
    setString(ann, k, v, a);
    changed = true;
  }
  return changed;
}

// SetNewReplicaSetAnnotations: the Deployment's annotations, then the revision (only ever raised;
// a raised one that existed goes to revision-history, as on a rollback), then, for a ReplicaSet
// about to be created, the replicas annotations.
void setNewReplicaSetAnnotations(const Val& dep, Val& rsMeta, int64_t revision, bool exists, Alloc& a) {
  copyDeploymentAnnotations(dep, rsMeta, a);
  Val& ann = objectMember(rsMeta, "annotations", a);
  const Val* oldVal = find(ann, "deployment.kubernetes.io/revision");
  std::string oldRevision = oldVal && oldVal->IsString() ? oldVal->GetString() : "";
  int64_t oldInt = oldRevision.empty() ? 0 : std::atoll(oldRevision.c_str());
  if (oldInt < revision) {
    setString(ann, "deployment.kubernetes.io/revision", std::to_string(revision), a);
    if (oldVal) {
      constexpr size_t kMaxRevHistoryLengthInChars = 2000;
      std::string history = getString(ann, {"deployment.kubernetes.io/revision-history"});
      std::vector<std::string> revs;
      for (size_t start = 0;;) {
        size_t comma = history.find(',', start);
        revs.push_back(history.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (revs[0].empty()) {
        setString(ann, "deployment.kubernetes.io/revision-history", oldRevision, a);
      } else {
        size_t total = history.size() + oldRevision.size() + 1, first = 0;
        while (total > kMaxRevHistoryLengthInChars && first < revs.size()) total -= revs[first++].size() + 1;
        if (total <= kMaxRevHistoryLengthInChars) {
          std::string joined;
          for (size_t i = first; i < revs.size(); ++i) joined += revs[i] + ",";
          setString(ann, "deployment.kubernetes.io/revision-history", joined + oldRevision, a);
        }
      }
    }
  }
  if (!exists)
    setReplicasAnnotations(dep, rsMeta, std::max<int64_t>(0, getInt(dep, {"spec", "replicas"}, 1)), a);
}

// The ReplicaSet a Deployment owns for one pod template.
Doc replicaSetFor(const Val& dep, const Val& tmpl, const std::string& hash, int64_t replicas,
                  int64_t revision) {
  std::string name = getString(dep, {"metadata", "name"}), ns = getString(dep, {"metadata", "namespace"});
  std::string current = name + "-" + hash;
  Doc rs(rapidjson::kObjectType);
  auto& a = rs.GetAllocator();
  Val& md = objectMember(rs, "metadata", a);
  setString(md, "name", current, a);
  setString(md, "namespace", ns, a);
  Val labels(rapidjson::kObjectType);
  if (const Val* l = findPath(tmpl, {"metadata", "labels"}); l && l->IsObject()) labels.CopyFrom(*l, a);
  setString(labels, "pod-template-hash", hash, a);
  md.AddMember("labels", labels, a);
  setNewReplicaSetAnnotations(dep, md, revision, false, a);
  Val refs(rapidjson::kArrayType);
  Val ref(rapidjson::kObjectType);
  setString(ref, "apiVersion", "apps/v1", a);
  setString(ref, "kind", "Deployment", a);
  setString(ref, "name", name, a);
  setString(ref, "uid", getString(dep, {"metadata", "uid"}), a);
  setBool(ref, "controller", true, a);
  setBool(ref, "blockOwnerDeletion", true, a);
  refs.PushBack(ref, a);
  md.AddMember("ownerReferences", refs, a);
  Val& spec = objectMember(rs, "spec", a);
  setInt(spec, "replicas", replicas, a);
  Val sel(rapidjson::kObjectType);
  if (const Val* s = findPath(dep, {"spec", "selector"}); s && s->IsObject()) sel.CopyFrom(*s, a);
  setString(objectMember(sel, "matchLabels", a), "pod-template-hash", hash, a);
  spec.AddMember("selector", sel, a);
  Val t;
  t.CopyFrom(tmpl, a);
  setString(objectMember(objectMember(t, "metadata", a), "labels", a), "pod-template-hash", hash, a);
  spec.AddMember("template", t, a);
  return rs;
}

namespace {

// The claim a StatefulSet's volumeClaimTemplate gives ordinal i, bound at once (Portworx provisions).
Doc claimFor(const Val& sts, const Val& vct, int64_t i) {
  std::string sName = getString(sts, {"metadata", "name"}), ns = getString(sts, {"metadata", "namespace"});
  std::string name = getString(vct, {"metadata", "name"}) + "-" + sName + "-" + std::to_string(i);
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  setString(d, "apiVersion", "v1", a);
  setString(d, "kind", "PersistentVolumeClaim", a);
  Val& md = objectMember(d, "metadata", a);
  setString(md, "name", name, a);
  setString(md, "namespace", ns, a);
  if (const Val* l = findPath(sts, {"spec", "selector", "matchLabels"}); l && l->IsObject())
    md.AddMember("labels", Val(*l, a), a);
  Val& ann = objectMember(md, "annotations", a);
  setString(ann, "pv.kubernetes.io/bind-completed", "yes", a);
  setString(ann, "pv.kubernetes.io/bound-by-controller", "yes", a);
  setString(ann, "volume.beta.kubernetes.io/storage-provisioner", "pxd.portworx.com", a);
  setString(ann, "volume.kubernetes.io/storage-provisioner", "pxd.portworx.com", a);
  Val fin(rapidjson::kArrayType);
  fin.PushBack(str("kubernetes.io/pvc-protection", a), a);
  md.AddMember("finalizers", fin, a);
  Val spec(rapidjson::kObjectType);
  if (const Val* s = find(vct, "spec"); s && s->IsObject()) spec.CopyFrom(*s, a);
  if (!find(spec, "volumeMode")) setString(spec, "volumeMode", "Filesystem", a);
  uint64_t h = fnv1a(ns + "/" + name);
  std::string hex = sha256Like(ns + "/" + name);
  setString(spec, "volumeName",
            "pvc-" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                hex.substr(16, 4) + "-" + hex.substr(20, 12),
            a);
  (void)h;
  Val st(rapidjson::kObjectType);
  setString(st, "phase", "Bound", a);
  if (const Val* m = find(spec, "accessModes")) st.AddMember("accessModes", Val(*m, a), a);
  if (const Val* r = findPath(spec, {"resources", "requests"}); r && r->IsObject())
    st.AddMember("capacity", Val(*r, a), a);
  d.AddMember("spec", spec, a);
  d.AddMember("status", st, a);
  return d;
}

}  // namespace

void ensureClaims(Cluster& c, const Val& sts, int64_t replicas) {
  const Val* vcts = findPath(sts, {"spec", "volumeClaimTemplates"});
  if (!vcts || !vcts->IsArray() || vcts->Empty()) return;
  auto pvcR = resource(c, "", "persistentvolumeclaims");
  if (!pvcR) return;
  std::string ns = getString(sts, {"metadata", "namespace"}), sName = getString(sts, {"metadata", "name"});
  for (int64_t i = 0; i < replicas; ++i)
    for (auto& vct : vcts->GetArray()) {
      std::string name = getString(vct, {"metadata", "name"}) + "-" + sName + "-" + std::to_string(i);
      if (getObject(c, *pvcR, ns, name)) continue;
      Doc d = claimFor(sts, vct, i);
      createObject(c, *pvcR, d);
    }
}

std::string podTemplateHash(const Val& podTemplate) {
  std::string c;
  canonical(podTemplate, c);
  return safeEncode(fnv1a(c), 10);
}

}  // namespace emu::sim
