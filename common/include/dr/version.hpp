// Version and build information, for `kubectl dr version` and the User-Agent.
#pragma once

#include <string>

namespace dr {

std::string version();     // "0.1.0"
std::string git_commit();  // short hash of the build, or "unknown"
std::string platform();    // "linux/amd64", as Go spells GOOS/GOARCH

}  // namespace dr
