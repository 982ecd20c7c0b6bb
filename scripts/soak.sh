#!/usr/bin/env bash
# Soak: the reliability end-to-end tests with far more trials than CI runs. The SIGKILL test gets
# --trials kills (CI: 60), and the fault, signal and conflict tests are repeated --rounds times, each
# round against a fresh emulator (their faults are random, so every round is a new draw).
# Usage: scripts/soak.sh [--trials N] [--rounds R] [--build-dir DIR]
#   --trials N      SIGKILL trials in reliability_interrupt (default 500)
#   --rounds R      repetitions of reliability_faults, _signals and _conflicts (default 5)
#   --build-dir DIR a configured and built tree (default: build); kube-emulator and the plugins
#                   are taken from it (cmake --build DIR --target kube-emulator kubectl-dr ...)
# Prints one line per run and a summary; exits 1 if any run failed. Logs go to DIR/soak/.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trials=500
rounds=5
build="$root/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$trials$rounds" in *[!0-9]*) echo "soak.sh: --trials and --rounds take whole numbers" >&2; exit 2 ;; esac

export DR_BIN_DIR="$build/plugins" KUBE_EMULATOR="$build/tests/emulator/kube-emulator" DR_SOURCE_DIR="$root"
for exe in "$KUBE_EMULATOR" "$DR_BIN_DIR/kubectl-dr-activate" "$DR_BIN_DIR/kubectl-dr-deactivate"; do
  [ -x "$exe" ] || { echo "soak.sh: $exe is missing; build the tree first (--build-dir)" >&2; exit 2; }
done
logs="$build/soak"
mkdir -p "$logs"

failed=0
runs=0
# run NAME SCRIPT [ENV=VALUE...]: one test script, its output kept in the log dir
run() {
  local name="$1" script="$2"; shift 2
  local log="$logs/$name.log" start=$SECONDS rc
  runs=$((runs + 1))
  env "$@" bash "$root/tests/e2e/$script" >"$log" 2>&1
  rc=$?
  printf '%-28s %5ds  %s  %s\n' "$name" $((SECONDS - start)) "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" \
    "$(grep -h '^figures:' "$log" | head -1)"
  [ "$rc" -eq 0 ] || { failed=$((failed + 1)); grep '^not ok' "$log" | head -5; }
}

run "interrupt-$trials" reliability_interrupt.test.sh "RELIABILITY_TRIALS=$trials"
for round in $(seq 1 "$rounds"); do
  run "faults-$round" reliability_faults.test.sh
  run "signals-$round" reliability_signals.test.sh
  run "conflicts-$round" reliability_conflicts.test.sh
done
echo "soak: $runs runs, $failed failed (logs in $logs)"
[ "$failed" -eq 0 ]
