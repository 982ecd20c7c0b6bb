// Defaulting of built-in kinds (the fields kube-apiserver fills in on every write that matter to
// clients): replicas, strategies, CronJob suspend/policies, Namespace finalizers/phase, Pod phase.
#pragma once

#include <rapidjson/document.h>

#include "types.hpp"

namespace emu {

void apply_builtin_defaults(const ResourceType& type, rapidjson::Document& object, bool creating);

}  // namespace emu
