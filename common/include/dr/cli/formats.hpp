// Time and duration text as Go prints it, for storkctl-compatible columns.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dr::cli {

using TimePoint = std::chrono::sys_time<std::chrono::nanoseconds>;

// Go's RFC822 layout "02 Jan 06 15:04 MST", in UTC: "29 Nov 22 22:09 UTC".
std::string format_rfc822(TimePoint time);
// Go's time.Duration.String(): "0s", "1.5s", "1m30s", "1h0m0s", "500ms", "2µs".
std::string format_go_duration(std::chrono::nanoseconds duration);
// "2026-11-24T06:12:01Z" (UTC, whole seconds).
std::string format_rfc3339(TimePoint time);

}  // namespace dr::cli
