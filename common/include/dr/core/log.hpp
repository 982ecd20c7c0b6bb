// Diagnostics on stderr at kubectl's -v levels, with secrets masked at every level.
//   -v=6  one line per request: method, URL, status, latency
//   -v=7  + request headers (Authorization masked)
//   -v=8  + bodies (truncated at kBodyLimit)
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace dr::log {

void set_verbosity(int level);
int verbosity();
inline bool enabled(int level) {
  return verbosity() >= level;
}

// Writes "I1124 06:12:01.123456   1234 kubectl-dr] message" to stderr, after redaction.
void line(int level, std::string_view message);

// One klog line with its newline, after redaction: `severity` is klog's letter ('I', 'W', 'E').
// kubectl prints its warnings (deprecated flag values) as 'W' lines at every verbosity.
std::string klog_line(char severity, std::string_view message);

// Registers a secret (token, password, key, exec output) so redact() masks it wherever it appears.
// Strings shorter than 6 characters are ignored (they would mask innocent text); Authorization
// header values are masked regardless of length. A PEM block's long body lines are registered too.
void register_secret(std::string_view secret);
// `text` with every registered secret replaced by "<masked>", and Authorization header values masked
// ("Authorization: Bearer <masked>", "Basic <masked>"; header names matched case-insensitively).
std::string redact(std::string_view text);

// How much of a body -v=8 prints.
inline constexpr std::size_t kBodyLimit = 10 * 1024;
// redact(text) cut to about `limit` characters, with a "[truncated N bytes]" note. The cut never
// splits a registered secret, so no prefix of a secret survives truncation.
std::string redact_truncated(std::string_view text, std::size_t limit = kBodyLimit);

// Tests: receive every finished line (with its trailing newline) instead of stderr. nullptr restores
// stderr. Not thread-safe against concurrent line() calls; set it before logging starts.
void set_sink(std::function<void(std::string_view)> sink);

}  // namespace dr::log
