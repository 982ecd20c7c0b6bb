// Helpers shared by the Stork simulation's sources (sim_stork.cpp, sim_stork_migration.cpp,
// sim_stork_schedule.cpp). Not for use outside them.
#pragma once

#include <string>

#include "sim.hpp"

namespace emu::sim {

// A Migration's or an item's status is final (not Pending, InProgress or empty).
bool is_complete(const std::string& status);
// A core/v1 Event about an object, when the cluster serves events (Stork records its reasons there).
void record_event(Cluster& c, const std::string& ns, const Val& obj, const std::string& type,
                  const std::string& reason, const std::string& message);
// Copies the namespace to the destination (labels and annotations) when it is missing there.
void ensure_namespace(Cluster& src, Cluster& dst, const std::string& ns);
// What the resource collector keeps of an object: no server-set metadata, no status.
void strip_for_migration(Doc& d);
// The hash Stork keeps in the resource-hash annotation.
std::string canonical_hash(const Val& v);

}  // namespace emu::sim
