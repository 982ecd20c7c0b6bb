#!/usr/bin/env bash
# On the real control plane (DR_E2E_BACKEND=real; skipped otherwise): scripts/bench.sh --real on
# tiny seeds, so the benchmark keeps working between the runs made by hand: the activation and
# storkctl's pattern complete against a real kube-apiserver (the pattern once crashed on a real
# server's list items), every workload ends at its count, and the requests are counted through
# APF's non-exempt flow schemas (the bench user is not system:masters). No figure is asserted.
source "$(dirname "$0")/../e2e/lib.sh"
if [ "$DR_E2E_BACKEND" != real ]; then echo "SKIP: needs the real control plane (DR_E2E_BACKEND=real)"; finish; exit 0; fi
build="$(cd "$DR_BIN_DIR/.." && pwd)"
for tool in tests/bench/timed-run tests/bench/storkctl-pattern; do
  [ -x "$build/$tool" ] || { echo "FAIL: $build/$tool is not built (CMake targets timed-run, storkctl-pattern)" >&2; exit 1; }
done

run_capture bash "${DR_SOURCE_DIR:?}/scripts/bench.sh" --real --no-build --build-dir "$build" \
  --seed scale:2:10 --scenarios activate,storkctl --storkctl-ns 1 --storkctl-patterns all
expect_eq "bench --real: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" | tail -20 >&2
row() { awk -v s="$1" '$1 == s { print $2 }' <<<"$OUT"; }
for scenario in activate storkctl-all; do
  check "bench --real: a row for $scenario with its requests ($(row "$scenario"))" test "$(row "$scenario")" -gt 0
done
expect_eq "bench --real: every measured command went through APF as an ordinary user" \
  "$(grep -c 'flow schemas: global-default)' <<<"$ERR")" 2
finish
