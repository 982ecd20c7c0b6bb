#!/usr/bin/env bash
# Runs the end-to-end tests against a real Kubernetes control plane (scripts/control-plane.sh):
# builds what is missing (the plugins and kube-emulator, which provides the seeds; the control
# plane's Go binaries, cached), then runs, one after the other, each script of the list below with
# DR_E2E_BACKEND=real. Exits non-zero when any script fails; the last line is "N passed, M failed"
# (scripts).
#
# Usage: scripts/test-real.sh [SCRIPT_NAME...]      e.g. scripts/test-real.sh runbook real_rbac
# Environment:
#   DR_BIN_DIR, KUBE_EMULATOR   use these binaries (as CTest passes them) instead of building
#   DR_BUILD_DIR                the CMake build to use or make (default: build-sanitize/ when it has
#                               the binaries, else build-real/, a plain RelWithDebInfo build)
#   DR_CONTROLPLANE_BUILD_DIR   where the control plane's binaries are cached (build-controlplane/)
#   DR_REAL_TEST_TIMEOUT        seconds per script (default 900)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The scripts of tests/e2e that run on the real backend unchanged. The others use emulator-only
# features (request log, deny list, forced conflicts, faults, outages, --token, --no-stork-controller,
# seed_ms bounds, the emulator's own port): see docs/emulator-fidelity.md. tests/e2e-real/ holds
# the scripts written for the real backend; CTest does not run them.
E2E_ON_REAL=(runbook commands_status commands_help commands_no_stork kubectl_read kubectl_stork
  dispatcher_krew_layout security_tls perform_action failover_command)

plugins=(kubectl-dr kubectl-dr-status kubectl-dr-activate kubectl-dr-deactivate kubectl-dr-suspend kubectl-dr-resume
  kubectl-dr-perform kubectl-dr-failover kubectl-dr-failback)
if [ -z "${DR_BIN_DIR:-}" ] || [ -z "${KUBE_EMULATOR:-}" ]; then
  build="${DR_BUILD_DIR:-}"
  if [ -z "$build" ]; then
    build="$root/build-real"
    [ -x "$root/build-sanitize/tests/emulator/kube-emulator" ] && [ -x "$root/build-sanitize/plugins/kubectl-dr-status" ] &&
      build="$root/build-sanitize"
  fi
  if [ ! -f "$build/CMakeCache.txt" ]; then
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
  fi
  # timed-run and storkctl-pattern: tests/e2e-real/real_bench_smoke runs scripts/bench.sh --real
  cmake --build "$build" -j "$(nproc)" --target kube-emulator "${plugins[@]}" timed-run storkctl-pattern >/dev/null ||
    { echo "error: the build failed" >&2; exit 1; }
  export DR_BIN_DIR="$build/plugins" KUBE_EMULATOR="$build/tests/emulator/kube-emulator"
fi
export DR_SOURCE_DIR="$root" DR_E2E_BACKEND=real DR_CONTROL_PLANE="$root/scripts/control-plane.sh"

started=$SECONDS
bash "$root/scripts/control-plane.sh" build >/dev/null || { echo "error: the control plane did not build" >&2; exit 1; }
echo "# control plane built (or found in the cache) in $((SECONDS - started)) s" >&2

scripts=()
if [ $# -gt 0 ]; then
  for name in "$@"; do
    for dir in tests/e2e tests/e2e-real; do
      [ -f "$root/$dir/$name.test.sh" ] && scripts+=("$root/$dir/$name.test.sh")
    done
  done
else
  for name in "${E2E_ON_REAL[@]}"; do scripts+=("$root/tests/e2e/$name.test.sh"); done
  for s in "$root"/tests/e2e-real/*.test.sh; do scripts+=("$s"); done
fi
[ ${#scripts[@]} -gt 0 ] || { echo "error: no such script: $*" >&2; exit 2; }

logs="$(mktemp -d)"
passed=0
failed=0
failed_names=()
for s in "${scripts[@]}"; do
  name="$(basename "$s" .test.sh)"
  t0=$SECONDS
  timeout --kill-after=30 "${DR_REAL_TEST_TIMEOUT:-900}" bash "$s" >"$logs/$name.log" 2>&1
  rc=$?
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$name.log" | tail -1)"
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok - $name ($((SECONDS - t0)) s; ${summary:-no summary})"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "FAIL - $name ($((SECONDS - t0)) s; exit $rc; ${summary:-no summary})"
    grep -E '^not ok|^FAIL|^---|^control-plane:' -A4 "$logs/$name.log" | head -60 | sed 's/^/    /'
  fi
done
echo "# logs in $logs; ${#scripts[@]} scripts in $((SECONDS - started)) s" >&2
[ $failed -eq 0 ] || echo "# failed: ${failed_names[*]}" >&2
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
