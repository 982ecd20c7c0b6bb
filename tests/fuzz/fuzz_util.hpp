// Shared by the fuzz targets: the checks a target makes beyond "does not crash".
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "dr/core/error.hpp"

namespace dr::fuzz {

// A violated invariant is a finding like a crash: abort so libFuzzer saves the input.
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

// Every error must print as one kubectl-style line: the edge prints nothing else.
inline void check_error(const Error& error) {
  const std::string line = error.kubectl_line();
  // kubectl's two forms: "error: ..." and, for a server's Status, "Error from server (Reason): ...".
  require(line.rfind("error: ", 0) == 0 || line.rfind("Error from server", 0) == 0,
          "an error line has kubectl's prefix");
  require(!error.message.empty(), "an error has a message");
}

}  // namespace dr::fuzz
