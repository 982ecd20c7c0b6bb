// The objects the workload controllers make: pods from templates (with the status the kubelet would
// report), ReplicaSets of Deployments with their annotations, a StatefulSet's claims.
#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "sim_workload_internal.hpp"

namespace emu::sim {

bool owned_by(const Val& obj, const std::string& kind, const std::string& name) {
  const Val* refs = find_path(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->IsArray()) return false;
  for (auto& r : refs->GetArray())
    if (get_string(r, {"kind"}) == kind && get_string(r, {"name"}) == name) return true;
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
    out += to_json(v);
  }
}

std::string hex64(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b), static_cast<unsigned long long>(c),
                static_cast<unsigned long long>(d));
  return buf;
}

std::string sha256_like(std::string_view seed) {
  uint64_t h = fnv1a(seed);
  return hex64(h, fnv1a(seed, h), fnv1a(seed, h ^ 0x9e3779b97f4a7c15ULL), fnv1a(seed, ~h));
}

std::string ip_from(uint64_t h, int first) {
  return std::to_string(first) + "." + std::to_string((h >> 16) % 250) + "." +
         std::to_string((h >> 8) % 256) + "." + std::to_string(h % 253 + 1);
}

Val condition(const char* type, bool status, const std::string& t, Alloc& a, const char* reason = nullptr,
              const std::string& message = "") {
  Val c(rapidjson::kObjectType);
  set_string(c, "type", type, a);
  set_string(c, "status", status ? "True" : "False", a);
  c.AddMember("lastProbeTime", Val(rapidjson::kNullType), a);
  set_string(c, "lastTransitionTime", t, a);
  if (reason) set_string(c, "reason", reason, a);
  if (!message.empty()) set_string(c, "message", message, a);
  return c;
}

}  // namespace

namespace {

// [{"ip": ip}]: a pod's hostIPs or podIPs.
Val ip_list(const std::string& ip, Alloc& a) {
  Val list(rapidjson::kArrayType);
  Val entry(rapidjson::kObjectType);
  set_string(entry, "ip", ip, a);
  list.PushBack(entry, a);
  return list;
}

}  // namespace

// status of a pod: Pending (ContainerCreating) or Running and ready.
void set_pod_status(Doc& pod, const std::string& cluster, bool running, const std::string& now) {
  auto& a = pod.GetAllocator();
  std::string ns = get_string(pod, {"metadata", "namespace"}), name = name_of(pod);
  uint64_t h = fnv1a(cluster + "/" + ns + "/" + name);
  std::string node = get_string(pod, {"spec", "nodeName"});
  std::string host_ip = ip_from(fnv1a(cluster + "/" + node), 172);
  std::string started = get_string(pod, {"status", "startTime"}, now);
  Val st(rapidjson::kObjectType);
  set_string(st, "phase", running ? "Running" : "Pending", a);
  std::vector<std::string> names;
  if (const Val* cs = find_path(pod, {"spec", "containers"}); cs && cs->IsArray())
    for (auto& ctr : cs->GetArray()) names.push_back(get_string(ctr, {"name"}));
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
  set_string(st, "hostIP", host_ip, a);
  st.AddMember("hostIPs", ip_list(host_ip, a), a);
  if (running) {
    std::string pod_ip = ip_from(h, 10);
    set_string(st, "podIP", pod_ip, a);
    st.AddMember("podIPs", ip_list(pod_ip, a), a);
  }
  set_string(st, "startTime", started, a);
  Val statuses(rapidjson::kArrayType);
  bool resources = false;
  if (const Val* cs = find_path(pod, {"spec", "containers"}); cs && cs->IsArray()) {
    for (auto& ctr : cs->GetArray()) {
      std::string cname = get_string(ctr, {"name"}), image = get_string(ctr, {"image"});
      if (const Val* r = find(ctr, "resources"); r && r->IsObject() && r->MemberCount() > 0) resources = true;
      Val s(rapidjson::kObjectType);
      if (running)
        set_string(s, "containerID", "containerd://" + sha256_like(ns + "/" + name + "/" + cname), a);
      set_string(s, "image", image.find('/') == std::string::npos ? "docker.io/library/" + image : image, a);
      set_string(s, "imageID", running ? image + "@sha256:" + sha256_like(image) : "", a);
      s.AddMember("lastState", Val(rapidjson::kObjectType), a);
      set_string(s, "name", cname, a);
      set_bool(s, "ready", running, a);
      set_int(s, "restartCount", 0, a);
      set_bool(s, "started", running, a);
      Val state(rapidjson::kObjectType);
      Val inner(rapidjson::kObjectType);
      if (running) {
        set_string(inner, "startedAt", now, a);
        state.AddMember("running", inner, a);
      } else {
        set_string(inner, "reason", "ContainerCreating", a);
        state.AddMember("waiting", inner, a);
      }
      s.AddMember("state", state, a);
      statuses.PushBack(s, a);
    }
  }
  st.AddMember("containerStatuses", statuses, a);
  set_string(st, "qosClass", resources ? "Burstable" : "BestEffort", a);
  set_member(pod, "status", std::move(st), a);
}

// A pod as the kubelet-less control plane would create it from a template.
Doc pod_from_template(const std::string& cluster, const Val& tmpl, const std::string& ns,
                      const std::string& name, const std::string& generate_name, const OwnerRef& owner,
                      const std::map<std::string, std::string>& extra_labels) {
  Doc pod(rapidjson::kObjectType);
  auto& a = pod.GetAllocator();
  set_string(pod, "apiVersion", "v1", a);
  set_string(pod, "kind", "Pod", a);
  Val& md = object_member(pod, "metadata", a);
  set_string(md, "name", name, a);
  set_string(md, "generateName", generate_name, a);
  set_string(md, "namespace", ns, a);
  Val labels = object_copy_at(tmpl, {"metadata", "labels"}, a);
  for (auto& [k, v] : extra_labels) set_string(labels, k, v, a);
  md.AddMember("labels", labels, a);
  if (const Val* an = find_path(tmpl, {"metadata", "annotations"});
      an && an->IsObject() && an->MemberCount()) {
    Val copy;
    copy.CopyFrom(*an, a);
    md.AddMember("annotations", copy, a);
  }
  add_owner_reference(md, owner, true, a);

  Val spec = object_copy_at(tmpl, {"spec"}, a);
  if (Val* cs = find(spec, "containers"); cs && cs->IsArray()) {
    for (auto& ctr : cs->GetArray()) {
      if (!ctr.IsObject()) continue;
      std::string image = get_string(ctr, {"image"});
      auto colon = image.rfind(':');
      bool latest = colon == std::string::npos || image.find('/', colon) != std::string::npos ||
                    image.substr(colon + 1) == "latest";
      if (!find(ctr, "imagePullPolicy"))
        set_string(ctr, "imagePullPolicy", latest ? "Always" : "IfNotPresent", a);
      if (!find(ctr, "resources")) ctr.AddMember("resources", Val(rapidjson::kObjectType), a);
      if (!find(ctr, "terminationMessagePath"))
        set_string(ctr, "terminationMessagePath", "/dev/termination-log", a);
      if (!find(ctr, "terminationMessagePolicy")) set_string(ctr, "terminationMessagePolicy", "File", a);
    }
  }
  auto def = [&](const char* k, const char* v) {
    if (!find(spec, k)) set_string(spec, k, v, a);
  };
  def("restartPolicy", "Always");
  def("dnsPolicy", "ClusterFirst");
  def("schedulerName", "default-scheduler");
  def("serviceAccountName", "default");
  def("serviceAccount", get_string(spec, {"serviceAccountName"}, "default").c_str());
  def("preemptionPolicy", "PreemptLowerPriority");
  if (!find(spec, "terminationGracePeriodSeconds")) set_int(spec, "terminationGracePeriodSeconds", 30, a);
  if (!find(spec, "securityContext")) spec.AddMember("securityContext", Val(rapidjson::kObjectType), a);
  if (!find(spec, "priority")) set_int(spec, "priority", 0, a);
  if (!find(spec, "enableServiceLinks")) set_bool(spec, "enableServiceLinks", true, a);
  uint64_t h = fnv1a(cluster + "/" + ns + "/" + name);
  set_string(spec, "nodeName", cluster + "-node-" + std::to_string(h % 3 + 1), a);
  set_member(pod, "spec", std::move(spec), a);
  return pod;
}

bool is_running(const Val& pod) {
  return get_string(pod, {"status", "phase"}) == "Running" &&
         get_string(pod, {"metadata", "deletionTimestamp"}).empty();
}

int ordinal_of(const std::string& pod, const std::string& sts) {
  if (pod.size() <= sts.size() + 1 || pod.compare(0, sts.size() + 1, sts + "-") != 0) return -1;
  std::string tail = pod.substr(sts.size() + 1);
  if (tail.empty() || tail.size() > 9 || !std::all_of(tail.begin(), tail.end(), ::isdigit)) return -1;
  return std::stoi(tail);
}

// Sets an integer status field, dropping it when zero and Go's omitempty applies.
void set_count(Val& st, const char* key, int64_t n, bool omit_empty, Alloc& a) {
  if (omit_empty && n == 0)
    remove_member(st, key);
  else
    set_int(st, key, n, a);
}

void merge_step(WorkloadStep& into, const WorkloadStep& s) {
  into.changed = into.changed || s.changed;
  if (s.pending) {
    if (!into.pending || s.ready_at < into.ready_at) into.ready_at = s.ready_at;
    into.pending = true;
  }
}

// Keeps a condition's timestamps when its status and reason did not change.
void put_condition(Val& conds, Val cond, const Val* old_conds, Alloc& a) {
  if (old_conds && old_conds->IsArray()) {
    for (auto& o : old_conds->GetArray()) {
      if (get_string(o, {"type"}) != get_string(cond, {"type"})) continue;
      if (get_string(o, {"status"}) == get_string(cond, {"status"}) &&
          get_string(o, {"reason"}) == get_string(cond, {"reason"})) {
        for (const char* k : {"lastUpdateTime", "lastTransitionTime"})
          if (const Val* t = find(o, k)) set_member(cond, k, Val(*t, a), a);
      }
    }
  }
  conds.PushBack(cond, a);
}

namespace {

// The annotations the Deployment controller does not copy from a Deployment onto its new
// ReplicaSet (annotationsToSkip in k8s.io/kubernetes pkg/controller/deployment/util).
bool skip_copy_annotation(std::string_view key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" ||
         key == "deployment.kubernetes.io/revision" || key == "deployment.kubernetes.io/revision-history" ||
         key == "deployment.kubernetes.io/desired-replicas" ||
         key == "deployment.kubernetes.io/max-replicas" || key == "deprecated.deployment.rollback.to";
}

// copyDeploymentAnnotationsToReplicaSet: every annotation of the Deployment but the skipped ones
// lands on the ReplicaSet (added or overwritten, never removed). True when one changed.
bool copy_deployment_annotations(const Val& dep, Val& rs_meta, Alloc& a) {
  const Val* from = find_path(dep, {"metadata", "annotations"});
  if (!from || !from->IsObject()) return false;
  bool changed = false;
  Val& to = object_member(rs_meta, "annotations", a);
  for (auto& m : from->GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (!m.value.IsString() || skip_copy_annotation(key)) continue;
    std::string_view value(m.value.GetString(), m.value.GetStringLength());
    if (const Val* old = find(to, key);
        old && old->IsString() && std::string_view(old->GetString(), old->GetStringLength()) == value)
      continue;
    set_string(to, key, value, a);
    changed = true;
  }
  return changed;
}

// MaxSurge of a Deployment: 0 unless RollingUpdate; an int, or a percentage of the replicas
// rounded up (ResolveFenceposts).
int64_t max_surge(const Val& dep, int64_t replicas) {
  if (get_string(dep, {"spec", "strategy", "type"}, "RollingUpdate") != "RollingUpdate") return 0;
  const Val* surge = find_path(dep, {"spec", "strategy", "rollingUpdate", "maxSurge"});
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
bool set_replicas_annotations(const Val& dep, Val& rs_meta, int64_t replicas, Alloc& a) {
  bool changed = false;
  Val& ann = object_member(rs_meta, "annotations", a);
  std::pair<const char*, std::string> want[] = {
      {"deployment.kubernetes.io/desired-replicas", std::to_string(replicas)},
      {"deployment.kubernetes.io/max-replicas", std::to_string(replicas + max_surge(dep, replicas))}};
  for (auto& [k, v] : want) {
    if (get_string(ann, {k}) == v) continue;
    set_string(ann, k, v, a);
    changed = true;
  }
  return changed;
}

// SetNewReplicaSetAnnotations: the Deployment's annotations, then the revision (only ever raised;
// a raised one that existed goes to revision-history, as on a rollback), then, for a ReplicaSet
// about to be created, the replicas annotations.
void set_new_replica_set_annotations(const Val& dep, Val& rs_meta, int64_t revision, bool exists, Alloc& a) {
  copy_deployment_annotations(dep, rs_meta, a);
  Val& ann = object_member(rs_meta, "annotations", a);
  const Val* old_val = find(ann, "deployment.kubernetes.io/revision");
  std::string old_revision = old_val && old_val->IsString() ? old_val->GetString() : "";
  int64_t old_int = old_revision.empty() ? 0 : std::atoll(old_revision.c_str());
  if (old_int < revision) {
    set_string(ann, "deployment.kubernetes.io/revision", std::to_string(revision), a);
    if (old_val) {
      constexpr size_t kMaxRevHistoryLengthInChars = 2000;
      std::string history = get_string(ann, {"deployment.kubernetes.io/revision-history"});
      std::vector<std::string> revs;
      for (size_t start = 0;;) {
        size_t comma = history.find(',', start);
        revs.push_back(history.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (revs[0].empty()) {
        set_string(ann, "deployment.kubernetes.io/revision-history", old_revision, a);
      } else {
        size_t total = history.size() + old_revision.size() + 1, first = 0;
        while (total > kMaxRevHistoryLengthInChars && first < revs.size()) total -= revs[first++].size() + 1;
        if (total <= kMaxRevHistoryLengthInChars) {
          std::string joined;
          for (size_t i = first; i < revs.size(); ++i) joined += revs[i] + ",";
          set_string(ann, "deployment.kubernetes.io/revision-history", joined + old_revision, a);
        }
      }
    }
  }
  if (!exists)
    set_replicas_annotations(dep, rs_meta, std::max<int64_t>(0, get_int(dep, {"spec", "replicas"}, 1)), a);
}

// The ReplicaSet a Deployment owns for one pod template.
Doc replica_set_for(const Val& dep, const Val& tmpl, const std::string& hash, int64_t replicas,
                    int64_t revision) {
  std::string name = get_string(dep, {"metadata", "name"}), ns = get_string(dep, {"metadata", "namespace"});
  std::string current = name + "-" + hash;
  Doc rs(rapidjson::kObjectType);
  auto& a = rs.GetAllocator();
  Val& md = add_metadata(rs, current, ns);
  Val labels = object_copy_at(tmpl, {"metadata", "labels"}, a);
  set_string(labels, "pod-template-hash", hash, a);
  md.AddMember("labels", labels, a);
  set_new_replica_set_annotations(dep, md, revision, false, a);
  add_owner_reference(md, OwnerRef{"apps/v1", "Deployment", name, get_string(dep, {"metadata", "uid"})}, true,
                      a);
  Val& spec = object_member(rs, "spec", a);
  set_int(spec, "replicas", replicas, a);
  Val sel = object_copy_at(dep, {"spec", "selector"}, a);
  set_string(object_member(sel, "matchLabels", a), "pod-template-hash", hash, a);
  spec.AddMember("selector", sel, a);
  Val t;
  t.CopyFrom(tmpl, a);
  set_string(object_member(object_member(t, "metadata", a), "labels", a), "pod-template-hash", hash, a);
  spec.AddMember("template", t, a);
  return rs;
}

namespace {

// The claim a StatefulSet's volumeClaimTemplate gives ordinal i, bound at once (Portworx provisions).
Doc claim_for(const Val& sts, const Val& vct, int64_t i) {
  std::string s_name = get_string(sts, {"metadata", "name"}), ns = get_string(sts, {"metadata", "namespace"});
  std::string name = get_string(vct, {"metadata", "name"}) + "-" + s_name + "-" + std::to_string(i);
  Doc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  set_string(d, "apiVersion", "v1", a);
  set_string(d, "kind", "PersistentVolumeClaim", a);
  Val& md = add_metadata(d, name, ns);
  if (const Val* l = find_path(sts, {"spec", "selector", "matchLabels"}); l && l->IsObject())
    md.AddMember("labels", Val(*l, a), a);
  Val& ann = object_member(md, "annotations", a);
  set_string(ann, "pv.kubernetes.io/bind-completed", "yes", a);
  set_string(ann, "pv.kubernetes.io/bound-by-controller", "yes", a);
  set_string(ann, "volume.beta.kubernetes.io/storage-provisioner", "pxd.portworx.com", a);
  set_string(ann, "volume.kubernetes.io/storage-provisioner", "pxd.portworx.com", a);
  Val fin(rapidjson::kArrayType);
  fin.PushBack(str("kubernetes.io/pvc-protection", a), a);
  md.AddMember("finalizers", fin, a);
  Val spec = object_copy_at(vct, {"spec"}, a);
  if (!find(spec, "volumeMode")) set_string(spec, "volumeMode", "Filesystem", a);
  uint64_t h = fnv1a(ns + "/" + name);
  std::string hex = sha256_like(ns + "/" + name);
  set_string(spec, "volumeName",
             "pvc-" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                 hex.substr(16, 4) + "-" + hex.substr(20, 12),
             a);
  (void)h;
  Val st(rapidjson::kObjectType);
  set_string(st, "phase", "Bound", a);
  if (const Val* m = find(spec, "accessModes")) st.AddMember("accessModes", Val(*m, a), a);
  if (const Val* r = find_path(spec, {"resources", "requests"}); r && r->IsObject())
    st.AddMember("capacity", Val(*r, a), a);
  d.AddMember("spec", spec, a);
  d.AddMember("status", st, a);
  return d;
}

}  // namespace

void ensure_claims(Cluster& c, const Val& sts, int64_t replicas) {
  const Val* vcts = find_path(sts, {"spec", "volumeClaimTemplates"});
  if (!vcts || !vcts->IsArray() || vcts->Empty()) return;
  auto pvc_r = resource(c, "", "persistentvolumeclaims");
  if (!pvc_r) return;
  std::string ns = get_string(sts, {"metadata", "namespace"}), s_name = get_string(sts, {"metadata", "name"});
  for (int64_t i = 0; i < replicas; ++i)
    for (auto& vct : vcts->GetArray()) {
      std::string name = get_string(vct, {"metadata", "name"}) + "-" + s_name + "-" + std::to_string(i);
      if (get_object(c, *pvc_r, ns, name)) continue;
      Doc d = claim_for(sts, vct, i);
      create_object(c, *pvc_r, d);
    }
}

std::string pod_template_hash(const Val& pod_template) {
  std::string c;
  canonical(pod_template, c);
  return safe_encode(fnv1a(c), 10);
}

}  // namespace emu::sim
