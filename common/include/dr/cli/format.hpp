// Time and duration text as Go and kubectl print it: storkctl's RFC822 times, time.Duration's
// String(), kubectl's AGE column, and RFC 3339 timestamps (always UTC).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "dr/error.hpp"
#include "dr/time.hpp"

namespace dr::cli {

using dr::format_rfc3339;
using dr::parse_rfc3339;
using dr::TimePoint;

// Go's RFC822 layout "02 Jan 06 15:04 MST", in UTC: "29 Nov 22 22:09 UTC".
std::string format_rfc822(TimePoint time);
// The same from an RFC 3339 timestamp; empty, Go's zero time (year 1) or unparsable -> "".
std::string format_rfc822(std::string_view rfc3339);

// Go's time.Duration.String(): "0s", "1.5s", "1m30s", "1h0m0s", "500ms", "2µs", "-3s".
std::string format_go_duration(std::chrono::nanoseconds duration);

// kubectl's AGE (k8s.io/apimachinery duration.HumanDuration): "45s", "3m18s", "15m", "5h",
// "2d3h", "45d", "2y30d"; below -1s "<invalid>".
std::string human_duration(std::chrono::nanoseconds elapsed);
// duration.ShortHumanDuration: "45s", "3m", "5h", "45d", "2y".
std::string short_human_duration(std::chrono::nanoseconds elapsed);
// The AGE column: human_duration (kept under kubectl's column name).
inline std::string age(std::chrono::nanoseconds elapsed) {
  return human_duration(elapsed);
}

}  // namespace dr::cli
