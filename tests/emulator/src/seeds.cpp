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
  modifyObject(c, r, ns, name, [&](Doc& d) {
    setString(objectMember(d, "metadata", d.GetAllocator()), "creationTimestamp", rfc3339(t),
              d.GetAllocator());
    return true;
  });
}

// Creates an object, status included, in one write (createSeeded); optionally backdated. Throws
// when refused.
Object put(Cluster& c, const ResourceType& r, const std::string& json, std::time_t created = 0) {
  Doc d = parse(json);
  std::string name = nameOf(d), ns = namespaceOf(d), err;
  Object stored = createSeeded(c, r, std::move(d), &err);
  if (!stored) throw std::runtime_error("seed: cannot create " + r.plural + " " + name + ": " + err);
  if (created) {
    backdate(c, r, r.namespaced ? ns : "", name, created);
    stored = getObject(c, r, ns, name);
  }
  return stored;
}

void backdateAll(Cluster& c, const TypeRef& r, const std::string& ns, std::time_t t) {
  if (!r) return;
  for (auto& d : listDocs(c, *r, ns)) backdate(c, *r, ns, nameOf(*d), t);
}

std::string namespaceJson(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name +
         R"(","labels":{"kubernetes.io/metadata.name":")" + name +
         R"("}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})";
}

// A kubeconfig as `storkctl generate clusterpair` embeds it: the peer is named by its context.
std::string clusterPairJson(const std::string& ns, const std::string& name, const std::string& peer) {
  return R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterPair","metadata":{"name":")" +
         name + R"(","namespace":")" + ns + R"("},"spec":{"config":{"clusters":[{"name":")" + peer +
         R"(","cluster":{"server":"https://127.0.0.1","insecure-skip-tls-verify":true}}],"contexts":[{"name":")" +
         peer + R"(","context":{"cluster":")" + peer + R"(","user":")" + peer +
         R"(-admin"}}],"current-context":")" + peer + R"(","users":[{"name":")" + peer +
         R"(-admin","user":{"token":"<redacted>"}}]},"options":{"ip":"127.0.0.1","port":"9001","token":")" +
         safeEncode(fnv1a(peer + name), 24) +
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

void zookeeperFailover(Emulator& e) {
  std::vector<Cluster*> clusters = e.clusters();
  if (clusters.size() < 2)
    throw std::runtime_error(
        "seed zookeeper-failover needs two clusters (source and destination), e.g. --clusters "
        "us-east-1a,us-east-1b");
  Cluster& src = *clusters[0];
  Cluster& dst = *clusters[1];
  std::time_t now = std::time(nullptr);
  std::time_t installed = now - 30 * kDay, deployed = now - 2 * kDay, lastMigration = now - 5 * 60;

  auto nsR = resource(src, "", "namespaces");
  auto svcR = resource(src, "", "services");
  auto stsR = resource(src, "apps", "statefulsets");
  auto podsR = resource(src, "", "pods");
  auto pvcR = resource(src, "", "persistentvolumeclaims");

  // the application on the source
  put(src, *nsR, namespaceJson("zookeeper"), deployed);
  if (svcR)
    for (auto* svc : kZkServices) put(src, *svcR, svc, deployed);
  put(src, *stsR, kZkStatefulSet, deployed);
  reconcileWorkload(src, "statefulsets", "zookeeper", "zk");
  backdateAll(src, podsR, "zookeeper", deployed);
  backdateAll(src, pvcR, "zookeeper", deployed);

  auto msR = storkResource(src, "migrationschedules");
  if (!msR) return;  // --no-stork: the application only
  for (auto* c : clusters) {
    ensureClusterDomainsStatus(e, *c);
    backdateAll(*c, storkResource(*c, "clusterdomainsstatuses"), "", installed);
    if (auto sp = storkResource(*c, "schedulepolicies");
        sp && !getObject(*c, *sp, "", "default-migration-policy"))
      put(*c, *sp, kPolicy, installed);
  }
  auto cpR = storkResource(src, "clusterpairs");
  auto migR = storkResource(src, "migrations");
  put(src, *cpR, clusterPairJson("zookeeper", "remotecluster", dst.name()), deployed);
  put(src, *msR, kSchedule, deployed);

  // the last scheduled migration, run for real: it creates the destination's copy at 0 replicas
  std::string migName = "migrationschedule-interval-" + nameTimeSuffix(lastMigration);
  put(src, *migR,
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":")" +
          migName +
          R"(","namespace":"zookeeper","annotations":{"stork.libopenstorage.org/migration-schedule-name":"migrationschedule"}},
          "spec":{"clusterPair":"remotecluster","includeResources":true,"startApplications":false,"namespaces":["zookeeper"]},
          "status":{"stage":"","status":"Pending"}})",
      lastMigration);
  if (Object ms = getObject(src, *msR, "zookeeper", "migrationschedule")) {
    std::string uid = getString(*ms, {"metadata", "uid"});
    modifyObject(src, *migR, "zookeeper", migName, [&](Doc& d) {
      auto& a = d.GetAllocator();
      Val refs(rapidjson::kArrayType);
      // Copied into d's allocator: the parsed document is a temporary that owns its strings.
      Val owner(parse(R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule",)"
                      R"("name":"migrationschedule","uid":")" +
                      uid + R"("})"),
                a);
      refs.PushBack(std::move(owner), a);
      setMember(objectMember(d, "metadata", a), "ownerReferences", std::move(refs), a);
      return true;
    });
  }
  auto result = executeMigration(e, src, "zookeeper", migName, lastMigration);
  if (result.status != "Successful")
    throw std::runtime_error("seed zookeeper-failover: the seeded migration did not succeed: " +
                             result.status + " " + result.reason);
  modifyObject(src, *msR, "zookeeper", "migrationschedule", [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = objectMember(d, "status", a);
    Val items(rapidjson::kObjectType);
    Val list(rapidjson::kArrayType);
    Val item(rapidjson::kObjectType);
    setString(item, "name", migName, a);
    setString(item, "creationTimestamp", rfc3339(lastMigration), a);
    setString(item, "finishTimestamp", rfc3339(lastMigration + 10), a);
    setString(item, "status", "Successful", a);
    list.PushBack(item, a);
    items.AddMember("Interval", list, a);
    setMember(st, "items", std::move(items), a);
    setBool(st, "applicationActivated", false, a);
    return true;
  });
  // the schedule controller's first pass: the static copy on the destination (not due yet)
  reconcileSchedule(e, src, "zookeeper", "migrationschedule", StorkOptions{}, now);
  reconcileWorkload(dst, "statefulsets", "zookeeper", "zk");
  // the destination was paired back for failback; its objects date from the first migration
  put(dst, *cpR, clusterPairJson("zookeeper", "remotecluster", src.name()), deployed);
  for (auto& [group, plural] : {std::pair{"", "namespaces"}, std::pair{"", "services"},
                                std::pair{"apps", "statefulsets"}, std::pair{"", "persistentvolumeclaims"}}) {
    auto r = resource(dst, group, plural);
    if (!r) continue;
    if (std::string(plural) == "namespaces")
      backdate(dst, *r, "", "zookeeper", deployed + 3600);
    else
      backdateAll(dst, r, "zookeeper", deployed + 3600);
  }
  backdateAll(dst, msR, "zookeeper", deployed + 3600);
}

bool parseScale(const std::string& seed, ScaleSpec& out, std::string& err) {
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
  auto nsR = resource(c, "", "namespaces");
  auto cmR = resource(c, "", "configmaps");
  auto stsR = resource(c, "apps", "statefulsets");
  auto depR = resource(c, "apps", "deployments");
  auto cjR = resource(c, "batch", "cronjobs");
  auto msR = storkResource(c, "migrationschedules");
  std::time_t now = std::time(nullptr);
  std::string migTime = nameTimeSuffix(now - 600);
  if (msR && !getObject(c, *nsR, "", "kube-system")) put(c, *nsR, namespaceJson("kube-system"));
  char ns[16];
  long long g = 0;  // global workload index
  std::unordered_map<std::string, std::string> templateHashes;
  for (int i = 1; i <= s.namespaces; ++i) {
    std::snprintf(ns, sizeof ns, "ns-%05d", i);
    put(c, *nsR, namespaceJson(ns));
    ++st.namespaces;
    // every tenth namespace is migrated by a schedule shared by ten namespaces, kept in kube-system
    bool shared = i % 10 == 0;
    std::string schedNs = shared ? "kube-system" : ns;
    std::string schedName = shared ? "shared-" + std::to_string(i / 100) : "migrationschedule";
    std::string migName = schedName + "-interval-" + migTime;
    std::string migAnn =
        R"("stork.libopenstorage.org/migrated":"true","stork.libopenstorage.org/migrationName":")" + migName +
        R"(","stork.libopenstorage.org/migrationNamespace":")" + schedNs +
        R"(","stork.libopenstorage.org/migrationTime":")" + migTime + R"(")";
    put(c, *cmR,
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config","namespace":")" +
            std::string(ns) + R"(","annotations":{)" + migAnn + R"(}},"data":{"mode":"dr"}})");
    ++st.configmaps;
    if (msR) {
      bool exists = getObject(c, *msR, schedNs, schedName) != nullptr;
      if (!exists) {
        std::string nsList = shared ? "" : "\"" + std::string(ns) + "\"";
        if (shared)
          for (int k = std::max(10, (i / 100) * 100); k < (i / 100 + 1) * 100 && k <= s.namespaces; k += 10) {
            char b[16];
            std::snprintf(b, sizeof b, "ns-%05d", k);
            nsList += std::string(nsList.empty() ? "" : ",") + "\"" + b + "\"";
          }
        put(c, *msR,
            R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule","metadata":{"name":")" +
                schedName + R"(","namespace":")" + schedNs +
                R"(","annotations":{"stork.libopenstorage.org/static-copy":"true"}},"spec":{"template":{"spec":{"clusterPair":"remotecluster","includeResources":true,"startApplications":false,"namespaces":[)" +
                nsList +
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
      std::string ann = migrated ? migAnn : "";
      if (kind == 4) {
        std::string json =
            R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":")" + name +
            R"(","namespace":")" + ns + R"(","labels":{)" + labels + R"(},"annotations":{)" + ann +
            R"(}},"spec":{"schedule":"*/15 * * * *","suspend":)" + (migrated ? "true" : "false") +
            R"(,"concurrencyPolicy":"Allow","successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1,"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"report","image":"busybox:1.36","command":["sh","-c","date"]}]}}}}},"status":{}})";
        put(c, *cjR, json);
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
        if (docs) ++st.docsSpelling;
      }
      bool sts = kind == 1 || kind == 3;
      std::string tmpl =
          R"({"metadata":{"labels":{"app":")" + name +
          R"("}},"spec":{"containers":[{"name":"main","image":"nginx:1.27","ports":[{"containerPort":8080}]}]}})";
      // the template depends on the name alone: one hash per workload name, not per workload
      auto hashed = templateHashes.find(name);
      if (hashed == templateHashes.end())
        hashed = templateHashes.emplace(name, podTemplateHash(parse(tmpl))).first;
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
      auto stored = put(c, sts ? *stsR : *depR, json);
      if (sts)
        ++st.statefulsets;
      else
        ++st.deployments;
      if (stored && replicas > 0) createDependents(c, sts ? "statefulsets" : "deployments", *stored);
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
    [](Emulator& e, const std::string&) { zookeeperFailover(e); });

const SeedRegistrar kScale(
    "scale",
    "scale:N:M — N namespaces ns-00001.. with M workloads each as migrated by Stork, on the "
    "last cluster",
    [](Emulator& e, const std::string& arg) {
      ScaleSpec s;
      std::string err;
      if (!parseScale("scale:" + arg, s, err)) throw std::runtime_error(err);
      if (e.clusters().empty()) throw std::runtime_error("no clusters to seed");
      scale(*e.clusters().back(), s);
    });

}  // namespace
}  // namespace emu::seeds
