// `kubectl dr status migrations` over arbitrary Migration list items (a fixed "now", so an input
// replays the same way).
#include <chrono>

#include "dr/cli/format.hpp"
#include "dr/stork/migrations.hpp"
#include "status_view_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  dr::fuzz::fuzz_status_view(
      data, size,
      {"NAME", "CLUSTERPAIR", "STAGE", "STATUS", "VOLUMES", "RESOURCES", "CREATED", "ELAPSED",
       "TOTAL BYTES TRANSFERRED"},
      "Migration", [&](const rapidjson::Value& object, bool) {
        const auto row = dr::stork::migration_row(object, now);
        const std::string elapsed = !row.elapsed_text.empty() ? row.elapsed_text
                                    : row.elapsed             ? dr::cli::format_go_duration(*row.elapsed)
                                                              : "";
        return std::vector<std::string>{row.name,
                                        row.cluster_pair,
                                        row.stage,
                                        row.status,
                                        row.volumes,
                                        row.resources,
                                        row.created ? dr::cli::format_rfc822(*row.created) : "",
                                        elapsed,
                                        row.total_bytes};
      });
  return 0;
}
