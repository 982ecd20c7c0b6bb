#include <catch2/catch.hpp>

#include <thread>

#include "sim_test_util.hpp"

using namespace simtest;

TEST_CASE("statefulset: pods <name>-<ordinal> Running, status follows, scale-down from the top", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  makeNamespace(c, "zookeeper");
  make(c, "apps", "statefulsets", sts("zookeeper", "zk", 3));
  CHECK(reconcileWorkload(c, "statefulsets", "zookeeper", "zk"));
  CHECK(names(c, "", "pods", "zookeeper") == std::vector<std::string>{"zk-0", "zk-1", "zk-2"});
  auto pod = get(c, "", "pods", "zookeeper", "zk-1");
  REQUIRE(pod);
  CHECK(getString(*pod, {"status", "phase"}) == "Running");
  const Val* cs = findPath(*pod, {"status", "containerStatuses"});
  REQUIRE(cs);
  CHECK((*cs)[0]["ready"].GetBool());
  CHECK(getString((*cs)[0], {"state", "running", "startedAt"}) != "");
  CHECK(label(*pod, "statefulset.kubernetes.io/pod-name") == "zk-1");
  CHECK(label(*pod, "app") == "zk");
  CHECK(getString((*findPath(*pod, {"metadata", "ownerReferences"}))[0], {"kind"}) == "StatefulSet");
  auto s = get(c, "apps", "statefulsets", "zookeeper", "zk");
  CHECK(getInt(*s, {"status", "replicas"}) == 3);
  CHECK(getInt(*s, {"status", "readyReplicas"}) == 3);
  CHECK(getInt(*s, {"status", "availableReplicas"}) == 3);
  CHECK(getInt(*s, {"status", "observedGeneration"}) == getInt(*s, {"metadata", "generation"}));
  CHECK_FALSE(reconcileWorkload(c, "statefulsets", "zookeeper", "zk"));  // converged: writes nothing

  setReplicas(c, "statefulsets", "zookeeper", "zk", 1);
  reconcileWorkload(c, "statefulsets", "zookeeper", "zk");
  CHECK(names(c, "", "pods", "zookeeper") == std::vector<std::string>{"zk-0"});
  s = get(c, "apps", "statefulsets", "zookeeper", "zk");
  CHECK(getInt(*s, {"status", "readyReplicas"}) == 1);
  CHECK(getInt(*s, {"status", "observedGeneration"}) == getInt(*s, {"metadata", "generation"}));

  setReplicas(c, "statefulsets", "zookeeper", "zk", 0);
  reconcileWorkload(c, "statefulsets", "zookeeper", "zk");
  CHECK(names(c, "", "pods", "zookeeper").empty());
  s = get(c, "apps", "statefulsets", "zookeeper", "zk");
  CHECK(getInt(*s, {"status", "replicas"}, -1) == 0);
  CHECK(find(*findPath(*s, {"status"}), "readyReplicas") == nullptr);  // omitempty, as the apiserver
}

TEST_CASE("ready delay: pods are Pending (ContainerCreating), then Running", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  makeNamespace(c, "ns");
  make(c, "apps", "statefulsets", sts("ns", "db", 2));
  WorkloadReconciler r(std::chrono::milliseconds(200));
  auto t0 = Clock::now();
  auto step = r.reconcile(c, "statefulsets", "ns", "db", t0);
  CHECK(step.changed);
  REQUIRE(step.pending);
  CHECK(step.readyAt == t0 + std::chrono::milliseconds(200));
  auto pod = get(c, "", "pods", "ns", "db-0");
  CHECK(getString(*pod, {"status", "phase"}) == "Pending");
  CHECK(getString((*findPath(*pod, {"status", "containerStatuses"}))[0], {"state", "waiting", "reason"}) ==
        "ContainerCreating");
  auto s = get(c, "apps", "statefulsets", "ns", "db");
  CHECK(getInt(*s, {"status", "replicas"}) == 2);
  CHECK(getInt(*s, {"status", "readyReplicas"}) == 0);

  step = r.reconcile(c, "statefulsets", "ns", "db", t0 + std::chrono::milliseconds(100));
  CHECK(step.pending);
  step = r.reconcile(c, "statefulsets", "ns", "db", t0 + std::chrono::milliseconds(200));
  CHECK_FALSE(step.pending);
  CHECK(getString(*get(c, "", "pods", "ns", "db-1"), {"status", "phase"}) == "Running");
  CHECK(getInt(*get(c, "apps", "statefulsets", "ns", "db"), {"status", "readyReplicas"}) == 2);
}

TEST_CASE("deployment: ReplicaSet <name>-<hash> owns pods <rs>-<rand5>; a new template rolls out", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  makeNamespace(c, "web");
  make(c, "apps", "deployments", deploy("web", "web", 2));
  reconcileWorkload(c, "deployments", "web", "web");
  auto rs = names(c, "apps", "replicasets", "web");
  REQUIRE(rs.size() == 1);
  std::string hash = rs[0].substr(4);
  CHECK(rs[0].rfind("web-", 0) == 0);
  CHECK(hash.size() == 10);
  auto rsObj = get(c, "apps", "replicasets", "web", rs[0]);
  CHECK(getString((*findPath(*rsObj, {"metadata", "ownerReferences"}))[0], {"name"}) == "web");
  CHECK(label(*rsObj, "pod-template-hash") == hash);
  CHECK(annotation(*rsObj, "deployment.kubernetes.io/revision") == "1");
  auto pods = names(c, "", "pods", "web");
  REQUIRE(pods.size() == 2);
  for (auto& p : pods) {
    CHECK(p.rfind(rs[0] + "-", 0) == 0);
    CHECK(p.size() == rs[0].size() + 6);
  }
  auto d = get(c, "apps", "deployments", "web", "web");
  CHECK(getInt(*d, {"status", "readyReplicas"}) == 2);
  CHECK(getInt(*d, {"status", "updatedReplicas"}) == 2);
  CHECK(getInt(*d, {"status", "availableReplicas"}) == 2);
  CHECK(annotation(*d, "deployment.kubernetes.io/revision") == "1");

  // a new image: a second ReplicaSet takes over, the first goes to 0
  modifyObject(c, *resource(c, "apps", "deployments"), "web", "web", [](Doc& x) {
    x["spec"]["template"]["spec"]["containers"][0]["image"].SetString("nginx:1.28", x.GetAllocator());
    return true;
  });
  reconcileWorkload(c, "deployments", "web", "web");
  rs = names(c, "apps", "replicasets", "web");
  REQUIRE(rs.size() == 2);
  int active = 0;
  for (auto& n : rs) active += getInt(*get(c, "apps", "replicasets", "web", n), {"spec", "replicas"}) > 0;
  CHECK(active == 1);
  CHECK(names(c, "", "pods", "web").size() == 2);
  CHECK(annotation(*get(c, "apps", "deployments", "web", "web"), "deployment.kubernetes.io/revision") == "2");
  CHECK(podTemplateHash(*findPath(*get(c, "apps", "deployments", "web", "web"), {"spec", "template"})) !=
        hash);
}

TEST_CASE("garbage collection: deleting a workload deletes its pods and replica sets", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  makeNamespace(c, "ns");
  make(c, "apps", "statefulsets", sts("ns", "db", 2));
  make(c, "apps", "deployments", deploy("ns", "web", 1));
  reconcileWorkload(c, "statefulsets", "ns", "db");
  reconcileWorkload(c, "deployments", "ns", "web");
  CHECK(names(c, "", "pods", "ns").size() == 3);
  deleteObject(c, *resource(c, "apps", "statefulsets"), "ns", "db");
  reconcileWorkload(c, "statefulsets", "ns", "db");
  CHECK(names(c, "", "pods", "ns").size() == 1);
  deleteObject(c, *resource(c, "apps", "deployments"), "ns", "web");
  reconcileWorkload(c, "deployments", "ns", "web");
  CHECK(names(c, "", "pods", "ns").empty());
  CHECK(names(c, "apps", "replicasets", "ns").empty());
}

TEST_CASE("the workload controller converges on its own, in the background", "[sim]") {
  emu::SimulationConfig cfg;
  cfg.settings["ready-delay-ms"] = "50";
  cfg.settings["stork-controller"] = "off";
  emu::Emulator e({"c1"}, cfg);
  Cluster& c = e.cluster("c1");
  e.install_simulation();
  e.start_controllers();
  makeNamespace(c, "ns");
  make(c, "apps", "statefulsets", sts("ns", "db", 3));
  auto ready = [&](int n) {
    for (int i = 0; i < 100; ++i) {
      auto s = get(c, "apps", "statefulsets", "ns", "db");
      if (getInt(*s, {"status", "readyReplicas"}) == n &&
          names(c, "", "pods", "ns").size() == static_cast<size_t>(n))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  CHECK(ready(3));
  setReplicas(c, "statefulsets", "ns", "db", 1);
  CHECK(ready(1));
  // a deleted pod comes back
  deleteObject(c, *resource(c, "", "pods"), "ns", "db-0");
  CHECK(ready(1));
  CHECK(get(c, "", "pods", "ns", "db-0"));
  e.stop_controllers();
}

TEST_CASE("options come from the simulation settings", "[sim]") {
  emu::SimulationConfig cfg;
  CHECK(optionsFrom(cfg).readyDelayMs == 200);
  CHECK(optionsFrom(cfg).workloads);
  cfg.settings["ready-delay-ms"] = "0";
  cfg.settings["workload-controller"] = "off";
  cfg.settings["minutes-as-seconds"] = "true";
  auto o = optionsFrom(cfg);
  CHECK(o.readyDelayMs == 0);
  CHECK_FALSE(o.workloads);
  CHECK(o.stork);
  CHECK(o.minutesAsSeconds);
}

TEST_CASE("deployment: its annotations are copied onto the new ReplicaSet, as the controller does", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  makeNamespace(c, "web");
  Doc d = parse(deploy("web", "web", 4));
  setAnnotation(d, "kubernetes.io/change-cause", "first");
  setAnnotation(d, "team", "dr");
  setAnnotation(d, "kubectl.kubernetes.io/last-applied-configuration", "{}");
  setAnnotation(d, "deployment.kubernetes.io/desired-replicas", "99");
  setAnnotation(d, "deprecated.deployment.rollback.to", "7");
  make(c, "apps", "deployments", toJson(d));
  reconcileWorkload(c, "deployments", "web", "web");
  auto rsNames = names(c, "apps", "replicasets", "web");
  REQUIRE(rsNames.size() == 1);
  auto rs = get(c, "apps", "replicasets", "web", rsNames[0]);
  CHECK(annotation(*rs, "kubernetes.io/change-cause") == "first");
  CHECK(annotation(*rs, "team") == "dr");
  const Val* ann = findPath(*rs, {"metadata", "annotations"});
  REQUIRE(ann);
  CHECK(find(*ann, "kubectl.kubernetes.io/last-applied-configuration") == nullptr);
  CHECK(find(*ann, "deprecated.deployment.rollback.to") == nullptr);
  CHECK(annotation(*rs, "deployment.kubernetes.io/desired-replicas") == "4");
  CHECK(annotation(*rs, "deployment.kubernetes.io/max-replicas") == "5");  // 4 + 25% rounded up
  CHECK(annotation(*rs, "deployment.kubernetes.io/revision") == "1");
  CHECK(ann->MemberCount() == 5);
  const Val* refs = findPath(*rs, {"metadata", "ownerReferences"});
  REQUIRE(refs);
  REQUIRE(refs->Size() == 1);
  auto dep = get(c, "apps", "deployments", "web", "web");
  CHECK(getString((*refs)[0], {"apiVersion"}) == "apps/v1");
  CHECK(getString((*refs)[0], {"kind"}) == "Deployment");
  CHECK(getString((*refs)[0], {"uid"}) == getString(*dep, {"metadata", "uid"}));
  CHECK(getBool((*refs)[0], {"controller"}));
  CHECK(getBool((*refs)[0], {"blockOwnerDeletion"}));

  // a changed annotation reaches the current ReplicaSet on the next sync; a removed one stays
  auto depR = resource(c, "apps", "deployments");
  modifyObject(c, *depR, "web", "web", [](Doc& x) {
    setAnnotation(x, "team", "storage");
    removeMember(x["metadata"]["annotations"], "kubernetes.io/change-cause");
    return true;
  });
  reconcileWorkload(c, "deployments", "web", "web");
  rs = get(c, "apps", "replicasets", "web", rsNames[0]);
  CHECK(annotation(*rs, "team") == "storage");
  CHECK(annotation(*rs, "kubernetes.io/change-cause") == "first");

  // a new template: the new ReplicaSet gets the annotations, the old one keeps its own
  modifyObject(c, *depR, "web", "web", [](Doc& x) {
    setAnnotation(x, "kubernetes.io/change-cause", "second");
    x["spec"]["template"]["spec"]["containers"][0]["image"].SetString("nginx:1.28", x.GetAllocator());
    return true;
  });
  reconcileWorkload(c, "deployments", "web", "web");
  auto now = names(c, "apps", "replicasets", "web");
  REQUIRE(now.size() == 2);
  std::string second = now[0] == rsNames[0] ? now[1] : now[0];
  auto rs2 = get(c, "apps", "replicasets", "web", second);
  CHECK(annotation(*rs2, "kubernetes.io/change-cause") == "second");
  CHECK(annotation(*rs2, "deployment.kubernetes.io/revision") == "2");
  auto rs1 = get(c, "apps", "replicasets", "web", rsNames[0]);
  CHECK(annotation(*rs1, "kubernetes.io/change-cause") == "first");
  CHECK(annotation(*rs1, "deployment.kubernetes.io/revision") == "1");
  CHECK(getInt(*rs1, {"spec", "replicas"}) == 0);

  // back to the first template (a rollback): revision 3, the old revision in revision-history
  modifyObject(c, *depR, "web", "web", [](Doc& x) {
    x["spec"]["template"]["spec"]["containers"][0]["image"].SetString("nginx:1.27", x.GetAllocator());
    return true;
  });
  reconcileWorkload(c, "deployments", "web", "web");
  rs1 = get(c, "apps", "replicasets", "web", rsNames[0]);
  CHECK(annotation(*rs1, "deployment.kubernetes.io/revision") == "3");
  CHECK(annotation(*rs1, "deployment.kubernetes.io/revision-history") == "1");
  CHECK(annotation(*rs1, "kubernetes.io/change-cause") == "second");
  CHECK(getInt(*rs1, {"spec", "replicas"}) == 4);
  CHECK(annotation(*get(c, "apps", "deployments", "web", "web"), "deployment.kubernetes.io/revision") == "3");
}

TEST_CASE("deployment: max-replicas follows the strategy's maxSurge", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  makeNamespace(c, "ns");
  auto withStrategy = [&](const std::string& name, const std::string& strategy) {
    Doc d = parse(deploy("ns", name, 10));
    Doc s = parse(strategy);
    d["spec"].AddMember("strategy", Val(s, d.GetAllocator()), d.GetAllocator());
    make(c, "apps", "deployments", toJson(d));
    reconcileWorkload(c, "deployments", "ns", name);
    for (auto& rs : listDocs(c, *resource(c, "apps", "replicasets"), "ns"))
      if (label(*rs, "app") == name) return annotation(*rs, "deployment.kubernetes.io/max-replicas");
    return std::string("none");
  };
  CHECK(withStrategy("a", R"({"type":"Recreate"})") == "10");
  CHECK(withStrategy("b", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":3}})") == "13");
  CHECK(withStrategy("c", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"15%"}})") == "12");
  CHECK(withStrategy("d", R"({"type":"RollingUpdate"})") == "13");  // defaulted to 25%
}

TEST_CASE("pod-template-hash: a null member hashes as an absent one (rollout undo sends them)", "[sim]") {
  Doc a = parse(R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"x"}]}})");
  Doc b = parse(
      R"({"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"x"}]}})");
  Doc other =
      parse(R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"y"}]}})");
  CHECK(podTemplateHash(a) == podTemplateHash(b));
  CHECK(podTemplateHash(a) != podTemplateHash(other));
}
