// Diagnostics on stderr at kubectl's -v levels, with secrets masked at every level.
//   -v=6  one line per request: method, URL, status, latency
//   -v=7  + request headers (Authorization masked)
//   -v=8  + bodies (truncated)
#pragma once

#include <string>
#include <string_view>

namespace dr::log {

void set_verbosity(int level);
int verbosity();
inline bool enabled(int level) { return verbosity() >= level; }

// Writes "I1124 06:12:01.123456   1234 kubectl-dr] message" to stderr, after redaction.
void line(int level, std::string_view message);

// Registers a secret (token, password, key, exec output) so redact() masks it wherever it appears.
void register_secret(std::string_view secret);
// `text` with every registered secret replaced by "<masked>", and Authorization header values masked.
std::string redact(std::string_view text);

}  // namespace dr::log
