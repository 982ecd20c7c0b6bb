#include <catch2/catch.hpp>

#include <thread>

#include "sim_test_util.hpp"

using namespace simtest;

TEST_CASE("statefulset: pods <name>-<ordinal> Running, status follows, scale-down from the top", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  make_namespace(c, "zookeeper");
  make(c, "apps", "statefulsets", sts("zookeeper", "zk", 3));
  CHECK(reconcile_workload(c, "statefulsets", "zookeeper", "zk"));
  CHECK(names(c, "", "pods", "zookeeper") == std::vector<std::string>{"zk-0", "zk-1", "zk-2"});
  auto pod = get(c, "", "pods", "zookeeper", "zk-1");
  REQUIRE(pod);
  CHECK(get_string(*pod, {"status", "phase"}) == "Running");
  const Val* cs = find_path(*pod, {"status", "containerStatuses"});
  REQUIRE(cs);
  CHECK((*cs)[0]["ready"].GetBool());
  CHECK(get_string((*cs)[0], {"state", "running", "startedAt"}) != "");
  CHECK(label(*pod, "statefulset.kubernetes.io/pod-name") == "zk-1");
  CHECK(label(*pod, "app") == "zk");
  CHECK(get_string((*find_path(*pod, {"metadata", "ownerReferences"}))[0], {"kind"}) == "StatefulSet");
  auto s = get(c, "apps", "statefulsets", "zookeeper", "zk");
  CHECK(get_int(*s, {"status", "replicas"}) == 3);
  CHECK(get_int(*s, {"status", "readyReplicas"}) == 3);
  CHECK(get_int(*s, {"status", "availableReplicas"}) == 3);
  CHECK(get_int(*s, {"status", "observedGeneration"}) == get_int(*s, {"metadata", "generation"}));
  CHECK_FALSE(reconcile_workload(c, "statefulsets", "zookeeper", "zk"));  // converged: writes nothing

  set_replicas(c, "statefulsets", "zookeeper", "zk", 1);
  reconcile_workload(c, "statefulsets", "zookeeper", "zk");
  CHECK(names(c, "", "pods", "zookeeper") == std::vector<std::string>{"zk-0"});
  s = get(c, "apps", "statefulsets", "zookeeper", "zk");
  CHECK(get_int(*s, {"status", "readyReplicas"}) == 1);
  CHECK(get_int(*s, {"status", "observedGeneration"}) == get_int(*s, {"metadata", "generation"}));

  set_replicas(c, "statefulsets", "zookeeper", "zk", 0);
  reconcile_workload(c, "statefulsets", "zookeeper", "zk");
  CHECK(names(c, "", "pods", "zookeeper").empty());
  s = get(c, "apps", "statefulsets", "zookeeper", "zk");
  CHECK(get_int(*s, {"status", "replicas"}, -1) == 0);
  CHECK(find(*find_path(*s, {"status"}), "readyReplicas") == nullptr);  // omitempty, as the apiserver
}

TEST_CASE("ready delay: pods are Pending (ContainerCreating), then Running", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  make_namespace(c, "ns");
  make(c, "apps", "statefulsets", sts("ns", "db", 2));
  WorkloadReconciler r(std::chrono::milliseconds(200));
  auto t0 = Clock::now();
  auto step = r.reconcile(c, "statefulsets", "ns", "db", t0);
  CHECK(step.changed);
  REQUIRE(step.pending);
  CHECK(step.ready_at == t0 + std::chrono::milliseconds(200));
  auto pod = get(c, "", "pods", "ns", "db-0");
  CHECK(get_string(*pod, {"status", "phase"}) == "Pending");
  CHECK(get_string((*find_path(*pod, {"status", "containerStatuses"}))[0], {"state", "waiting", "reason"}) ==
        "ContainerCreating");
  auto s = get(c, "apps", "statefulsets", "ns", "db");
  CHECK(get_int(*s, {"status", "replicas"}) == 2);
  CHECK(get_int(*s, {"status", "readyReplicas"}) == 0);

  step = r.reconcile(c, "statefulsets", "ns", "db", t0 + std::chrono::milliseconds(100));
  CHECK(step.pending);
  step = r.reconcile(c, "statefulsets", "ns", "db", t0 + std::chrono::milliseconds(200));
  CHECK_FALSE(step.pending);
  CHECK(get_string(*get(c, "", "pods", "ns", "db-1"), {"status", "phase"}) == "Running");
  CHECK(get_int(*get(c, "apps", "statefulsets", "ns", "db"), {"status", "readyReplicas"}) == 2);
}

TEST_CASE("deployment: ReplicaSet <name>-<hash> owns pods <rs>-<rand5>; a new template rolls out", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  make_namespace(c, "web");
  make(c, "apps", "deployments", deploy("web", "web", 2));
  reconcile_workload(c, "deployments", "web", "web");
  auto rs = names(c, "apps", "replicasets", "web");
  REQUIRE(rs.size() == 1);
  std::string hash = rs[0].substr(4);
  CHECK(rs[0].rfind("web-", 0) == 0);
  CHECK(hash.size() == 10);
  auto rs_obj = get(c, "apps", "replicasets", "web", rs[0]);
  CHECK(get_string((*find_path(*rs_obj, {"metadata", "ownerReferences"}))[0], {"name"}) == "web");
  CHECK(label(*rs_obj, "pod-template-hash") == hash);
  CHECK(annotation(*rs_obj, "deployment.kubernetes.io/revision") == "1");
  auto pods = names(c, "", "pods", "web");
  REQUIRE(pods.size() == 2);
  for (auto& p : pods) {
    CHECK(p.rfind(rs[0] + "-", 0) == 0);
    CHECK(p.size() == rs[0].size() + 6);
  }
  auto d = get(c, "apps", "deployments", "web", "web");
  CHECK(get_int(*d, {"status", "readyReplicas"}) == 2);
  CHECK(get_int(*d, {"status", "updatedReplicas"}) == 2);
  CHECK(get_int(*d, {"status", "availableReplicas"}) == 2);
  CHECK(annotation(*d, "deployment.kubernetes.io/revision") == "1");

  // a new image: a second ReplicaSet takes over, the first goes to 0
  modify_object(c, *resource(c, "apps", "deployments"), "web", "web", [](Doc& x) {
    x["spec"]["template"]["spec"]["containers"][0]["image"].SetString("nginx:1.28", x.GetAllocator());
    return true;
  });
  reconcile_workload(c, "deployments", "web", "web");
  rs = names(c, "apps", "replicasets", "web");
  REQUIRE(rs.size() == 2);
  int active = 0;
  for (auto& n : rs) active += get_int(*get(c, "apps", "replicasets", "web", n), {"spec", "replicas"}) > 0;
  CHECK(active == 1);
  CHECK(names(c, "", "pods", "web").size() == 2);
  CHECK(annotation(*get(c, "apps", "deployments", "web", "web"), "deployment.kubernetes.io/revision") == "2");
  CHECK(pod_template_hash(*find_path(*get(c, "apps", "deployments", "web", "web"), {"spec", "template"})) !=
        hash);
}

TEST_CASE("garbage collection: deleting a workload deletes its pods and replica sets", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  make_namespace(c, "ns");
  make(c, "apps", "statefulsets", sts("ns", "db", 2));
  make(c, "apps", "deployments", deploy("ns", "web", 1));
  reconcile_workload(c, "statefulsets", "ns", "db");
  reconcile_workload(c, "deployments", "ns", "web");
  CHECK(names(c, "", "pods", "ns").size() == 3);
  delete_object(c, *resource(c, "apps", "statefulsets"), "ns", "db");
  reconcile_workload(c, "statefulsets", "ns", "db");
  CHECK(names(c, "", "pods", "ns").size() == 1);
  delete_object(c, *resource(c, "apps", "deployments"), "ns", "web");
  reconcile_workload(c, "deployments", "ns", "web");
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
  make_namespace(c, "ns");
  make(c, "apps", "statefulsets", sts("ns", "db", 3));
  auto ready = [&](int n) {
    for (int i = 0; i < 100; ++i) {
      auto s = get(c, "apps", "statefulsets", "ns", "db");
      if (get_int(*s, {"status", "readyReplicas"}) == n &&
          names(c, "", "pods", "ns").size() == static_cast<size_t>(n))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  CHECK(ready(3));
  set_replicas(c, "statefulsets", "ns", "db", 1);
  CHECK(ready(1));
  // a deleted pod comes back
  delete_object(c, *resource(c, "", "pods"), "ns", "db-0");
  CHECK(ready(1));
  CHECK(get(c, "", "pods", "ns", "db-0"));
  e.stop_controllers();
}

TEST_CASE("options come from the simulation settings", "[sim]") {
  emu::SimulationConfig cfg;
  CHECK(options_from(cfg).ready_delay_ms == 200);
  CHECK(options_from(cfg).workloads);
  cfg.settings["ready-delay-ms"] = "0";
  cfg.settings["workload-controller"] = "off";
  cfg.settings["minutes-as-seconds"] = "true";
  auto o = options_from(cfg);
  CHECK(o.ready_delay_ms == 0);
  CHECK_FALSE(o.workloads);
  CHECK(o.stork);
  CHECK(o.minutes_as_seconds);
}

TEST_CASE("deployment: its annotations are copied onto the new ReplicaSet, as the controller does", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  make_namespace(c, "web");
  Doc d = parse(deploy("web", "web", 4));
  set_annotation(d, "kubernetes.io/change-cause", "first");
  set_annotation(d, "team", "dr");
  set_annotation(d, "kubectl.kubernetes.io/last-applied-configuration", "{}");
  set_annotation(d, "deployment.kubernetes.io/desired-replicas", "99");
  set_annotation(d, "deprecated.deployment.rollback.to", "7");
  make(c, "apps", "deployments", emu::to_json(d));
  reconcile_workload(c, "deployments", "web", "web");
  auto rs_names = names(c, "apps", "replicasets", "web");
  REQUIRE(rs_names.size() == 1);
  auto rs = get(c, "apps", "replicasets", "web", rs_names[0]);
  CHECK(annotation(*rs, "kubernetes.io/change-cause") == "first");
  CHECK(annotation(*rs, "team") == "dr");
  const Val* ann = find_path(*rs, {"metadata", "annotations"});
  REQUIRE(ann);
  CHECK(find(*ann, "kubectl.kubernetes.io/last-applied-configuration") == nullptr);
  CHECK(find(*ann, "deprecated.deployment.rollback.to") == nullptr);
  CHECK(annotation(*rs, "deployment.kubernetes.io/desired-replicas") == "4");
  CHECK(annotation(*rs, "deployment.kubernetes.io/max-replicas") == "5");  // 4 + 25% rounded up
  CHECK(annotation(*rs, "deployment.kubernetes.io/revision") == "1");
  CHECK(ann->MemberCount() == 5);
  const Val* refs = find_path(*rs, {"metadata", "ownerReferences"});
  REQUIRE(refs);
  REQUIRE(refs->Size() == 1);
  auto dep = get(c, "apps", "deployments", "web", "web");
  CHECK(get_string((*refs)[0], {"apiVersion"}) == "apps/v1");
  CHECK(get_string((*refs)[0], {"kind"}) == "Deployment");
  CHECK(get_string((*refs)[0], {"uid"}) == get_string(*dep, {"metadata", "uid"}));
  CHECK(get_bool((*refs)[0], {"controller"}));
  CHECK(get_bool((*refs)[0], {"blockOwnerDeletion"}));

  // a changed annotation reaches the current ReplicaSet on the next sync; a removed one stays
  auto dep_r = resource(c, "apps", "deployments");
  modify_object(c, *dep_r, "web", "web", [](Doc& x) {
    set_annotation(x, "team", "storage");
    remove_member(x["metadata"]["annotations"], "kubernetes.io/change-cause");
    return true;
  });
  reconcile_workload(c, "deployments", "web", "web");
  rs = get(c, "apps", "replicasets", "web", rs_names[0]);
  CHECK(annotation(*rs, "team") == "storage");
  CHECK(annotation(*rs, "kubernetes.io/change-cause") == "first");

  // a new template: the new ReplicaSet gets the annotations, the old one keeps its own
  modify_object(c, *dep_r, "web", "web", [](Doc& x) {
    set_annotation(x, "kubernetes.io/change-cause", "second");
    x["spec"]["template"]["spec"]["containers"][0]["image"].SetString("nginx:1.28", x.GetAllocator());
    return true;
  });
  reconcile_workload(c, "deployments", "web", "web");
  auto now = names(c, "apps", "replicasets", "web");
  REQUIRE(now.size() == 2);
  std::string second = now[0] == rs_names[0] ? now[1] : now[0];
  auto rs2 = get(c, "apps", "replicasets", "web", second);
  CHECK(annotation(*rs2, "kubernetes.io/change-cause") == "second");
  CHECK(annotation(*rs2, "deployment.kubernetes.io/revision") == "2");
  auto rs1 = get(c, "apps", "replicasets", "web", rs_names[0]);
  CHECK(annotation(*rs1, "kubernetes.io/change-cause") == "first");
  CHECK(annotation(*rs1, "deployment.kubernetes.io/revision") == "1");
  CHECK(get_int(*rs1, {"spec", "replicas"}) == 0);

  // back to the first template (a rollback): revision 3, the old revision in revision-history
  modify_object(c, *dep_r, "web", "web", [](Doc& x) {
    x["spec"]["template"]["spec"]["containers"][0]["image"].SetString("nginx:1.27", x.GetAllocator());
    return true;
  });
  reconcile_workload(c, "deployments", "web", "web");
  rs1 = get(c, "apps", "replicasets", "web", rs_names[0]);
  CHECK(annotation(*rs1, "deployment.kubernetes.io/revision") == "3");
  CHECK(annotation(*rs1, "deployment.kubernetes.io/revision-history") == "1");
  CHECK(annotation(*rs1, "kubernetes.io/change-cause") == "second");
  CHECK(get_int(*rs1, {"spec", "replicas"}) == 4);
  CHECK(annotation(*get(c, "apps", "deployments", "web", "web"), "deployment.kubernetes.io/revision") == "3");
}

TEST_CASE("deployment: max-replicas follows the strategy's maxSurge", "[sim]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("c1");
  make_namespace(c, "ns");
  auto with_strategy = [&](const std::string& name, const std::string& strategy) {
    Doc d = parse(deploy("ns", name, 10));
    Doc s = parse(strategy);
    d["spec"].AddMember("strategy", Val(s, d.GetAllocator()), d.GetAllocator());
    make(c, "apps", "deployments", emu::to_json(d));
    reconcile_workload(c, "deployments", "ns", name);
    for (auto& rs : list_docs(c, *resource(c, "apps", "replicasets"), "ns"))
      if (label(*rs, "app") == name) return annotation(*rs, "deployment.kubernetes.io/max-replicas");
    return std::string("none");
  };
  CHECK(with_strategy("a", R"({"type":"Recreate"})") == "10");
  CHECK(with_strategy("b", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":3}})") == "13");
  CHECK(with_strategy("c", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"15%"}})") == "12");
  CHECK(with_strategy("d", R"({"type":"RollingUpdate"})") == "13");  // defaulted to 25%
}

TEST_CASE("pod-template-hash: a null member hashes as an absent one (rollout undo sends them)", "[sim]") {
  Doc a = parse(R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"x"}]}})");
  Doc b = parse(
      R"({"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"x"}]}})");
  Doc other =
      parse(R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"n","image":"y"}]}})");
  CHECK(pod_template_hash(a) == pod_template_hash(b));
  CHECK(pod_template_hash(a) != pod_template_hash(other));
}
