// Durations as Go writes and reads them (time.Duration's String and ParseDuration), which is how
// kubectl prints timeouts and reads --request-timeout.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "dr/core/error.hpp"

namespace dr {

// Go's time.Duration.String(): "0s", "1.5s", "1m30s", "1h0m0s", "500ms", "2µs", "-3s".
std::string format_go_duration(std::chrono::nanoseconds duration);

// Go's time.ParseDuration: [-+]? (number unit)+ with units ns, us (µs, μs), ms, s, m, h; "0" alone
// is zero. Fractions are allowed ("1.5h"). The Error (ErrorCode::Usage) says only what is wrong
// ("unknown unit \"x\" in duration"): callers name the flag or field.
Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// kubectl's --request-timeout: "0" = none, a bare integer = seconds, else a Go duration ("1m30s",
// "500ms", "2h"). Negative, malformed or above a century: a Usage error naming the flag. A positive
// duration below a millisecond is 1ms, never 0 (which would mean "no timeout").
Result<std::chrono::milliseconds> parse_request_timeout(std::string_view text);

}  // namespace dr
