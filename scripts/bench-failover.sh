#!/usr/bin/env bash
# Benchmark of the one-command failover (`kubectl dr failover`) against the same stages run alone,
# step by step, on two emulated clusters seeded with failover-scale:N:M (N namespaces x M running
# workloads migrated by one schedule). Run by hand (scripts/bench.sh --failover); nothing asserts a
# time. For each latency, a fresh pair of clusters per measurement:
#   one-command  kubectl dr failover --yes -o json (its report gives each stage's time)
#   step-by-step suspend; deactivate apps --wait; a last-mile Migration created with kubectl and
#                waited for; deactivate clusterdomain --wait; activate migration --wait
#
#   scripts/bench-failover.sh [--namespaces N] [--workloads M] [--latencies 0,5] [--runs R]
#                             [--build-dir DIR] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build-bench"
NAMESPACES=1000
WORKLOADS=10
LATENCIES="0,5"
RUNS=1
BUILD_FIRST=1
while [ $# -gt 0 ]; do
  case "$1" in
    --namespaces) NAMESPACES="$2"; shift ;;
    --workloads) WORKLOADS="$2"; shift ;;
    --latencies) LATENCIES="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --build-dir) BUILD="$2"; shift ;;
    --no-build) BUILD_FIRST=0 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown flag $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for tool in jq kubectl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
if [ "$BUILD_FIRST" = 1 ]; then
  echo "building (Release) in $BUILD ..." >&2
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target kube-emulator kubectl-dr kubectl-dr-failover kubectl-dr-suspend \
    kubectl-dr-deactivate kubectl-dr-activate >/dev/null
fi
export PATH="$BUILD/plugins:$PATH"
EMULATOR="$BUILD/tests/emulator/kube-emulator"
WORK="$(mktemp -d)"
EMU_PID=""
cleanup() {
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

start_clusters() {
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null || true
  rm -rf "$WORK/state" && mkdir -p "$WORK/state"
  "$EMULATOR" --clusters src,dst --state-dir "$WORK/state" --seed "failover-scale:$NAMESPACES:$WORKLOADS" \
    --latency-ms "$1" --ready-delay-ms 0 >"$WORK/emu.out" 2>"$WORK/emu.err" &
  EMU_PID=$!
  for _ in $(seq 1 6000); do
    [ -s "$WORK/emu.out" ] && break
    kill -0 "$EMU_PID" 2>/dev/null || { cat "$WORK/emu.err" >&2; exit 1; }
    sleep 0.1
  done
  export KUBECONFIG
  KUBECONFIG="$(head -1 "$WORK/emu.out" | jq -r .kubeconfig)"
}

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

namespaces_list() {
  local i list=""
  for i in $(seq 1 "$NAMESPACES"); do list+="$(printf 'fo-%05d' "$i"),"; done
  echo "${list%,}"
}
NS_LIST="$(namespaces_list)"

# Each measurement sets RESULT (not echoed from a subshell: the emulator must stay this shell's child,
# so that the EXIT trap stops it).
one_command() {
  start_clusters "$1"
  local t0 t1
  t0=$(seconds)
  kubectl dr failover -m migrationschedule -n dr-admin --from src --to dst --yes -o json >"$WORK/report.json" \
    2>"$WORK/failover.err"
  t1=$(seconds)
  RESULT="$(elapsed "$t0" "$t1") $(jq -r '[.stages[] | "\(.stage)=\(.elapsedSeconds)"] | join(" ")' "$WORK/report.json")"
}

step_by_step() {
  start_clusters "$1"
  local t0 t1 total=0 line="" w
  run_step() {
    local name="$1"; shift
    t0=$(seconds)
    "$@" >/dev/null 2>"$WORK/step.err" || { cat "$WORK/step.err" >&2; exit 1; }
    t1=$(seconds)
    w=$(elapsed "$t0" "$t1")
    total=$(awk -v a="$total" -v b="$w" 'BEGIN { printf "%.2f", a + b }')
    line+=" $name=$w"
  }
  run_step suspend kubectl dr suspend migrationschedule migrationschedule -n dr-admin --context src
  run_step scale-down+wait kubectl dr deactivate apps --include-namespaces "$NS_LIST" --context src --wait \
    --timeout 30m
  last_mile() {
    kubectl --context src get migrationschedule migrationschedule -n dr-admin -o json |
      jq '{apiVersion:"stork.libopenstorage.org/v1alpha1", kind:"Migration",
           metadata:{name:"bench-lastmile", namespace:"dr-admin"}, spec:(.spec.template.spec + {startApplications:false})}' |
      kubectl --context src create -f - >/dev/null
    until [ "$(kubectl --context src get migration bench-lastmile -n dr-admin -o jsonpath='{.status.stage}')" = Final ]; do
      sleep 0.5
    done
  }
  run_step last-mile last_mile
  run_step deactivate-domain kubectl dr deactivate clusterdomain src --context dst --wait --timeout 30m
  run_step scale-up+wait kubectl dr activate migration --include-namespaces "$NS_LIST" --context dst --wait \
    --timeout 30m
  RESULT="$total$line"
}

echo "# one-command failover vs its stages alone: failover-scale:$NAMESPACES:$WORKLOADS, $(nproc) cores, $(date -u +%F)"
IFS=, read -r -a latencies <<<"$LATENCIES"
for latency in "${latencies[@]}"; do
  for run in $(seq 1 "$RUNS"); do
    one_command "$latency"
    echo "latency ${latency}ms run $run one-command: $RESULT"
    step_by_step "$latency"
    echo "latency ${latency}ms run $run step-by-step: $RESULT"
  done
done
