// The objects the workload controllers make (pods, ReplicaSets, claims) and the status helpers they
// share: sim_workload_objects.cpp; the controllers are sim_workload.cpp. Not for use outside them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim.hpp"

namespace emu::sim {

struct OwnerRef {
  std::string apiVersion, kind, name, uid;
};

bool ownedBy(const Val& obj, const std::string& kind, const std::string& name);

// status of a pod: Pending (ContainerCreating) or Running and ready.
void setPodStatus(Doc& pod, const std::string& cluster, bool running, const std::string& now);

// A pod as the kubelet-less control plane would create it from a template.
Doc podFromTemplate(const std::string& cluster, const Val& tmpl, const std::string& ns,
                    const std::string& name, const std::string& generateName, const OwnerRef& owner,
                    const std::map<std::string, std::string>& extraLabels);

bool isRunning(const Val& pod);

int ordinalOf(const std::string& pod, const std::string& sts);

// Sets an integer status field, dropping it when zero and Go's omitempty applies.
void setCount(Val& st, const char* key, int64_t n, bool omitEmpty, Alloc& a);

void mergeStep(WorkloadStep& into, const WorkloadStep& s);

// Keeps a condition's timestamps when its status and reason did not change.
void putCondition(Val& conds, Val cond, const Val* oldConds, Alloc& a);

// SetReplicasAnnotations: desired-replicas and max-replicas (replicas + MaxSurge).
bool setReplicasAnnotations(const Val& dep, Val& rsMeta, int64_t replicas, Alloc& a);

// SetNewReplicaSetAnnotations: the Deployment's annotations, then the revision (only ever raised;
// a raised one that existed goes to revision-history, as on a rollback), then, for a ReplicaSet
// about to be created, the replicas annotations.
void setNewReplicaSetAnnotations(const Val& dep, Val& rsMeta, int64_t revision, bool exists, Alloc& a);

// The ReplicaSet a Deployment owns for one pod template.
Doc replicaSetFor(const Val& dep, const Val& tmpl, const std::string& hash, int64_t replicas,
                  int64_t revision);

void ensureClaims(Cluster& c, const Val& sts, int64_t replicas);

}  // namespace emu::sim
