// `kubectl dr status clusterdomains` over arbitrary ClusterDomainsStatus list items.
#include "dr/cli/format.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "status_view_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dr::fuzz::fuzz_status_view(data, size, {"NAME", "LOCAL-DOMAIN", "ACTIVE", "INACTIVE", "CREATED"},
                             "ClusterDomainsStatus", [](const rapidjson::Value& object, bool) {
                               const auto row = dr::stork::cluster_domains_status_row(object);
                               return std::vector<std::string>{
                                   row.name, row.local_domain, row.active, row.inactive,
                                   row.created ? dr::cli::format_rfc822(*row.created) : ""};
                             });
  return 0;
}
