#include "dr/stork/migrations.hpp"

#include "dr/stork/annotations.hpp"
#include "dr/stork/object.hpp"

namespace dr::stork {

namespace {

std::string uint_text(const rapidjson::Value& object, std::string_view key) {
  const auto* value = member(object, key);
  if (value == nullptr || !value->IsUint64()) return "0";
  return std::to_string(value->GetUint64());
}

// "done/total" over status.volumes / status.resources, counting Successful entries.
std::string progress(const rapidjson::Value* list) {
  std::size_t total = 0, done = 0;
  if (list != nullptr && list->IsArray()) {
    for (const auto& entry : list->GetArray()) {
      ++total;
      if (string_member(entry, "status") == "Successful") ++done;
    }
  }
  return std::to_string(done) + "/" + std::to_string(total);
}

}  // namespace

MigrationRow migration_row(const rapidjson::Value& migration, TimePoint now) {
  MigrationRow row;
  row.namespace_name = std::string(object_namespace(migration));
  row.name = std::string(object_name(migration));
  row.created = parse_kube_time(creation_timestamp(migration));
  if (auto schedule = annotation(migration, annotations::kMigrationScheduleName))
    row.schedule_name = *schedule;
  static const rapidjson::Value kEmpty(rapidjson::kObjectType);
  const auto* spec = member(migration, "spec");
  const auto* status = member(migration, "status");
  if (spec == nullptr) spec = &kEmpty;
  if (status == nullptr) status = &kEmpty;
  row.cluster_pair = std::string(string_member(*spec, "clusterPair"));
  row.stage = std::string(string_member(*status, "stage"));
  row.status = std::string(string_member(*status, "status"));

  if (const auto* summary = member(*status, "summary"); summary != nullptr && summary->IsObject()) {
    row.volumes =
        uint_text(*summary, "numOfMigratedVolumes") + "/" + uint_text(*summary, "totalNumberOfVolumes");
    row.resources =
        uint_text(*summary, "numOfMigratedResources") + "/" + uint_text(*summary, "totalNumberOfResources");
    row.elapsed_text = "Volumes (" + std::string(string_member(*summary, "elapsedTimeForVolumeMigration")) +
                       ") Resources (" +
                       std::string(string_member(*summary, "elapsedTimeForResourceMigration")) + ")";
    row.total_bytes = uint_text(*summary, "totalBytesMigrated");
    return row;
  }
  // Migrations from before Stork 2.9 have no summary: count from the per-item lists. An include
  // flag that is absent (null) means "included", as the Go *bool defaults.
  row.volumes =
      bool_at(*spec, "includeVolumes").value_or(true) ? progress(member(*status, "volumes")) : "N/A";
  row.resources =
      bool_at(*spec, "includeResources").value_or(true) ? progress(member(*status, "resources")) : "N/A";
  if (row.created) {
    if (row.stage == "Final") {
      if (auto finished = parse_kube_time(string_member(*status, "finishTimestamp"))) {
        row.elapsed = *finished - *row.created;
      }
    } else {
      row.elapsed = now - *row.created;
    }
  }
  row.total_bytes = "Available with stork v2.9.0+";
  return row;
}

std::vector<MigrationRow> migration_rows(const rapidjson::Value& items, TimePoint now) {
  std::vector<MigrationRow> rows;
  if (!items.IsArray()) return rows;
  rows.reserve(items.Size());
  for (const auto& item : items.GetArray()) rows.push_back(migration_row(item, now));
  return rows;
}

}  // namespace dr::stork
