// Time and duration text as kubectl and storkctl print it: RFC822 times and kubectl's AGE column.
// The Go layouts every layer shares (RFC 3339, time.Duration) are core's, re-exported here.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "dr/core/duration.hpp"
#include "dr/core/error.hpp"
#include "dr/core/time.hpp"

namespace dr::cli {

using dr::civil_utc;
using dr::CivilTime;
using dr::format_go_duration;
using dr::format_rfc3339;
using dr::parse_rfc3339;
using dr::TimePoint;

// Go's RFC822 layout "02 Jan 06 15:04 MST", in UTC: "29 Nov 22 22:09 UTC".
std::string format_rfc822(TimePoint time);
// The same from an RFC 3339 timestamp; empty, Go's zero time (year 1) or unparsable -> "".
std::string format_rfc822(std::string_view rfc3339);

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
