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
