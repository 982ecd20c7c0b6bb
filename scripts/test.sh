#!/usr/bin/env bash
# Runs every test: installs missing packages, configures, builds, and runs ctest (unit tests of
# common/, the emulator's tests, and the end-to-end tests with the real kubectl).
# Usage: scripts/test.sh [ctest args...]    e.g. scripts/test.sh -R e2e
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DR_BUILD_DIR:-$root/build}"

bash "$root/scripts/deps.sh"

werror=OFF
[ -n "${CI:-}" ] && werror=ON
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${DR_BUILD_TYPE:-RelWithDebInfo}" -DDR_WERROR="$werror" \
  ${DR_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
