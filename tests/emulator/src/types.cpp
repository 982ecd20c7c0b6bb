#include "types.hpp"

namespace emu {

namespace types {
const ResourceType namespaces{"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {}, true, true, false};
const ResourceType pods{"", "v1", "pods", "pod", "Pod", true, {"po"}, {"all"}, true, true, false};
const ResourceType configmaps{"", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, {}, true, false, false};
const ResourceType deployments{"apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}, {"all"}, true, true, true};
const ResourceType statefulsets{"apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}, {"all"}, true, true, true};
const ResourceType replicasets{"apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}, {"all"}, true, true, true};
const ResourceType cronjobs{"batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}, {"all"}, true, true, false};
const ResourceType crds{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
                        "CustomResourceDefinition", false, {"crd", "crds"}, {"api-extensions"}, true, true, false};
// Stork's CRDs declare no subresources: status is written through the object itself.
const ResourceType clusterdomainsstatuses{"stork.libopenstorage.org", "v1alpha1", "clusterdomainsstatuses",
                                          "clusterdomainsstatus", "ClusterDomainsStatus", false, {"cds"}, {}, false, false, false};
const ResourceType clusterdomainupdates{"stork.libopenstorage.org", "v1alpha1", "clusterdomainupdates",
                                        "clusterdomainupdate", "ClusterDomainUpdate", false, {"cdu"}, {}, false, false, false};
const ResourceType migrationschedules{"stork.libopenstorage.org", "v1alpha1", "migrationschedules", "migrationschedule",
                                      "MigrationSchedule", true, {}, {}, false, false, false};
const ResourceType migrations{"stork.libopenstorage.org", "v1alpha1", "migrations", "migration", "Migration", true, {}, {},
                              false, false, false};
const ResourceType clusterpairs{"stork.libopenstorage.org", "v1alpha1", "clusterpairs", "clusterpair", "ClusterPair", true, {}, {},
                                false, false, false};
const ResourceType schedulepolicies{"stork.libopenstorage.org", "v1alpha1", "schedulepolicies", "schedulepolicy",
                                    "SchedulePolicy", false, {}, {}, false, false, false};
const ResourceType applicationregistrations{"stork.libopenstorage.org", "v1alpha1", "applicationregistrations",
                                            "applicationregistration", "ApplicationRegistration", false, {}, {}, false, false, false};
}  // namespace types

void register_builtin_types(Cluster& cluster) {
  for (const auto* type : {&types::namespaces, &types::pods, &types::configmaps, &types::deployments, &types::statefulsets,
                           &types::replicasets, &types::cronjobs, &types::crds}) {
    cluster.register_type(*type);
  }
}

void install_stork(Cluster& cluster) {
  for (const auto* type : {&types::clusterdomainsstatuses, &types::clusterdomainupdates, &types::migrationschedules,
                           &types::migrations, &types::clusterpairs, &types::schedulepolicies,
                           &types::applicationregistrations}) {
    std::string short_names;
    for (std::size_t i = 0; i < type->short_names.size(); ++i) short_names += (i ? ",\"" : "\"") + type->short_names[i] + "\"";
    std::string crd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":")" +
                      type->plural + "." + type->group + R"("},"spec":{"group":")" + type->group +
                      R"(","names":{"plural":")" + type->plural + R"(","singular":")" + type->singular + R"(","kind":")" +
                      type->kind + R"(","listKind":")" + type->kind + R"(List","shortNames":[)" + short_names +
                      R"(]},"scope":")" + (type->namespaced ? "Namespaced" : "Cluster") +
                      R"(","versions":[{"name":"v1alpha1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})";
    cluster.create(types::crds, "", crd, false);
  }
}

}  // namespace emu
