#!/usr/bin/env bash
# The krew layout: every executable in one directory off PATH, only a kubectl-dr link on PATH.
# `kubectl dr VERB` must reach kubectl-dr-VERB through the dispatcher, with the arguments, stdin,
# stdout, stderr and exit code of the verb itself.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

store="$E2E_TMP/store/dr/v0"
link_dir="$E2E_TMP/bin"
mkdir -p "$store" "$link_dir"
for exe in kubectl-dr kubectl-dr-activate kubectl-dr-deactivate kubectl-dr-status kubectl-dr-suspend kubectl-dr-resume kubectl-dr-perform kubectl-dr-failover kubectl-dr-failback; do
  cp "$DR_BIN_DIR/$exe" "$store/$exe"
done
ln -s "$store/kubectl-dr" "$link_dir/kubectl-dr"
KREW_PATH="$link_dir:/usr/bin:/bin"
kdr() { env PATH="$KREW_PATH" kubectl dr "$@"; }

run_capture env PATH="$KREW_PATH" kubectl plugin list --name-only
expect_eq "only kubectl-dr is a plugin on this PATH" "$OUT" $'The following compatible plugins are available:\n\nkubectl-dr'

# Help, version, unknown commands: the dispatcher's own.
run_capture kdr
expect_eq "kubectl dr alone exits 0" "$RC" 0
for verb in activate deactivate status suspend resume perform failover failback; do
  check "kubectl dr lists $verb" grep -Eq "^  $verb +[A-Z]" <<<"$OUT"
done
expect_eq "the runbook has 5 steps" "$(grep -c '^  [0-9]\. kubectl dr ' <<<"$OUT")" 5
run_capture kdr --help
expect_eq "kubectl dr --help exits 0 on stdout" "$RC:$ERR" "0:"
run_capture kdr -h
expect_eq "kubectl dr -h exits 0" "$RC" 0
run_capture kdr help
expect_eq "kubectl dr help exits 0" "$RC" 0

run_capture kdr version
expect_eq "kubectl dr version exits 0" "$RC" 0
check "kubectl dr version prints the version line" \
  grep -Eq '^kubectl-dr version v[0-9]+\.[0-9]+\.[0-9]+ \(commit [^,]+, linux/(amd64|arm64)\)$' <<<"$OUT"
run_capture kdr --version
expect_eq "kubectl dr --version is the same" "$OUT" "$(kdr version)"
run_capture kdr version -o json
expect_eq "kubectl dr version -o json is JSON" "$(jq -r '.version | startswith("v")' <<<"$OUT")" "true"
expect_eq "version -o json has gitCommit and platform" "$(jq -r '(.gitCommit | length > 0) and (.platform | length > 0)' <<<"$OUT")" "true"

run_capture kdr frobnicate
expect_eq "unknown verb exits 1" "$RC" 1
expect_eq "unknown verb: cobra's words" "$ERR" $'error: unknown command "frobnicate" for "kubectl dr"\nRun \'kubectl dr --help\' for usage.'
expect_eq "unknown verb prints nothing on stdout" "$OUT" ""

# Through the dispatcher to the siblings.
run_capture kdr status --help
expect_eq "kubectl dr status --help exits 0" "$RC" 0
expect_eq "kubectl dr status --help is kubectl-dr-status's help" "$OUT" "$("$store/kubectl-dr-status" --help)"
run_capture kdr help suspend
expect_eq "kubectl dr help suspend shows suspend's help" "$OUT" "$("$store/kubectl-dr-suspend" --help)"

run_capture kdr status --context us-east-1b
expect_eq "kubectl dr status exits 0" "$RC" 0
expect_eq "same output as kubectl-dr-status itself" "$OUT" "$("$store/kubectl-dr-status" --context us-east-1b)"
expect_contains "it is the cluster domains table" "$OUT" "LOCAL-DOMAIN"
# Global flags before the verb are passed on.
run_capture kdr --context us-east-1a -n zookeeper status migrationschedules
expect_eq "flags before the verb: exits 0" "$RC" 0
expect_contains "flags before the verb reach the verb" "$OUT" "migrationschedule"
expect_eq "flags before the verb: same as kubectl-dr-status with them" "$OUT" \
  "$("$store/kubectl-dr-status" --context us-east-1a -n zookeeper migrationschedules)"

# The exit code and stderr are the sibling's.
run_capture kdr status --no-such-flag
expect_eq "a verb's usage error exits 1" "$RC" 1
expect_contains "the verb's own error message" "$ERR" "unknown flag: --no-such-flag"
run_capture kdr activate clusterdomain no-such-domain --context us-east-1b
direct_rc=0
"$store/kubectl-dr-activate" clusterdomain no-such-domain --context us-east-1b >/dev/null 2>&1 || direct_rc=$?
expect_eq "a failing verb's exit code passes through" "$RC" "$direct_rc"
check "and it is a failure" test "$RC" -ne 0

# stdin passes through: suspend reads schedules from -f -.
schedules="$(kubectl --context us-east-1a get migrationschedules -n zookeeper -o json)"
run_capture kdr suspend migrationschedule -f - --context us-east-1a <<<"$schedules"
expect_eq "suspend -f - through the dispatcher exits 0" "$RC" 0
expect_eq "the schedule read from stdin is suspended" \
  "$(kubectl --context us-east-1a get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "true"

# exec, not a child: the process is the sibling itself.
env PATH="$KREW_PATH" "$link_dir/kubectl-dr" status -w --context us-east-1b >/dev/null 2>&1 &
watcher=$!
exe=""
for _ in $(seq 1 50); do
  exe="$(readlink "/proc/$watcher/exe" 2>/dev/null || true)"
  [ "$exe" == "$store/kubectl-dr-status" ] && break
  sleep 0.05
done
expect_eq "the dispatcher's process becomes kubectl-dr-status (exec)" "$exe" "$store/kubectl-dr-status"
kill -TERM "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true

# A missing sibling: a clear error naming the path, exit 1.
rm "$store/kubectl-dr-resume"
run_capture kdr resume migrationschedule x
expect_eq "missing sibling exits 1" "$RC" 1
expect_contains "missing sibling names the expected path" "$ERR" "$store/kubectl-dr-resume: No such file or directory"
expect_contains "missing sibling suggests reinstalling" "$ERR" "Reinstall"

finish
