#!/usr/bin/env bash
# Runs every test: installs missing packages, runs the lint gate (scripts/lint.sh: clang-format and
# clang-tidy; a finding stops here), builds with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer, runs the whole CTest suite on that build (unit tests of common/, the
# emulator's tests, the end-to-end tests with the real kubectl, the fuzz corpora replayed), then
# fuzzes each libFuzzer target for a bounded time from the same build. CI runs exactly this.
#
# One sanitized build, not a plain one plus a sanitized one: the sanitizers catch everything the
# plain build's tests would and more, and a second build would double the time on a 2-core machine.
# --release adds the plain build the release archive is made from (GCC, RelWithDebInfo) and the
# whole suite on it too.
#
# Usage: scripts/test.sh [--release] [ctest args...]    e.g. scripts/test.sh -R e2e
# Environment:
#   DR_RELEASE=1        same as --release
#   DR_FUZZ_SECONDS=N   seconds per fuzz target (default 10; 0 skips the fuzzing)
#   DR_REAL=0           skips the real control plane's stage (scripts/test-real.sh); so do ctest args
#   DR_BUILD_DIR        the sanitized build (default build-sanitize/)
#   DR_RELEASE_BUILD_DIR, DR_GCC_CHECK_DIR, DR_CMAKE_ARGS
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sanitize_build="${DR_BUILD_DIR:-$root/build-sanitize}"
release_build="${DR_RELEASE_BUILD_DIR:-$root/build}"
gcc_check_build="${DR_GCC_CHECK_DIR:-$root/build-gcc-check}"
jobs="$(nproc)"
release="${DR_RELEASE:-}"
if [ "${1:-}" = "--release" ]; then
  release=1
  shift
fi
fuzz_seconds="${DR_FUZZ_SECONDS:-10}"
[[ "$fuzz_seconds" =~ ^[0-9]+$ ]] || { echo "error: DR_FUZZ_SECONDS must be a whole number" >&2; exit 2; }
werror=OFF
[ -n "${CI:-}" ] && werror=ON

bash "$root/scripts/deps.sh" || exit 1

stages=()
failed=0
times_file="$(mktemp)"
trap 'rm -f "$times_file"' EXIT
# CPU seconds (user + system) of every finished child process so far. Wall time depends on what else
# the machine runs; CPU time does not, so both are reported. `times` must run in this shell (in a
# command substitution it would report the subshell's children: none), hence the file.
child_cpu_seconds() {
  awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%d", n }' \
    "$times_file"
}
# stage NAME COMMAND...: runs it, records its wall and CPU time and result, and goes on either way so
# one run reports every stage.
stage() {
  local name="$1" start=$SECONDS cpu_start rc
  shift
  times >"$times_file"
  cpu_start="$(child_cpu_seconds)"
  echo "=== stage: $name" >&2
  "$@"
  rc=$?
  times >"$times_file"
  stages+=("$(printf '%-16s %6d s wall %6d s cpu  %s' "$name" $((SECONDS - start)) \
    $(($(child_cpu_seconds) - cpu_start)) "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  [ "$rc" -eq 0 ] || failed=1
  return "$rc"
}

# DR_FUZZ adds libFuzzer's coverage instrumentation, whose hooks are no-ops outside the fuzz targets,
# so the same objects serve the suite and the fuzzers.
build_sanitize() {
  # -O1 with line tables only: the sanitizers' usual choice, and much quicker to compile than -O2 -g
  # on a 2-core CI machine; assertions stay on. libcurl linked statically, as the release links it,
  # so the suite runs the libcurl that ships (the --release build below keeps the shared one).
  # shellcheck disable=SC2086 # DR_CMAKE_ARGS is a list of arguments
  cmake -S "$root" -B "$sanitize_build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DDR_SANITIZE=ON -DDR_FUZZ=ON \
    -DDR_STATIC_CURL=ON -DDR_WERROR="$werror" ${DR_CMAKE_ARGS:-} >/dev/null &&
    cmake --build "$sanitize_build" -j "$jobs"
}
test_sanitize() {
  # Every finding fails the process that has it (and so its test); leaks count.
  (export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" &&
    cd "$sanitize_build" && ctest --output-on-failure -j "$jobs" --timeout 900 "$@")
}
fuzz_bounded() {
  DR_FUZZ_BUILD_DIR="$sanitize_build" bash "$root/scripts/fuzz.sh" --seconds "$fuzz_seconds"
}
# The release binaries are compiled by GCC (package.sh), the suite above by clang, and each warns
# about things the other accepts. Every source that ships is checked by GCC under -Werror with the
# release's own flags, front end only (-fsyntax-only: ~30 s, against minutes for a second build), so
# a GCC-only warning fails CI instead of the release. Warnings that need GCC's optimiser are not seen.
check_release_compiler() {
  cmake -S "$root" -B "$gcc_check_build" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDR_STATIC_DEPS=ON -DDR_WERROR=ON >/dev/null || return 1
  jq -r --arg root "$root" '.[] | select(.file | startswith($root + "/common/") or startswith($root + "/plugins/"))
      | "cd \(.directory | @sh) && \(.command) -fsyntax-only"' "$gcc_check_build/compile_commands.json" |
    tr '\n' '\0' | xargs -0 -P "$jobs" -n 1 bash -c
}
build_release() {
  # shellcheck disable=SC2086
  cmake -S "$root" -B "$release_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDR_WERROR="$werror" \
    ${DR_CMAKE_ARGS:-} >/dev/null &&
    cmake --build "$release_build" -j "$jobs"
}
test_release() {
  (cd "$release_build" && ctest --output-on-failure -j "$jobs" --timeout 600 "$@")
}

lint() { bash "$root/scripts/lint.sh"; }
if ! stage lint lint; then
  echo "=== stages" >&2
  printf '%s\n' "${stages[@]}" >&2
  echo "the lint gate failed: fix its findings first (scripts/lint.sh --fix formats)" >&2
  exit 1
fi

# The end-to-end tests that also run against a real control plane (scripts/test-real.sh: upstream
# kube-apiserver, controller-manager, scheduler, etcd and kwok, built from pinned Go modules and
# cached), with the sanitized binaries; after the emulator suite, never beside it, so neither slows
# the other. DR_REAL=0 skips it (no Go toolchain, or a quick local run).
test_real() {
  DR_BIN_DIR="$sanitize_build/plugins" KUBE_EMULATOR="$sanitize_build/tests/emulator/kube-emulator" \
    ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" bash "$root/scripts/test-real.sh"
}

if stage build build_sanitize; then
  stage test test_sanitize "$@"
  [ "$fuzz_seconds" -gt 0 ] && stage fuzz fuzz_bounded
  [ "${DR_REAL:-1}" != 0 ] && [ $# -eq 0 ] && stage real-backend test_real
fi
stage gcc-warnings check_release_compiler
if [ -n "$release" ] && stage release-build build_release; then
  stage release-test test_release "$@"
fi

echo "=== stages" >&2
printf '%s\n' "${stages[@]}" >&2
[ -z "$release" ] && echo "(the plain GCC build was skipped; scripts/test.sh --release adds it)" >&2
exit "$failed"
