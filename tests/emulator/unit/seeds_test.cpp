#include <catch2/catch.hpp>

#include "seeds.hpp"
#include "sim_test_util.hpp"

using namespace simtest;

TEST_CASE("seed zookeeper-failover: the runbook's state after a scheduled migration", "[sim]") {
  emu::Emulator e({"us-east-1a", "us-east-1b"}, emu::SimulationConfig{});
  emu::apply_seed(e, "zookeeper-failover");
  Cluster& src = e.cluster("us-east-1a");
  Cluster& dst = e.cluster("us-east-1b");
  auto zk = get(src, "apps", "statefulsets", "zookeeper", "zk");
  REQUIRE(zk);
  CHECK(get_int(*zk, {"spec", "replicas"}) == 3);
  CHECK(get_int(*zk, {"status", "readyReplicas"}) == 3);
  CHECK(label(*zk, "app") == "zk");
  CHECK(names(src, "", "pods", "zookeeper") == std::vector<std::string>{"zk-0", "zk-1", "zk-2"});
  auto ms = get(src, kStorkGroup, "migrationschedules", "zookeeper", "migrationschedule");
  REQUIRE(ms);
  CHECK(get_string(*ms, {"spec", "template", "spec", "clusterPair"}) == "remotecluster");
  CHECK(get_string(*ms, {"spec", "schedulePolicyName"}) == "default-migration-policy");
  CHECK_FALSE(get_bool(*ms, {"spec", "suspend"}, true));
  const Val* items = find_path(*ms, {"status", "items", "Interval"});
  REQUIRE(items);
  REQUIRE(items->Size() == 1);
  CHECK(get_string((*items)[0], {"status"}) == "Successful");
  std::time_t created = parse_rfc3339(get_string((*items)[0], {"creationTimestamp"}));
  CHECK(parse_rfc3339(get_string((*items)[0], {"finishTimestamp"})) - created == 10);
  auto mig = get(src, kStorkGroup, "migrations", "zookeeper", get_string((*items)[0], {"name"}));
  REQUIRE(mig);
  CHECK(get_string(*mig, {"status", "status"}) == "Successful");
  CHECK(get(src, kStorkGroup, "clusterpairs", "zookeeper", "remotecluster"));
  CHECK(pair_peer(e, src, "zookeeper", "remotecluster") == &dst);
  CHECK(get(src, kStorkGroup, "schedulepolicies", "", "default-migration-policy"));

  auto copy = get(dst, "apps", "statefulsets", "zookeeper", "zk");
  REQUIRE(copy);
  CHECK(get_int(*copy, {"spec", "replicas"}) == 0);
  CHECK(annotation(*copy, kAnnReplicas) == "3");
  CHECK(annotation(*copy, kAnnMigrationNamespace) == "zookeeper");
  CHECK(names(dst, "", "pods", "zookeeper").empty());
  auto static_copy = get(dst, kStorkGroup, "migrationschedules", "zookeeper", "migrationschedule");
  REQUIRE(static_copy);
  CHECK(annotation(*static_copy, kAnnStaticCopy) == "true");
  CHECK(get_bool(*static_copy, {"spec", "suspend"}));
  CHECK(pair_peer(e, dst, "zookeeper", "remotecluster") == &src);  // paired back, for failback
  for (auto* c : e.clusters()) {
    CHECK(local_domain(*c) == c->name());
    CHECK(domain_state(e, c->name()).active);
  }
}

TEST_CASE("seed zookeeper-failover needs two clusters", "[sim]") {
  emu::Emulator e({"only"}, emu::SimulationConfig{});
  CHECK_THROWS_WITH(emu::apply_seed(e, "zookeeper-failover"), Catch::Contains("needs two clusters"));
}

TEST_CASE("seed scale:N:M: counts, annotations, spellings", "[sim]") {
  emu::seeds::ScaleSpec s;
  std::string err;
  CHECK(emu::seeds::parse_scale("scale:20:6", s, err));
  CHECK(s.namespaces == 20);
  CHECK(s.workloads == 6);
  CHECK_FALSE(emu::seeds::parse_scale("scale:0:6", s, err));
  CHECK_FALSE(err.empty());
  CHECK_FALSE(emu::seeds::parse_scale("scale:3", s, err));

  emu::Emulator e({"src", "dst"}, emu::SimulationConfig{});
  Cluster& c = e.cluster("dst");
  auto st = emu::seeds::scale(c, {20, 10});
  CHECK(st.namespaces == 20);
  CHECK(st.deployments + st.statefulsets + st.cronjobs == 200);
  CHECK(st.cronjobs == 40);
  CHECK(st.annotated == 100);
  CHECK(st.docs_spelling == 4);
  CHECK(st.configmaps == 20);
  CHECK(names(c, "apps", "deployments", "ns-00001").size() == 4);
  auto app0 = get(c, "apps", "deployments", "ns-00001", "app-0");
  CHECK(annotation(*app0, kAnnReplicasDocs) == "1");  // g = 0: the docs' spelling
  CHECK(annotation(*app0, kAnnReplicas).empty());
  CHECK(get_int(*app0, {"spec", "replicas"}) == 0);
  auto app2 = get(c, "apps", "deployments", "ns-00001", "app-2");
  CHECK(annotation(*app2, kAnnReplicas) == "2");
  CHECK(annotation(*app2, kAnnMigrationNamespace) == "ns-00001");
  auto app1 = get(c, "apps", "statefulsets", "ns-00001", "app-1");
  CHECK(get_int(*app1, {"spec", "replicas"}) == 1);
  CHECK(get_int(*app1, {"status", "readyReplicas"}) == 1);
  CHECK(get(c, "", "pods", "ns-00001", "app-1-0"));
  CHECK(annotation(*get(c, "apps", "deployments", "ns-00010", "app-0"), kAnnMigrationNamespace) ==
        "kube-system");
  CHECK(get(c, kStorkGroup, "migrationschedules", "kube-system", "shared-0"));
  CHECK(annotation(*get(c, kStorkGroup, "migrationschedules", "ns-00001", "migrationschedule"),
                   kAnnStaticCopy) == "true");
  CHECK(names(e.cluster("src"), "apps", "deployments", "ns-00001").empty());  // the last cluster only
}

// How fast seeding is belongs to scripts/bench.sh, not to a timed assertion here.
TEST_CASE("seed scale: 10,000 and 50,000 workloads, counted", "[sim][scale]") {
  emu::Emulator e({"c1"}, emu::SimulationConfig{});
  emu::apply_seed(e, "scale:1000:10");
  Cluster& c = e.cluster("c1");
  CHECK(c.store().count(*resource(c, "apps", "deployments")) +
            c.store().count(*resource(c, "apps", "statefulsets")) +
            c.store().count(*resource(c, "batch", "cronjobs")) ==
        10000);

  emu::Emulator big({"c1"}, emu::SimulationConfig{});
  emu::apply_seed(big, "scale:5000:10");
  Cluster& b = big.cluster("c1");
  CHECK(b.store().count(*resource(b, "batch", "cronjobs")) == 10000);
}
