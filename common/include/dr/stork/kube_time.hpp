// Kubernetes timestamps (metav1.Time: RFC 3339, "2022-12-01T23:31:00Z") as std::chrono values.
// Formatting them for tables (Go's RFC822 layout) belongs to the CLI printers, not here.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "dr/time.hpp"

namespace dr::stork {

using dr::TimePoint;

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)". Empty or null-ish input and anything
// malformed give nullopt (storkctl prints a zero time as an empty cell; so do we).
std::optional<TimePoint> parse_kube_time(std::string_view text);

}  // namespace dr::stork
