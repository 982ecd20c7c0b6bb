// `kubectl dr status clusterdomainupdates` over arbitrary ClusterDomainUpdate list items.
#include "dr/cli/format.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "status_view_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dr::fuzz::fuzz_status_view(data, size, {"NAME", "CLUSTER-DOMAIN", "ACTION", "STATUS", "CREATED", "REASON"},
                             "ClusterDomainUpdate", [](const rapidjson::Value& object, bool wide) {
                               const auto row = dr::stork::cluster_domain_update_row(object);
                               std::vector<std::string> cells = {
                                   row.name, row.cluster_domain, row.action, row.status,
                                   row.created ? dr::cli::format_rfc822(*row.created) : ""};
                               if (wide) cells.push_back(row.reason);
                               return cells;
                             });
  return 0;
}
