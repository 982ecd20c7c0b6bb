#!/usr/bin/env bash
# The Portworx failover runbook, end to end, with `kubectl dr` on two local emulated clusters.
#
#   scripts/demo.sh [--keep] [--pause SECONDS] [--real]
#
# Installs the Debian packages it needs (scripts/deps.sh), builds the plugins and kube-emulator
# (quietly, into $DR_BUILD_DIR, default build-demo/), starts kube-emulator with clusters us-east-1a
# (the source) and us-east-1b (the destination) seeded as after a scheduled Stork migration of
# ZooKeeper, then fails ZooKeeper over to us-east-1b and back, printing each command and its real
# output. Schedule policies run in seconds instead of minutes, so migrations really happen.
#
#   --keep           leave the clusters running at the end and print how to use and stop them
#   --pause SECONDS  wait this long before each step (for presenting)
#   --real           the same on a real Kubernetes control plane (scripts/control-plane.sh:
#                    kube-apiserver, controller-manager, scheduler, kwok; built on first use)
#   -h, --help       this text
#
# DR_BIN_DIR and KUBE_EMULATOR (both set, as CTest sets them) skip the packages and the build and
# use those binaries. Exits non-zero at the first step that fails. The emulator is stopped and its
# temporary directory removed on every exit, Ctrl-C included (unless --keep and all went well).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keep=false
pause=0
real=false

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() {
  echo "demo.sh: $*" >&2
  exit 1
}

while (($#)); do
  case "$1" in
    --keep) keep=true; shift ;;
    --real) real=true; shift ;;
    --pause) pause="${2:?--pause needs a number of seconds}"; shift 2 ;;
    --pause=*) pause="${1#--pause=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$pause" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--pause wants a number of seconds, got \"$pause\""

bold="" dim="" reset=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  bold=$'\e[1m' dim=$'\e[2m' reset=$'\e[0m'
fi
note() { printf '\n%s# %s%s\n' "$dim" "$*" "$reset"; }

# ---- binaries --------------------------------------------------------------------------------------
if [ -n "${DR_BIN_DIR:-}" ] && [ -n "${KUBE_EMULATOR:-}" ]; then
  bin_dir="$DR_BIN_DIR"
  emulator="$KUBE_EMULATOR"
else
  bash "$root/scripts/deps.sh"
  build="${DR_BUILD_DIR:-$root/build-demo}"
  mkdir -p "$build"
  log="$build/demo-build.log"
  echo "building kubectl-dr and kube-emulator in $build (log: $log) ..." >&2
  # Only what the demo runs: the unit tests would triple the build time.
  # shellcheck disable=SC2086 # DR_CMAKE_ARGS is a list of arguments, as in scripts/test.sh
  if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${DR_BUILD_TYPE:-RelWithDebInfo}" ${DR_CMAKE_ARGS:-} &&
    cmake --build "$build" -j "$(nproc)" --target kube-emulator kubectl-dr kubectl-dr-activate \
      kubectl-dr-deactivate kubectl-dr-status kubectl-dr-suspend kubectl-dr-resume kubectl_complete-dr; } \
    >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "the build failed (full log: $log)"
  fi
  bin_dir="$build/plugins"
  emulator="$build/tests/emulator/kube-emulator"
fi
for exe in "$emulator" "$bin_dir/kubectl-dr" "$bin_dir/kubectl-dr-status"; do
  [ -x "$exe" ] || die "$exe is missing or not executable"
done
command -v kubectl >/dev/null || die "kubectl is not on PATH: the demo drives the real kubectl (https://kubernetes.io/docs/tasks/tools/)"
bin_dir="$(cd "$bin_dir" && pwd)"
export PATH="$bin_dir:$PATH"

# ---- the clusters ----------------------------------------------------------------------------------
work=""
emulator_pid=""
pause_pid=""
finished=false

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$pause_pid" ]; then kill "$pause_pid" 2>/dev/null || true; fi
  if $keep && $finished; then exit "$rc"; fi
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    # It shuts down in milliseconds (the real control plane in seconds); never leave it behind.
    for _ in $(seq 1 $($real && echo 600 || echo 50)); do
      kill -0 "$emulator_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
  if ((rc != 0)); then echo "demo.sh: stopped (exit $rc); the emulated clusters are gone" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
work="$(mktemp -d "${TMPDIR:-/tmp}/kubectl-dr-demo.XXXXXX")"

# Seconds-scale schedules: the seed's 30-minute interval policy migrates every 30 s.
launcher=("$emulator")
$real && launcher=(bash "$root/scripts/control-plane.sh" --emulator "$emulator")
$real && echo "starting a real control plane (the first run builds it: minutes) ..." >&2
"${launcher[@]}" --clusters us-east-1a,us-east-1b --seed zookeeper-failover --minutes-as-seconds \
  --state-dir "$work/state" >"$work/emulator.out" 2>"$work/emulator.err" </dev/null &
emulator_pid=$!
ready=""
for _ in $(seq 1 $($real && echo 12000 || echo 300)); do
  if [ -s "$work/emulator.out" ]; then
    ready="$(head -n 1 "$work/emulator.out")"
    break
  fi
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  cat "$work/emulator.err" >&2
  die "kube-emulator did not start"
fi
export KUBECONFIG="$work/state/kubeconfig"
# kubectl's discovery cache belongs with the clusters, not in the user's ~/.kube.
export KUBECACHEDIR="$work/kube-cache"

SRC=(--context us-east-1a)
DST=(--context us-east-1b)

# step CMD...: prints the command as typed at a prompt, then runs it; any failure ends the demo.
# Its stderr (summaries, warnings) joins stdout so the two read in order, as on a terminal.
step() {
  if [ "$pause" != 0 ]; then
    # A builtin wait, unlike a foreground sleep, returns at once on Ctrl-C.
    sleep "$pause" &
    pause_pid=$!
    wait "$pause_pid" || true
    pause_pid=""
  fi
  printf '\n%s$ %s%s\n' "$bold" "$*" "$reset"
  local rc=0
  "$@" 2>&1 || rc=$?
  if ((rc != 0)); then
    echo "demo.sh: FAILED (exit $rc): $*" >&2
    exit "$rc"
  fi
}

echo "Two $($real && echo "real (kube-apiserver)" || echo emulated) clusters are up on 127.0.0.1: us-east-1a (source) and us-east-1b (destination)."
echo "Stork migrated namespace zookeeper from us-east-1a to us-east-1b; the copy waits there at 0 replicas."

note "Before the disaster: both cluster domains are active."
step kubectl dr status "${SRC[@]}"
step kubectl dr status "${DST[@]}"
step kubectl get statefulsets -n zookeeper "${DST[@]}"

note "us-east-1a fails. On the surviving cluster, mark its domain inactive."
step kubectl dr deactivate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 30s
step kubectl dr status "${DST[@]}"
step kubectl dr status clusterdomainupdates "${DST[@]}"

note "If the source is still reachable, stop its applications; their replica counts are recorded."
step kubectl dr deactivate apps -n zookeeper "${SRC[@]}"

note "Suspend the schedule, or its next migration would scale the destination back to 0."
step kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
step kubectl dr status migrationschedules -n zookeeper "${SRC[@]}"

note "Start the migrated applications on the destination and wait until they are ready."
step kubectl dr activate migration -n zookeeper "${DST[@]}" --wait --timeout 2m
step kubectl get pods -n zookeeper "${DST[@]}"
step kubectl dr status apps -n zookeeper "${DST[@]}"

note "Failback: us-east-1a is back. Mark its domain active again."
step kubectl dr activate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 30s
step kubectl dr status "${DST[@]}"

note "Stop the applications on the destination (their counts stay recorded) ..."
step kubectl dr deactivate migration -n zookeeper "${DST[@]}" --wait --timeout 2m

note "... start them on the source again, and resume the schedule there."
step kubectl dr activate migration -n zookeeper "${SRC[@]}" --wait --timeout 2m
step kubectl get pods -n zookeeper "${SRC[@]}"
step kubectl dr resume migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
step kubectl dr status migrationschedules -n zookeeper "${SRC[@]}"

note "The same failover as one command: a read-only checklist and the plan first, changing nothing ..."
step kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1a --to us-east-1b --dry-run=client
note "... then the run: each stage journaled on us-east-1b, so a crash is finished with --resume."
step kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1a --to us-east-1b --yes --timeout 2m
step kubectl get pods -n zookeeper "${DST[@]}"

note "And the failback, the same way."
step kubectl dr failback -m migrationschedule -n zookeeper --from us-east-1b --to us-east-1a --yes --timeout 2m
step kubectl get pods -n zookeeper "${SRC[@]}"

finished=true
echo
echo "Failover and failback done, step by step and as one command each."
if $keep; then
  cat <<EOF

The clusters are still running (kube-emulator pid $emulator_pid). Try commands by hand:

  export KUBECONFIG=$KUBECONFIG
  export PATH=$bin_dir:\$PATH
  kubectl dr status --context us-east-1b

Stop them with:

  kill $emulator_pid && rm -rf $work
EOF
fi
