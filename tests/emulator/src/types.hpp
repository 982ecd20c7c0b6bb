// The resource types an emulated cluster serves: built-in kinds, and Stork's CRDs.
#pragma once

#include "store.hpp"

namespace emu {

namespace types {
extern const ResourceType namespaces, pods, configmaps, deployments, statefulsets, replicasets, cronjobs, crds;
extern const ResourceType clusterdomainsstatuses, clusterdomainupdates, migrationschedules, migrations, clusterpairs,
    schedulepolicies, applicationregistrations;
}  // namespace types

void register_builtin_types(Cluster& cluster);
// Creates Stork's CustomResourceDefinitions (which serves their types), as a Stork install does.
void install_stork(Cluster& cluster);

}  // namespace emu
