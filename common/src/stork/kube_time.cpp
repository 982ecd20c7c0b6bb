#include "dr/stork/kube_time.hpp"

namespace dr::stork {

std::optional<TimePoint> parse_kube_time(std::string_view text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

}  // namespace dr::stork
