// What the planner's files share (planner.cpp, planner_custom_resources.cpp).
#pragma once

#include <string>

#include <rapidjson/document.h>

#include "dr/stork/planner.hpp"

namespace dr::stork {

inline Skip skip(SkipReason reason, std::string detail, std::string message = {}) {
  return Skip{reason, std::move(detail), std::move(message)};
}

// ApplicationRegistration suspend options (WorkloadClass::CustomResource) and VirtualMachines.
Plan plan_custom_resource(Mode mode, const Target& target, const rapidjson::Value& object);

}  // namespace dr::stork
