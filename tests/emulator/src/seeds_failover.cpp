// Seed failover-scale:N:M (two clusters): what a one-command failover of a large schedule starts
// from. The first cluster runs N namespaces fo-00001.. with M Deployments/StatefulSets each (one
// running replica, pods included); MigrationSchedule dr-admin/migrationschedule migrates all of them
// to the second cluster; its last migration ran for real (so the destination holds every workload
// at 0 replicas with its count recorded, and the schedule's static copy), and its policy is not due
// for an hour.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "seeds.hpp"
#include "sim.hpp"

namespace emu::seeds {

using namespace emu::sim;

namespace {

constexpr const char* kAdminNamespace = "dr-admin";

void create(Cluster& c, const TypeRef& r, const std::string& json) {
  std::string err;
  if (!r || !create_seeded(c, *r, parse(json), &err)) throw std::runtime_error("seed failover-scale: " + err);
}

std::string namespace_doc(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name +
         R"(","labels":{"kubernetes.io/metadata.name":")" + name +
         R"("}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})";
}

std::string pair_doc(const std::string& peer) {
  return R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterPair","metadata":{"name":"remotecluster","namespace":")" +
         std::string(kAdminNamespace) +
         R"("},"spec":{"options":{"token":"x"},"config":{"clusters":[{"name":")" + peer +
         R"(","cluster":{"server":"https://127.0.0.1"}}],"contexts":[{"name":")" + peer +
         R"(","context":{"cluster":")" + peer + R"(","user":")" + peer + R"("}}],"current-context":")" +
         peer + R"("}},"status":{"schedulerStatus":"Ready","storageStatus":"Ready"}})";
}

std::string workload_doc(bool stateful, const std::string& ns, const std::string& name) {
  return std::string(R"({"apiVersion":"apps/v1","kind":")") + (stateful ? "StatefulSet" : "Deployment") +
         R"(","metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","labels":{"app":")" + name +
         R"("}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":")" + name + R"("}},)" +
         (stateful ? R"("serviceName":")" + name + R"(",)" : std::string()) +
         R"("template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}},"status":{}})";
}

void failover_scale(Emulator& e, const ScaleSpec& s) {
  if (e.clusters().size() < 2) throw std::runtime_error("seed failover-scale needs two clusters");
  Cluster& src = *e.clusters()[0];
  Cluster& dst = *e.clusters()[1];
  const std::time_t now = std::time(nullptr);
  std::string namespaces;
  for (int i = 1; i <= s.namespaces; ++i) {
    char ns[16];
    std::snprintf(ns, sizeof ns, "fo-%05d", i);
    create(src, resource(src, "", "namespaces"), namespace_doc(ns));
    namespaces += std::string(namespaces.empty() ? "" : ",") + "\"" + ns + "\"";
    for (int j = 0; j < s.workloads; ++j) {
      const bool stateful = j % 2 == 1;
      const std::string name = "app-" + std::to_string(j);
      create(src, resource(src, "apps", stateful ? "statefulsets" : "deployments"),
             workload_doc(stateful, ns, name));
      reconcile_workload(src, stateful ? "statefulsets" : "deployments", ns, name);
    }
  }
  for (auto* c : {&src, &dst}) {
    ensure_cluster_domains_status(e, *c);
    create(*c, resource(*c, "", "namespaces"), namespace_doc(kAdminNamespace));
    create(
        *c, stork_resource(*c, "schedulepolicies"),
        R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"SchedulePolicy","metadata":{"name":"hourly"},"policy":{"interval":{"intervalMinutes":60}}})");
  }
  create(src, stork_resource(src, "clusterpairs"), pair_doc(dst.name()));
  create(dst, stork_resource(dst, "clusterpairs"), pair_doc(src.name()));
  create(
      src, stork_resource(src, "migrationschedules"),
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule","metadata":{"name":"migrationschedule","namespace":")" +
          std::string(kAdminNamespace) +
          R"("},"spec":{"schedulePolicyName":"hourly","suspend":false,"autoSuspend":false,"template":{"spec":{"clusterPair":"remotecluster","includeResources":true,"includeVolumes":true,"startApplications":false,"namespaces":[)" +
          namespaces + R"(]}}}})");
  auto ms_r = stork_resource(src, "migrationschedules");
  Object ms = get_object(src, *ms_r, kAdminNamespace, "migrationschedule");
  const std::string migration = start_migration(src, *ms, "Interval", now - 60);
  const auto result = execute_migration(e, src, kAdminNamespace, migration, now - 60);
  if (result.status != "Successful")
    throw std::runtime_error("seed failover-scale: the seeded migration did not succeed: " + result.reason);
  // Records the migration in the schedule and creates its static copy on the destination.
  reconcile_schedule(e, src, kAdminNamespace, "migrationschedule", StorkOptions{}, now);
}

const SeedRegistrar kFailoverScale(
    "failover-scale",
    "failover-scale:N:M — two clusters: N namespaces fo-00001.. with M running workloads each on the "
    "first, migrated by schedule dr-admin/migrationschedule to the second (at 0 replicas)",
    [](Emulator& e, const std::string& arg) {
      ScaleSpec s;
      std::string err;
      if (!parse_scale("scale:" + arg, s, err)) throw std::runtime_error(err);
      failover_scale(e, s);
    });

}  // namespace
}  // namespace emu::seeds
