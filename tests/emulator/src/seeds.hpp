// Seeds: ready-made cluster contents, registered with SeedRegistrar ("--seed NAME[:ARG]").
//
// zookeeper-failover (two clusters; the first is the source, the second the destination): the
//   state of Portworx's DR runbook after a successful scheduled migration (see seeds.cpp).
// scale:N:M: N namespaces ns-00001.. with M workloads each, as Stork migrated them, on the LAST
//   cluster (the destination; with one cluster, that one).
#pragma once

#include <string>

#include "sim_util.hpp"

namespace emu::seeds {

inline constexpr const char* kZookeeperFailover = "zookeeper-failover";

// Throws std::runtime_error when it cannot.
void zookeeper_failover(Emulator& e);

struct ScaleSpec {
  int namespaces = 0;
  int workloads = 0;  // per namespace
};
// "scale:N:M" → spec; false for anything else (err says why when it starts with "scale:").
bool parse_scale(const std::string& seed, ScaleSpec& out, std::string& err);

struct ScaleStats {
  int namespaces = 0, statefulsets = 0, deployments = 0, cronjobs = 0, configmaps = 0, schedules = 0;
  int annotated = 0, docs_spelling = 0;
};
// Fills one cluster. Workload j of a namespace is app-<j>; by the global workload index g its kind
// cycles Deployment, StatefulSet, Deployment, StatefulSet, CronJob; even g are migrated (0 replicas,
// the count in the migrationReplicas annotation, 1-3; CronJobs suspended), g % 50 == 0 with the
// Portworx docs' spelling stork.openstorage.org/migrationReplicas only; odd g run 1 replica (or an
// unsuspended CronJob). Every namespace has ConfigMap app-config. Namespaces i % 10 != 0 have their
// own static-copy MigrationSchedule "migrationschedule"; every tenth is covered by a shared one in
// kube-system ("shared-K" for namespaces 100K..100K+99), which its objects' migrationNamespace names.
ScaleStats scale(EmulatedCluster& c, const ScaleSpec& s);

}  // namespace emu::seeds
