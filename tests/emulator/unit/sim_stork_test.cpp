#include <catch2/catch.hpp>
#include <thread>

#include "sim_test_util.hpp"

using namespace simtest;

namespace {

// Two clusters as one Portworx cluster: a pair in `ns` on a pointing at b, a policy, a schedule.
struct Pair {
  emu::Emulator e{{"a", "b"}, emu::SimulationConfig{}};
  Cluster& a = e.cluster("a");
  Cluster& b = e.cluster("b");

  Pair() {
    for (auto* c : e.clusters()) ensure_cluster_domains_status(e, *c);
    make_namespace(a, "app");
    make(
        a, kStorkGroup, "clusterpairs",
        R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterPair","metadata":{"name":"remote","namespace":"app"},
             "spec":{"config":{"clusters":[{"name":"b","cluster":{"server":"https://127.0.0.1"}}],
             "contexts":[{"name":"b","context":{"cluster":"b","user":"u"}}],"current-context":"b"},"options":{}}})");
    make(
        a, kStorkGroup, "schedulepolicies",
        R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"SchedulePolicy","metadata":{"name":"every"},
             "policy":{"interval":{"intervalMinutes":1}}})");
  }

  void schedule(bool suspend, bool auto_suspend = false) {
    make(
        a, kStorkGroup, "migrationschedules",
        std::string(
            R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule","metadata":{"name":"ms","namespace":"app"},
             "spec":{"template":{"spec":{"clusterPair":"remote","namespaces":["app"]}},"schedulePolicyName":"every",
             "suspend":)") +
            (suspend ? "true" : "false") + R"(,"autoSuspend":)" + (auto_suspend ? "true" : "false") + "}}");
  }

  MigrationResult migrate(const std::string& name) {
    make(a, kStorkGroup, "migrations",
         R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":")" +
             name + R"(","namespace":"app"},"spec":{"clusterPair":"remote","namespaces":["app"]}})");
    return execute_migration(e, a, "app", name);
  }

  std::string domain_state(Cluster& c, const std::string& domain) {
    auto cds = list_docs(c, *stork_resource(c, "clusterdomainsstatuses"));
    for (auto& i : (*find_path(*cds.at(0), {"status", "clusterDomainInfos"})).GetArray())
      if (get_string(i, {"name"}) == domain)
        return get_string(i, {"state"}) + "/" + get_string(i, {"syncStatus"});
    return "";
  }

  void cdu(Cluster& c, const std::string& name, const std::string& domain, bool active) {
    make(
        c, kStorkGroup, "clusterdomainupdates",
        R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainUpdate","metadata":{"name":")" +
            name + R"("},"spec":{"clusterdomain":")" + domain + R"(","active":)" +
            (active ? "true" : "false") + "}}");
    process_cluster_domain_update(e, c, name);
  }
};

}  // namespace

TEST_CASE("ClusterDomainUpdate: the domain's state changes in every cluster", "[sim]") {
  Pair p;
  CHECK(p.domain_state(p.a, "a") == "Active/InSync");
  CHECK(local_domain(p.b) == "b");
  p.cdu(p.b, "off", "a", false);
  auto u = get_object(p.b, *stork_resource(p.b, "clusterdomainupdates"), "", "off");
  CHECK(get_string(*u, {"status", "status"}) == "Successful");
  CHECK(p.domain_state(p.a, "a") == "Inactive/SyncStatusUnknown");
  CHECK(p.domain_state(p.b, "a") == "Inactive/SyncStatusUnknown");
  CHECK(p.domain_state(p.b, "b") == "Active/SyncStatusUnknown");
  CHECK_FALSE(domain_state(p.e, "a").active);
  p.cdu(p.a, "on", "a", true);
  CHECK(p.domain_state(p.b, "a") == "Active/InSync");
  CHECK(domain_state(p.e, "a").active);
}

TEST_CASE("ClusterDomainUpdate of an unknown domain fails with a reason", "[sim]") {
  Pair p;
  p.cdu(p.a, "bad", "nope", false);
  auto u = get_object(p.a, *stork_resource(p.a, "clusterdomainupdates"), "", "bad");
  CHECK(get_string(*u, {"status", "status"}) == "Failed");
  CHECK(get_string(*u, {"status", "reason"}) ==
        "unable to deactivate cluster domain: cluster domain nope not found");
  CHECK(p.domain_state(p.a, "a") == "Active/InSync");
}

TEST_CASE("Migration: apps copied at 0 replicas with the count; CronJobs suspended", "[sim]") {
  Pair p;
  make(p.a, "apps", "statefulsets", sts("app", "zk", 3));
  make(p.a, "apps", "deployments", deploy("app", "web", 2));
  make(
      p.a, "batch", "cronjobs",
      R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"report","namespace":"app"},"spec":{"schedule":"*/5 * * * *",
           "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"r","image":"busybox"}]}}}}}})");
  make(
      p.a, "", "configmaps",
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"app"},"data":{"k":"v"}})");
  auto r = p.migrate("m1");
  CHECK(r.status == "Successful");
  CHECK(r.resources == 4);
  auto zk = get(p.b, "apps", "statefulsets", "app", "zk");
  REQUIRE(zk);
  CHECK(get_int(*zk, {"spec", "replicas"}) == 0);
  CHECK(annotation(*zk, kAnnReplicas) == "3");
  CHECK(annotation(*zk, kAnnMigrationNamespace) == "app");
  CHECK(annotation(*zk, kAnnMigrationName) == "m1");
  CHECK(label(*zk, kAnnMigrated) == "true");
  CHECK(annotation(*get(p.b, "apps", "deployments", "app", "web"), kAnnReplicas) == "2");
  CHECK(get_bool(*get(p.b, "batch", "cronjobs", "app", "report"), {"spec", "suspend"}));
  CHECK(get(p.b, "", "configmaps", "app", "cfg"));
  CHECK(get(p.b, "", "namespaces", "", "app"));
  auto m = get_object(p.a, *stork_resource(p.a, "migrations"), "app", "m1");
  CHECK(get_string(*m, {"status", "status"}) == "Successful");
  CHECK(get_string(*m, {"status", "stage"}) == "Final");
  CHECK(get_int(*m, {"status", "summary", "numOfMigratedResources"}) == 4);
  CHECK(get_string(*m, {"status", "finishTimestamp"}) != "");
  // the source is untouched
  CHECK(get_int(*get(p.a, "apps", "statefulsets", "app", "zk"), {"spec", "replicas"}) == 3);
  // a stopped migrated copy carries its count forward (failback of a deactivated app)
  CHECK(annotation(*zk, kAnnReplicas) == "3");
}

TEST_CASE("Migration over an activated destination: kept while the source is unchanged, else back to 0",
          "[sim]") {
  Pair p;
  make(p.a, "apps", "statefulsets", sts("app", "zk", 3));
  REQUIRE(p.migrate("m1").status == "Successful");
  set_replicas(p.b, "statefulsets", "app", "zk", 3);  // activated by hand on the destination
  REQUIRE(p.migrate("m2").status == "Successful");
  CHECK(get_int(*get(p.b, "apps", "statefulsets", "app", "zk"), {"spec", "replicas"}) ==
        3);  // same hash: skipped
  set_replicas(p.a, "statefulsets", "app", "zk",
               0);  // the runbook's `kubectl scale --replicas 0` on the source
  REQUIRE(p.migrate("m3").status == "Successful");
  auto zk = get(p.b, "apps", "statefulsets", "app", "zk");
  CHECK(get_int(*zk, {"spec", "replicas"}) == 0);  // overwritten
  CHECK(annotation(*zk, kAnnReplicas) == "0");     // and the count is lost
}

TEST_CASE("a suspended schedule starts nothing; a running one starts on its interval", "[sim]") {
  Pair p;
  p.schedule(true);
  StorkOptions o;
  o.minutes_as_seconds = true;
  bool active = true;
  CHECK(reconcile_schedule(p.e, p.a, "app", "ms", o, std::time(nullptr), &active).empty());
  CHECK_FALSE(active);
  CHECK(names(p.a, kStorkGroup, "migrations", "app").empty());
  CHECK_FALSE(get(p.b, kStorkGroup, "migrationschedules", "app", "ms"));  // no static copy while suspended

  modify_object(p.a, *stork_resource(p.a, "migrationschedules"), "app", "ms", [](Doc& d) {
    d["spec"]["suspend"].SetBool(false);
    return true;
  });
  std::time_t t = std::time(nullptr);
  std::string m = reconcile_schedule(p.e, p.a, "app", "ms", o, t, &active);
  CHECK(active);
  REQUIRE(m == "ms-interval-" + name_time_suffix(t));
  auto copy = get(p.b, kStorkGroup, "migrationschedules", "app", "ms");
  REQUIRE(copy);
  CHECK(annotation(*copy, kAnnStaticCopy) == "true");
  CHECK(get_bool(*copy, {"spec", "suspend"}));
  auto mig = get(p.a, kStorkGroup, "migrations", "app", m);
  CHECK(annotation(*mig, kAnnScheduleName) == "ms");
  CHECK(execute_migration(p.e, p.a, "app", m).status == "Successful");
  // the next pass records the outcome; not due again within the interval (1 "minute" = 1 s here)
  CHECK(reconcile_schedule(p.e, p.a, "app", "ms", o, t).empty());
  auto ms = get(p.a, kStorkGroup, "migrationschedules", "app", "ms");
  const Val& item = (*find_path(*ms, {"status", "items", "Interval"}))[0];
  CHECK(get_string(item, {"status"}) == "Successful");
  CHECK(get_string(item, {"finishTimestamp"}) != "");
  CHECK(reconcile_schedule(p.e, p.a, "app", "ms", o, t + 2) == "ms-interval-" + name_time_suffix(t + 2));
}

TEST_CASE("inactive domains: migrations fail, the source's schedule suspends itself", "[sim]") {
  Pair p;
  make(p.a, "apps", "statefulsets", sts("app", "zk", 1));
  p.cdu(p.b, "off", "b", false);
  auto r = p.migrate("to-inactive");
  CHECK(r.status == "Failed");
  CHECK(r.reason == "cluster domain b of the destination cluster is inactive");
  auto m = get(p.a, kStorkGroup, "migrations", "app", "to-inactive");
  CHECK(get_string(*m, {"status", "status"}) == "Failed");
  CHECK(get_string(*m, {"status", "stage"}) == "Final");
  CHECK_FALSE(get(p.b, "apps", "statefulsets", "app", "zk"));

  p.cdu(p.b, "on", "b", true);
  p.cdu(p.b, "off-a", "a", false);
  CHECK(p.migrate("from-inactive").status == "Failed");
  p.schedule(false);
  CHECK(reconcile_schedule(p.e, p.a, "app", "ms", StorkOptions{}, std::time(nullptr)).empty());
  CHECK(get_bool(*get(p.a, kStorkGroup, "migrationschedules", "app", "ms"), {"spec", "suspend"}));
}

TEST_CASE("autoSuspend: activated apps on the destination suspend the source schedule", "[sim]") {
  Pair p;
  make(p.a, "apps", "statefulsets", sts("app", "zk", 1));
  p.schedule(false, true);
  StorkOptions o;
  std::time_t t = std::time(nullptr);
  std::string m = reconcile_schedule(p.e, p.a, "app", "ms", o, t);
  REQUIRE_FALSE(m.empty());
  REQUIRE(execute_migration(p.e, p.a, "app", m).status == "Successful");
  // storkctl activate migration on the destination marks the static copy
  modify_object(p.b, *stork_resource(p.b, "migrationschedules"), "app", "ms", [](Doc& d) {
    set_bool(object_member(d, "status", d.GetAllocator()), "applicationActivated", true, d.GetAllocator());
    return true;
  });
  // a scheduled migration now fails rather than overwrite the activated apps
  std::string m2 =
      start_migration(p.a, *get(p.a, kStorkGroup, "migrationschedules", "app", "ms"), "Interval", t + 1);
  auto r = execute_migration(p.e, p.a, "app", m2);
  CHECK(r.status == "Failed");
  CHECK(r.reason == "migrated applications are active on remote cluster");
  // and the schedule suspends itself
  bool active = true;
  reconcile_schedule(p.e, p.a, "app", "ms", o, t + 3600, &active);
  CHECK_FALSE(active);
  CHECK(get_bool(*get(p.a, kStorkGroup, "migrationschedules", "app", "ms"), {"spec", "suspend"}));
}

TEST_CASE("a ClusterPair names its peer by its kubeconfig context", "[sim]") {
  Pair p;
  std::string why;
  CHECK(pair_peer(p.e, p.a, "app", "remote", &why) == &p.b);
  CHECK(pair_peer(p.e, p.a, "app", "nope", &why) == nullptr);
  CHECK(why == "clusterpairs.stork.libopenstorage.org \"nope\" not found");
  auto r = p.migrate("x");
  CHECK(r.status == "Successful");
  make(
      p.a, kStorkGroup, "migrations",
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":"y","namespace":"app"},
           "spec":{"clusterPair":"nope","namespaces":["app"]}})");
  CHECK(execute_migration(p.e, p.a, "app", "y").status == "Failed");
}

TEST_CASE("a Migration runs once when two threads race for it, and both learn its outcome and reason",
          "[sim]") {
  Pair p;
  make(
      p.a, kStorkGroup, "migrations",
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":"race","namespace":"app"},
           "spec":{"clusterPair":"nope","namespaces":["app"]}})");
  MigrationResult first, second;
  std::thread other([&] { second = execute_migration(p.e, p.a, "app", "race"); });
  first = execute_migration(p.e, p.a, "app", "race");
  other.join();
  // One ran it (Failed, with the reason); the other found it taken (InProgress) or done (Failed).
  int ran = (first.reason.empty() ? 0 : 1) + (second.reason.empty() ? 0 : 1);
  CHECK(ran == 1);
  auto outcome = await_migration_outcome(p.a, "app", "race", std::chrono::seconds(5));
  CHECK(outcome.status == "Failed");
  CHECK(outcome.reason == "clusterpairs.stork.libopenstorage.org \"nope\" not found");
  // A later Migration of the same name (Stork names them by the second) is a new one: no stale answer.
  delete_object(p.a, *stork_resource(p.a, "migrations"), "app", "race");
  p.migrate("race");
  CHECK(await_migration_outcome(p.a, "app", "race", std::chrono::seconds(5)).status == "Successful");
}
