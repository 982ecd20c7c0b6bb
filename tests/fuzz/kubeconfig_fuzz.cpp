// The kubeconfig parser on arbitrary bytes: a clear Config error or a parsed set, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dr/kube/kubeconfig.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = dr::kube::parse_kubeconfig(text, "/fuzz/kubeconfig");
  if (!set) {
    dr::fuzz::check_error(set.error());
    dr::fuzz::require(set.error().code == dr::ErrorCode::Config, "kubeconfig errors are Config errors");
    return 0;
  }
  (void)set->context_names();
  (void)set->describe_files();
  for (const auto& [name, cluster] : set->clusters)
    dr::fuzz::require(name == cluster.name, "cluster keyed by name");
  for (const auto& [name, user] : set->users) dr::fuzz::require(name == user.name, "user keyed by name");
  return 0;
}
