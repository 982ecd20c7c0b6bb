// Seeds: ready-made cluster contents, built with the same code paths the controllers use (the
// destination of zookeeper-failover is produced by running a real emulated migration).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "seeds.hpp"
#include "sim.hpp"

namespace emu::seeds {

using namespace emu::sim;

namespace {

constexpr std::time_t kDay = 86400;

// Sets metadata.creationTimestamp of a stored object (realistic ages). Takes effect when the
// store lets in-process writers set it.
void backdate(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name,
              std::time_t t) {
  modify_object(c, r, ns, name, [&](Doc& d) {
    set_string(object_member(d, "metadata", d.GetAllocator()), "creationTimestamp", rfc3339(t),
               d.GetAllocator());
    return true;
  });
}

// Creates an object, status included, in one write (create_seeded); optionally backdated. Throws
// when refused.
Object put(Cluster& c, const ResourceType& r, const std::string& json, std::time_t created = 0) {
  Doc d = parse(json);
  std::string name = name_of(d), ns = namespace_of(d), err;
  Object stored = create_seeded(c, r, std::move(d), &err);
  if (!stored) throw std::runtime_error("seed: cannot create " + r.plural + " " + name + ": " + err);
  if (created) {
    backdate(c, r, r.namespaced ? ns : "", name, created);
    stored = get_object(c, r, ns, name);
  }
  return stored;
}

void backdate_all(Cluster& c, const TypeRef& r, const std::string& ns, std::time_t t) {
  if (!r) return;
  for (auto& d : list_docs(c, *r, ns)) backdate(c, *r, ns, name_of(*d), t);
}

std::string namespace_json(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name +
         R"(","labels":{"kubernetes.io/metadata.name":")" + name +
         R"("}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})";
}

// A kubeconfig as `storkctl generate clusterpair` embeds it: the peer is named by its context.
std::string cluster_pair_json(const std::string& ns, const std::string& name, const std::string& peer) {
  return R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterPair","metadata":{"name":")" +
         name + R"(","namespace":")" + ns + R"("},"spec":{"config":{"clusters":[{"name":")" + peer +
         R"(","cluster":{"server":"https://127.0.0.1","insecure-skip-tls-verify":true}}],"contexts":[{"name":")" +
         peer + R"(","context":{"cluster":")" + peer + R"(","user":")" + peer +
         R"(-admin"}}],"current-context":")" + peer + R"(","users":[{"name":")" + peer +
         R"(-admin","user":{"token":"<redacted>"}}]},"options":{"ip":"127.0.0.1","port":"9001","token":")" +
         safe_encode(fnv1a(peer + name), 24) +
         R"(","mode":"DisasterRecovery"}},"status":{"schedulerStatus":"Ready","storageStatus":"Ready","remoteStorageId":")" +
         new_uid() + R"("}})";
}

const char* const kZkStatefulSet = R"({
  "apiVersion": "apps/v1", "kind": "StatefulSet",
  "metadata": {"name": "zk", "namespace": "zookeeper", "labels": {"app": "zk"}},
  "spec": {
    "replicas": 3,
    "serviceName": "zk-hs",
    "podManagementPolicy": "OrderedReady",
    "selector": {"matchLabels": {"app": "zk"}},
    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
    "revisionHistoryLimit": 10,
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
    "template": {
      "metadata": {"labels": {"app": "zk"}},
      "spec": {
        "schedulerName": "stork",
        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
          {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["zk"]}]},
           "topologyKey": "kubernetes.io/hostname"}]}},
        "securityContext": {"runAsUser": 1000, "fsGroup": 1000},
        "containers": [{
          "name": "kubernetes-zookeeper",
          "image": "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
          "imagePullPolicy": "Always",
          "command": ["sh", "-c", "start-zookeeper --servers=3 --data_dir=/var/lib/zookeeper/data --data_log_dir=/var/lib/zookeeper/data/log --conf_dir=/opt/zookeeper/conf --client_port=2181 --election_port=3888 --server_port=2888 --tick_time=2000 --init_limit=10 --sync_limit=5 --heap=512M --max_client_cnxns=60 --snap_retain_count=3 --purge_interval=12 --max_session_timeout=40000 --min_session_timeout=4000 --log_level=INFO"],
          "ports": [{"containerPort": 2181, "name": "client", "protocol": "TCP"},
                    {"containerPort": 2888, "name": "server", "protocol": "TCP"},
                    {"containerPort": 3888, "name": "leader-election", "protocol": "TCP"}],
          "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
          "readinessProbe": {"exec": {"command": ["sh", "-c", "zookeeper-ready 2181"]}, "initialDelaySeconds": 10,
                             "timeoutSeconds": 5, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
          "livenessProbe": {"exec": {"command": ["sh", "-c", "zookeeper-ready 2181"]}, "initialDelaySeconds": 10,
                            "timeoutSeconds": 5, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
          "volumeMounts": [{"name": "datadir", "mountPath": "/var/lib/zookeeper"}]
        }]
      }
    },
    "volumeClaimTemplates": [{
      "apiVersion": "v1", "kind": "PersistentVolumeClaim",
      "metadata": {"name": "datadir"},
      "spec": {"storageClassName": "px-zk-sc", "accessModes": ["ReadWriteOnce"],
               "resources": {"requests": {"storage": "2Gi"}}, "volumeMode": "Filesystem"}
    }]
  }
})";

const char* const kZkServices[] = {
    R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"zk-hs","namespace":"zookeeper","labels":{"app":"zk"}},
        "spec":{"clusterIP":"None","clusterIPs":["None"],"type":"ClusterIP","selector":{"app":"zk"},
        "ports":[{"name":"server","port":2888,"protocol":"TCP","targetPort":2888},
                 {"name":"leader-election","port":3888,"protocol":"TCP","targetPort":3888}],
        "sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack"},"status":{"loadBalancer":{}}})",
    R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"zk-cs","namespace":"zookeeper","labels":{"app":"zk"}},
        "spec":{"type":"ClusterIP","selector":{"app":"zk"},"ports":[{"name":"client","port":2181,"protocol":"TCP","targetPort":2181}],
        "sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack"},"status":{"loadBalancer":{}}})",
};

// Portworx installs its default schedule policies on every cluster.
const char* const kPolicy = R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"SchedulePolicy",
  "metadata":{"name":"default-migration-policy"},"policy":{"interval":{"intervalMinutes":30}}})";

const char* const kSchedule = R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule",
  "metadata":{"name":"migrationschedule","namespace":"zookeeper"},
  "spec":{"template":{"spec":{"clusterPair":"remotecluster","includeResources":true,"startApplications":false,
          "namespaces":["zookeeper"]}},"schedulePolicyName":"default-migration-policy","suspend":false,"autoSuspend":false},
  "status":{"items":null,"applicationActivated":false}})";

}  // namespace

void zookeeper_failover(Emulator& e) {
  std::vector<Cluster*> clusters = e.clusters();
  if (clusters.size() < 2)
    throw std::runtime_error(
        "seed zookeeper-failover needs two clusters (source and destination), e.g. --clusters "
        "us-east-1a,us-east-1b");
  Cluster& src = *clusters[0];
  Cluster& dst = *clusters[1];
  std::time_t now = std::time(nullptr);
  std::time_t installed = now - 30 * kDay, deployed = now - 2 * kDay, last_migration = now - 5 * 60;

  auto ns_r = resource(src, "", "namespaces");
  auto svc_r = resource(src, "", "services");
  auto sts_r = resource(src, "apps", "statefulsets");
  auto pods_r = resource(src, "", "pods");
  auto pvc_r = resource(src, "", "persistentvolumeclaims");

  // the application on the source
  put(src, *ns_r, namespace_json("zookeeper"), deployed);
  if (svc_r)
    for (auto* svc : kZkServices) put(src, *svc_r, svc, deployed);
  put(src, *sts_r, kZkStatefulSet, deployed);
  reconcile_workload(src, "statefulsets", "zookeeper", "zk");
  backdate_all(src, pods_r, "zookeeper", deployed);
  backdate_all(src, pvc_r, "zookeeper", deployed);

  auto ms_r = stork_resource(src, "migrationschedules");
  if (!ms_r) return;  // --no-stork: the application only
  for (auto* c : clusters) {
    ensure_cluster_domains_status(e, *c);
    backdate_all(*c, stork_resource(*c, "clusterdomainsstatuses"), "", installed);
    if (auto sp = stork_resource(*c, "schedulepolicies");
        sp && !get_object(*c, *sp, "", "default-migration-policy"))
      put(*c, *sp, kPolicy, installed);
  }
  auto cp_r = stork_resource(src, "clusterpairs");
  auto mig_r = stork_resource(src, "migrations");
  put(src, *cp_r, cluster_pair_json("zookeeper", "remotecluster", dst.name()), deployed);
  put(src, *ms_r, kSchedule, deployed);

  // the last scheduled migration, run for real: it creates the destination's copy at 0 replicas
  std::string mig_name = "migrationschedule-interval-" + name_time_suffix(last_migration);
  put(src, *mig_r,
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":")" +
          mig_name +
          R"(","namespace":"zookeeper","annotations":{"stork.libopenstorage.org/migration-schedule-name":"migrationschedule"}},
          "spec":{"clusterPair":"remotecluster","includeResources":true,"startApplications":false,"namespaces":["zookeeper"]},
          "status":{"stage":"","status":"Pending"}})",
      last_migration);
  if (Object ms = get_object(src, *ms_r, "zookeeper", "migrationschedule")) {
    std::string uid = get_string(*ms, {"metadata", "uid"});
    modify_object(src, *mig_r, "zookeeper", mig_name, [&](Doc& d) {
      auto& a = d.GetAllocator();
      Val refs(rapidjson::kArrayType);
      // Copied into d's allocator: the parsed document is a temporary that owns its strings.
      Val owner(parse(R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule",)"
                      R"("name":"migrationschedule","uid":")" +
                      uid + R"("})"),
                a);
      refs.PushBack(std::move(owner), a);
      set_member(object_member(d, "metadata", a), "ownerReferences", std::move(refs), a);
      return true;
    });
  }
  auto result = execute_migration(e, src, "zookeeper", mig_name, last_migration);
  if (result.status != "Successful")
    throw std::runtime_error("seed zookeeper-failover: the seeded migration did not succeed: " +
                             result.status + " " + result.reason);
  modify_object(src, *ms_r, "zookeeper", "migrationschedule", [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = object_member(d, "status", a);
    Val items(rapidjson::kObjectType);
    Val list(rapidjson::kArrayType);
    Val item(rapidjson::kObjectType);
    set_string(item, "name", mig_name, a);
    set_string(item, "creationTimestamp", rfc3339(last_migration), a);
    set_string(item, "finishTimestamp", rfc3339(last_migration + 10), a);
    set_string(item, "status", "Successful", a);
    list.PushBack(item, a);
    items.AddMember("Interval", list, a);
    set_member(st, "items", std::move(items), a);
    set_bool(st, "applicationActivated", false, a);
    return true;
  });
  // the schedule controller's first pass: the static copy on the destination (not due yet)
  reconcile_schedule(e, src, "zookeeper", "migrationschedule", StorkOptions{}, now);
  reconcile_workload(dst, "statefulsets", "zookeeper", "zk");
  // the destination was paired back for failback; its objects date from the first migration
  put(dst, *cp_r, cluster_pair_json("zookeeper", "remotecluster", src.name()), deployed);
  for (auto& [group, plural] : {std::pair{"", "namespaces"}, std::pair{"", "services"},
                                std::pair{"apps", "statefulsets"}, std::pair{"", "persistentvolumeclaims"}}) {
    auto r = resource(dst, group, plural);
    if (!r) continue;
    if (std::string(plural) == "namespaces")
      backdate(dst, *r, "", "zookeeper", deployed + 3600);
    else
      backdate_all(dst, r, "zookeeper", deployed + 3600);
  }
  backdate_all(dst, ms_r, "zookeeper", deployed + 3600);
}

bool parse_scale(const std::string& seed, ScaleSpec& out, std::string& err) {
  if (seed.rfind("scale:", 0) != 0) return false;
  int n = 0, m = 0;
  char tail = 0;
  if (std::sscanf(seed.c_str(), "scale:%d:%d%c", &n, &m, &tail) != 2 || n < 1 || m < 1 || n > 99999 ||
      m > 100000) {
    err =
        "seed " + seed + ": want scale:N:M with N namespaces (1..99999) and M workloads per namespace (>= 1)";
    return false;
  }
  out.namespaces = n;
  out.workloads = m;
  return true;
}

ScaleStats scale(Cluster& c, const ScaleSpec& s) {
  ScaleStats st;
  auto ns_r = resource(c, "", "namespaces");
  auto cm_r = resource(c, "", "configmaps");
  auto sts_r = resource(c, "apps", "statefulsets");
  auto dep_r = resource(c, "apps", "deployments");
  auto cj_r = resource(c, "batch", "cronjobs");
  auto ms_r = stork_resource(c, "migrationschedules");
  std::time_t now = std::time(nullptr);
  std::string mig_time = name_time_suffix(now - 600);
  if (ms_r && !get_object(c, *ns_r, "", "kube-system")) put(c, *ns_r, namespace_json("kube-system"));
  char ns[16];
  long long g = 0;  // global workload index
  std::unordered_map<std::string, std::string> template_hashes;
  for (int i = 1; i <= s.namespaces; ++i) {
    std::snprintf(ns, sizeof ns, "ns-%05d", i);
    put(c, *ns_r, namespace_json(ns));
    ++st.namespaces;
    // every tenth namespace is migrated by a schedule shared by ten namespaces, kept in kube-system
    bool shared = i % 10 == 0;
    std::string sched_ns = shared ? "kube-system" : ns;
    std::string sched_name = shared ? "shared-" + std::to_string(i / 100) : "migrationschedule";
    std::string mig_name = sched_name + "-interval-" + mig_time;
    std::string mig_ann =
        R"("stork.libopenstorage.org/migrated":"true","stork.libopenstorage.org/migrationName":")" +
        mig_name + R"(","stork.libopenstorage.org/migrationNamespace":")" + sched_ns +
        R"(","stork.libopenstorage.org/migrationTime":")" + mig_time + R"(")";
    put(c, *cm_r,
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config","namespace":")" +
            std::string(ns) + R"(","annotations":{)" + mig_ann + R"(}},"data":{"mode":"dr"}})");
    ++st.configmaps;
    if (ms_r) {
      bool exists = get_object(c, *ms_r, sched_ns, sched_name) != nullptr;
      if (!exists) {
        std::string ns_list = shared ? "" : "\"" + std::string(ns) + "\"";
        if (shared)
          for (int k = std::max(10, (i / 100) * 100); k < (i / 100 + 1) * 100 && k <= s.namespaces; k += 10) {
            char b[16];
            std::snprintf(b, sizeof b, "ns-%05d", k);
            ns_list += std::string(ns_list.empty() ? "" : ",") + "\"" + b + "\"";
          }
        put(c, *ms_r,
            R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule","metadata":{"name":")" +
                sched_name + R"(","namespace":")" + sched_ns +
                R"(","annotations":{"stork.libopenstorage.org/static-copy":"true"}},"spec":{"template":{"spec":{"clusterPair":"remotecluster","includeResources":true,"startApplications":false,"namespaces":[)" +
                ns_list +
                R"(]}},"schedulePolicyName":"default-migration-policy","suspend":true,"autoSuspend":false},"status":{"items":null,"applicationActivated":false}})");
        ++st.schedules;
      }
    }
    for (int j = 0; j < s.workloads; ++j, ++g) {
      std::string name = "app-" + std::to_string(j);
      int kind = static_cast<int>(g % 5);  // 0,2 deployment; 1,3 statefulset; 4 cronjob
      bool migrated = g % 2 == 0;
      bool docs = g % 50 == 0;
      int count = static_cast<int>((g / 2) % 3) + 1;
      std::string labels = R"("app":")" + name + R"(")";
      std::string ann = migrated ? mig_ann : "";
      if (kind == 4) {
        std::string json =
            R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":")" + name +
            R"(","namespace":")" + ns + R"(","labels":{)" + labels + R"(},"annotations":{)" + ann +
            R"(}},"spec":{"schedule":"*/15 * * * *","suspend":)" + (migrated ? "true" : "false") +
            R"(,"concurrencyPolicy":"Allow","successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1,"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"report","image":"busybox:1.36","command":["sh","-c","date"]}]}}}}},"status":{}})";
        put(c, *cj_r, json);
        ++st.cronjobs;
        if (migrated) ++st.annotated;
        continue;
      }
      int replicas = migrated ? 0 : 1;
      if (migrated) {
        std::string key = docs ? kAnnReplicasDocs : kAnnReplicas;
        ann += R"(,")" + key + R"(":")" + std::to_string(count) + R"(")";
        labels += R"(,"stork.libopenstorage.org/migrated":"true")";
        ++st.annotated;
        if (docs) ++st.docs_spelling;
      }
      bool sts = kind == 1 || kind == 3;
      std::string tmpl =
          R"({"metadata":{"labels":{"app":")" + name +
          R"("}},"spec":{"containers":[{"name":"main","image":"nginx:1.27","ports":[{"containerPort":8080}]}]}})";
      // the template depends on the name alone: one hash per workload name, not per workload
      auto hashed = template_hashes.find(name);
      if (hashed == template_hashes.end())
        hashed = template_hashes.emplace(name, pod_template_hash(parse(tmpl))).first;
      std::string revision = name + "-" + hashed->second;
      std::string status =
          sts ? R"({"observedGeneration":1,"replicas":)" + std::to_string(replicas) +
                    (replicas ? R"(,"readyReplicas":1,"currentReplicas":1,"updatedReplicas":1)" : "") +
                    R"(,"availableReplicas":)" + std::to_string(replicas) + R"(,"currentRevision":")" +
                    revision + R"(","updateRevision":")" + revision + R"(","collisionCount":0})"
              : (replicas
                     ? R"({"observedGeneration":1,"replicas":1,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1})"
                     : R"({"observedGeneration":1})");
      std::string json = std::string(R"({"apiVersion":"apps/v1","kind":")") +
                         (sts ? "StatefulSet" : "Deployment") + R"(","metadata":{"name":")" + name +
                         R"(","namespace":")" + ns + R"(","labels":{)" + labels + R"(},"annotations":{)" +
                         ann + R"(}},"spec":{"replicas":)" + std::to_string(replicas) +
                         R"(,"selector":{"matchLabels":{"app":")" + name + R"("}},)" +
                         (sts ? R"("serviceName":")" + name + R"(",)" : std::string()) + R"("template":)" +
                         tmpl + R"(},"status":)" + status + "}";
      auto stored = put(c, sts ? *sts_r : *dep_r, json);
      if (sts)
        ++st.statefulsets;
      else
        ++st.deployments;
      if (stored && replicas > 0) create_dependents(c, sts ? "statefulsets" : "deployments", *stored);
    }
  }
  return st;
}

}  // namespace emu::seeds

namespace emu::seeds {
namespace {

const SeedRegistrar kZookeeper(
    kZookeeperFailover,
    "ZooKeeper (statefulset zk, 3 replicas) on the first cluster, migrated by Stork to the "
    "second at 0 replicas; schedule, pair, policy, domains as in Portworx's DR runbook",
    [](Emulator& e, const std::string&) { zookeeper_failover(e); });

const SeedRegistrar kScale(
    "scale",
    "scale:N:M — N namespaces ns-00001.. with M workloads each as migrated by Stork, on the "
    "last cluster",
    [](Emulator& e, const std::string& arg) {
      ScaleSpec s;
      std::string err;
      if (!parse_scale("scale:" + arg, s, err)) throw std::runtime_error(err);
      if (e.clusters().empty()) throw std::runtime_error("no clusters to seed");
      scale(*e.clusters().back(), s);
    });

}  // namespace
}  // namespace emu::seeds
