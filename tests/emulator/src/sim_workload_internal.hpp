// The objects the workload controllers make (pods, ReplicaSets, claims) and the status helpers they
// share: sim_workload_objects.cpp; the controllers are sim_workload.cpp. Not for use outside them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim.hpp"

namespace emu::sim {

bool owned_by(const Val& obj, const std::string& kind, const std::string& name);

// status of a pod: Pending (ContainerCreating) or Running and ready.
void set_pod_status(Doc& pod, const std::string& cluster, bool running, const std::string& now);

// A pod as the kubelet-less control plane would create it from a template.
Doc pod_from_template(const std::string& cluster, const Val& tmpl, const std::string& ns,
                      const std::string& name, const std::string& generate_name, const OwnerRef& owner,
                      const std::map<std::string, std::string>& extra_labels);

bool is_running(const Val& pod);

int ordinal_of(const std::string& pod, const std::string& sts);

// Sets an integer status field, dropping it when zero and Go's omitempty applies.
void set_count(Val& st, const char* key, int64_t n, bool omit_empty, Alloc& a);

void merge_step(WorkloadStep& into, const WorkloadStep& s);

// Keeps a condition's timestamps when its status and reason did not change.
void put_condition(Val& conds, Val cond, const Val* old_conds, Alloc& a);

// SetReplicasAnnotations: desired-replicas and max-replicas (replicas + MaxSurge).
bool set_replicas_annotations(const Val& dep, Val& rs_meta, int64_t replicas, Alloc& a);

// SetNewReplicaSetAnnotations: the Deployment's annotations, then the revision (only ever raised;
// a raised one that existed goes to revision-history, as on a rollback), then, for a ReplicaSet
// about to be created, the replicas annotations.
void set_new_replica_set_annotations(const Val& dep, Val& rs_meta, int64_t revision, bool exists, Alloc& a);

// The ReplicaSet a Deployment owns for one pod template.
Doc replica_set_for(const Val& dep, const Val& tmpl, const std::string& hash, int64_t replicas,
                    int64_t revision);

void ensure_claims(Cluster& c, const Val& sts, int64_t replicas);

}  // namespace emu::sim
