#include "dr/version.hpp"

namespace dr {

std::string version() {
  return DR_VERSION;
}
std::string git_commit() {
  return DR_GIT_COMMIT;
}

namespace {
// GOOS/GOARCH spellings, as krew and kubectl version name platforms.
#if defined(__linux__)
constexpr const char* kOs = "linux";
#elif defined(__APPLE__)
constexpr const char* kOs = "darwin";
#else
constexpr const char* kOs = "unknown";
#endif
#if defined(__x86_64__)
constexpr const char* kArch = "amd64";
#elif defined(__aarch64__)
constexpr const char* kArch = "arm64";
#else
constexpr const char* kArch = "unknown";
#endif
}  // namespace

std::string platform() {
  return std::string(kOs) + "/" + kArch;
}

}  // namespace dr
