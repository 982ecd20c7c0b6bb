// `get migrations` rows, as storkctl prints them (pkg/storkctl/migration.go): NAME, CLUSTERPAIR,
// STAGE, STATUS, VOLUMES, RESOURCES, CREATED, ELAPSED, TOTAL BYTES TRANSFERRED.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/stork/kube_time.hpp"

namespace dr::stork {

struct MigrationRow {
  std::string namespace_name;
  std::string name;
  std::string cluster_pair;
  std::string stage;
  std::string status;
  std::string volumes;    // "done/total", or "N/A" when the migration excludes volumes
  std::string resources;  // "done/total", or "N/A" when it excludes resources
  std::optional<TimePoint> created;
  // ELAPSED. With status.summary (Stork >= 2.9), storkctl prints
  // "Volumes (<elapsedTimeForVolumeMigration>) Resources (<elapsedTimeForResourceMigration>)", the
  // two already Go-duration text: that string is in elapsed_text. Without a summary it is a
  // duration (finish - creation once Final, now - creation before), in `elapsed`.
  std::string elapsed_text;
  std::optional<std::chrono::nanoseconds> elapsed;
  // Bytes as decimal text, or storkctl's "Available with stork v2.9.0+" without a summary.
  std::string total_bytes;
  std::string schedule_name;  // migration-schedule-name annotation, if any
};

// `now` is only used for unfinished migrations without a summary.
MigrationRow migration_row(const rapidjson::Value& migration, TimePoint now);
std::vector<MigrationRow> migration_rows(const rapidjson::Value& items, TimePoint now);

}  // namespace dr::stork
