// Rows for `kubectl dr status apps`: per workload, what Stork recorded, what runs, and whether the
// app counts as activated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "dr/stork/planner.hpp"

namespace dr::stork {

struct AppStatusRow {
  std::string kind;  // "StatefulSet", "CronJob", ...
  std::string namespace_name;
  std::string name;
  // Replicated kinds: the migrationReplicas annotation (desired), spec.replicas (current, absent =
  // 1) and status.readyReplicas (ready, absent = 0).
  std::optional<std::int32_t> desired;
  std::string desired_error;  // the annotation is present but malformed
  std::optional<std::int64_t> current;
  std::optional<std::int64_t> ready;
  // Replicated: current > 0. CronJob: not suspended. VirtualMachine: runStrategy (or running) not
  // Halted/false. Other CRs: nothing recorded -> counted active.
  bool activated = false;
  std::string state;  // short human text: "3/3 ready", "suspended", "Halted"
};

AppStatusRow app_status_row(const Target& target, const rapidjson::Value& object);

}  // namespace dr::stork
