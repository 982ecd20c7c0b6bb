// Kubernetes timestamps for Stork's tables. The parser is core's (dr/core/time.hpp); this header
// keeps the name the stork readers and their callers use.
#pragma once

#include "dr/core/time.hpp"

namespace dr::stork {

using dr::TimePoint;

// Empty, malformed or out-of-range text gives nullopt (storkctl prints a zero time as an empty cell).
inline std::optional<TimePoint> parse_kube_time(std::string_view text) {
  return parse_rfc3339_or_none(text);
}

}  // namespace dr::stork
