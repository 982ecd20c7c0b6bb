// The migrationReplicas annotation and everything the planner reads from a workload. The input is
// a JSON object (a workload as listed); its raw bytes are also a replica count.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/json.hpp"
#include "dr/stork/annotations.hpp"
#include "dr/stork/planner.hpp"
#include "fuzz_util.hpp"

namespace {

const std::vector<dr::stork::Target>& targets() {
  static const std::vector<dr::stork::Target> all = dr::stork::activation_targets({});
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto count = dr::stork::parse_replica_count(text); count) {
    dr::fuzz::require(*count >= 0, "a parsed replica count is not negative");
    std::string_view digits = text.front() == '+' ? text.substr(1) : text;
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    dr::fuzz::require(std::to_string(*count) == digits, "a parsed replica count is its digits");
  } else {
    dr::fuzz::check_error(count.error());
  }

  rapidjson::Document object;
  if (dr::json::parse_untrusted(object, text)) return 0;
  const auto annotation = dr::stork::read_migration_replicas(object);
  if (annotation.ok()) dr::fuzz::require(annotation.value >= 0, "a recorded count is not negative");
  (void)annotation.disagreement_note();

  for (auto mode : {dr::stork::Mode::ActivateMigration, dr::stork::Mode::DeactivateMigration,
                    dr::stork::Mode::DeactivateApps}) {
    for (const auto& target : targets()) {
      const auto planned = dr::stork::plan(mode, target, object);
      if (const auto* write = dr::stork::as_write(planned)) {
        rapidjson::Document body;
        dr::fuzz::require(!dr::json::parse_untrusted(body, write->body) && body.IsObject(),
                          "a planned write is a JSON object");
        // Counts are never lost: deactivating a workload with a positive recorded count never
        // records 0 in its place.
        if (mode != dr::stork::Mode::ActivateMigration && annotation.ok() && annotation.value > 0 &&
            body.HasMember("metadata") && body["metadata"].IsObject() &&
            body["metadata"].HasMember("annotations") && body["metadata"]["annotations"].IsObject()) {
          const auto& written = body["metadata"]["annotations"];
          const std::string key(dr::stork::annotations::kMigrationReplicas);
          if (written.HasMember(key.c_str()) && written[key.c_str()].IsString())
            dr::fuzz::require(std::string_view(written[key.c_str()].GetString()) != "0",
                              "a recorded count is never overwritten with 0");
        }
      }
    }
  }
  return 0;
}
