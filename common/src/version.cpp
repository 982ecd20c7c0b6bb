#include "dr/version.hpp"

namespace dr {

std::string version() {
  return DR_VERSION;
}
std::string git_commit() {
  return DR_GIT_COMMIT;
}

std::string platform() {
#if defined(__linux__)
  std::string os = "linux";
#elif defined(__APPLE__)
  std::string os = "darwin";
#else
  std::string os = "unknown";
#endif
#if defined(__x86_64__)
  std::string arch = "amd64";
#elif defined(__aarch64__)
  std::string arch = "arm64";
#else
  std::string arch = "unknown";
#endif
  return os + "/" + arch;
}

}  // namespace dr
