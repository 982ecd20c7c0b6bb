// `kubectl dr status migrationschedules` over arbitrary MigrationSchedule list items.
#include "dr/cli/format.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "status_view_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dr::fuzz::fuzz_status_view(
      data, size,
      {"NAME", "POLICYNAME", "CLUSTERPAIR", "SUSPEND", "LAST-SUCCESS-TIME", "LAST-SUCCESS-DURATION",
       "AUTO-SUSPEND", "APPLICATION-ACTIVATED"},
      "MigrationSchedule", [](const rapidjson::Value& object, bool wide) {
        const auto row = dr::stork::migration_schedule_row(object);
        std::vector<std::string> cells = {
            row.name,
            row.policy_name,
            row.cluster_pair,
            row.suspend ? "true" : "false",
            row.last_success ? dr::cli::format_rfc822(row.last_success->finished) : "",
            row.last_success ? dr::cli::format_go_duration(row.last_success->duration) : ""};
        if (wide) {
          cells.emplace_back(row.auto_suspend ? "true" : "false");
          cells.emplace_back(row.application_activated ? "true" : "false");
        }
        return cells;
      });
  return 0;
}
