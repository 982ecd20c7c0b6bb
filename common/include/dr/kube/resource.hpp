// Which REST collection an object lives in, and the paths to it.
#pragma once

#include <string>
#include <string_view>

#include "dr/kube/names.hpp"

namespace dr::kube {

struct ResourceType {
  std::string group;    // "" for the core group
  std::string version;  // "v1", "v1alpha1"
  std::string plural;   // "statefulsets"
  std::string kind;     // "StatefulSet"
  bool namespaced = true;
  NameRule name_rule = NameRule::DnsSubdomain;  // what the API server accepts as metadata.name

  // "apps/v1", or "v1" for the core group.
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "statefulsets.apps", or "pods" for the core group: the name kubectl uses in messages.
  std::string group_resource() const { return group.empty() ? plural : plural + "." + group; }
  // "/api/v1" or "/apis/apps/v1".
  std::string group_version_path() const {
    return group.empty() ? "/api/" + encode_path_segment(version)
                         : "/apis/" + encode_path_segment(group) + "/" + encode_path_segment(version);
  }
  // Collection or object path. Empty namespace on a namespaced type = all namespaces. Every segment
  // is percent-encoded here, the one place paths are built; names are checked before that by
  // validate_name/validate_namespace, which ApiClient calls before any request.
  std::string path(std::string_view ns = {}, std::string_view name = {},
                   std::string_view subresource = {}) const {
    std::string p = group_version_path();
    if (namespaced && !ns.empty()) {
      p += "/namespaces/";
      p += encode_path_segment(ns);
    }
    p += "/" + encode_path_segment(plural);
    if (!name.empty()) {
      p += "/";
      p += encode_path_segment(name);
      if (!subresource.empty()) {
        p += "/";
        p += encode_path_segment(subresource);
      }
    }
    return p;
  }
};

// The types kubectl-dr touches.
namespace types {
inline const ResourceType namespaces{"", "v1", "namespaces", "Namespace", false, NameRule::DnsLabel};
inline const ResourceType pods{"", "v1", "pods", "Pod", true};
inline const ResourceType configmaps{"", "v1", "configmaps", "ConfigMap", true};
inline const ResourceType deployments{"apps", "v1", "deployments", "Deployment", true};
inline const ResourceType statefulsets{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const ResourceType replicasets{"apps", "v1", "replicasets", "ReplicaSet", true};
inline const ResourceType cronjobs{"batch", "v1", "cronjobs", "CronJob", true};
inline const ResourceType deploymentconfigs{"apps.openshift.io", "v1", "deploymentconfigs",
                                            "DeploymentConfig", true};
inline const ResourceType virtualmachines{"kubevirt.io", "v1", "virtualmachines", "VirtualMachine", true};

inline constexpr std::string_view kStorkGroup = "stork.libopenstorage.org";
inline const ResourceType clusterdomainsstatuses{"stork.libopenstorage.org", "v1alpha1",
                                                 "clusterdomainsstatuses", "ClusterDomainsStatus", false};
inline const ResourceType clusterdomainupdates{"stork.libopenstorage.org", "v1alpha1", "clusterdomainupdates",
                                               "ClusterDomainUpdate", false};
inline const ResourceType migrationschedules{"stork.libopenstorage.org", "v1alpha1", "migrationschedules",
                                             "MigrationSchedule", true};
inline const ResourceType migrations{"stork.libopenstorage.org", "v1alpha1", "migrations", "Migration", true};
inline const ResourceType clusterpairs{"stork.libopenstorage.org", "v1alpha1", "clusterpairs", "ClusterPair",
                                       true};
inline const ResourceType schedulepolicies{"stork.libopenstorage.org", "v1alpha1", "schedulepolicies",
                                           "SchedulePolicy", false};
inline const ResourceType actions{"stork.libopenstorage.org", "v1alpha1", "actions", "Action", true};
inline const ResourceType applicationregistrations{
    "stork.libopenstorage.org", "v1alpha1", "applicationregistrations", "ApplicationRegistration", false};
}  // namespace types

}  // namespace dr::kube
