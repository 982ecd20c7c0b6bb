// Kubernetes timestamps (metav1.Time, RFC 3339) as std::chrono values: the one parser every layer
// uses, for API objects, exec credential expiries and table columns alike.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dr/core/error.hpp"

namespace dr {

// Nanoseconds in 64 bits, as Go's time.Time's UnixNano: years 1678 to 2261 fit.
using TimePoint = std::chrono::sys_time<std::chrono::nanoseconds>;

// "2026-11-24T06:12:01Z", "2026-11-24T06:12:01.5+02:00", "2026-11-24t06:12:01z" -> the instant.
// Anything else, or a year outside 1678-2261, is a Decode error quoting the text.
Result<TimePoint> parse_rfc3339(std::string_view text);
// The same, for fields where a missing or broken timestamp is shown as nothing rather than refused
// (storkctl prints a zero time as an empty cell; so do we): nullopt instead of an Error.
std::optional<TimePoint> parse_rfc3339_or_none(std::string_view text);
// "2026-11-24T06:12:01Z" (UTC, whole seconds: metav1.Time's layout).
std::string format_rfc3339(TimePoint time);

// A time's calendar fields in UTC, for the formatters of the layouts above and the CLI's.
struct CivilTime {
  int year = 0;
  unsigned month = 0;  // 1-12
  unsigned day = 0;    // 1-31
  long long hour = 0;
  long long minute = 0;
  long long second = 0;
};
CivilTime civil_utc(TimePoint time);

}  // namespace dr
