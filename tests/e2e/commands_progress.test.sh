#!/usr/bin/env bash
# Progress on stderr: shown when stderr is a terminal and the work is long (over 2 s), never when it
# is a pipe or a file. The terminal is a pseudo-terminal from util-linux's script(1); the emulator
# answers slowly (fault latency) and --max-inflight 1 makes the run long on a small scale seed.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "FAIL: script(1) from util-linux is not installed" >&2; exit 1; }
start_emulator --clusters dst --seed scale:3:8
emulator_admin dst PUT /emulator/faults '{"latency_ms": 120}' >/dev/null

# on_tty OUT ERR CMD...: runs CMD with stderr (only) on a pseudo-terminal; stdout to OUT, the
# terminal's bytes to ERR.
on_tty() {
  local out="$1" err="$2"; shift 2
  local cmd; cmd="$(printf '%q ' "$@")"
  script -qefc "$cmd >$(printf '%q' "$out")" /dev/null </dev/null >"$err"
}

# --- a terminal: progress lines, each rewritten in place, then cleared before the summary.
start=$SECONDS
on_tty "$E2E_TMP/tty.out" "$E2E_TMP/tty.err" kubectl dr activate migration -A --max-inflight 1 --wait --timeout 30s
rc=$?
expect_eq "on a terminal: exit 0" "$rc" 0
check "the run was long enough to show progress (> 2 s)" test $((SECONDS - start)) -ge 3
tty_err="$(tr -d '\000' <"$E2E_TMP/tty.err")"
check "on a terminal: progress lines on stderr" grep -Eq $'\r[0-9]+ workloads processed\\.\\.\\.' <<<"$tty_err"
check "on a terminal: --wait's progress too" grep -Eq $'\r[0-9]+/[0-9]+ workloads ready' <<<"$tty_err"
check "on a terminal: the progress is cleared before the closing lines" \
  grep -Eq $'\r\033\\[K(All workloads are ready|Activated [0-9]+ workloads)' <<<"$tty_err"
check "on a terminal: stdout carries no progress" bash -c "! grep -q 'processed' \"\$1\"" _ "$E2E_TMP/tty.out"
expect_contains "on a terminal: storkctl's lines still on stdout" "$(cat "$E2E_TMP/tty.out")" "Updated replicas for "

# --- stdout and stderr on the same terminal, as a user runs it, with failures late in the run: every
# line (stdout's results, stderr's failures) starts on a cleared line, never glued after the progress.
kubectl dr deactivate migration -A >/dev/null 2>&1
emulator_admin dst POST /emulator/deny '{"add":["patch:deployments:ns-00003"]}' >/dev/null
script -qefc "kubectl dr activate migration -A --max-inflight 1" /dev/null </dev/null >"$E2E_TMP/both.tty" || true
emulator_admin dst DELETE /emulator/deny >/dev/null
both="$(tr -d '\000' <"$E2E_TMP/both.tty")"
check "one terminal: progress shown" grep -Eq $'\r[0-9]+ workloads processed\\.\\.\\.' <<<"$both"
check "one terminal: late failures printed" grep -q 'Error updating replicas for deployment ns-00003/' <<<"$both"
check "one terminal: no line glued to a progress line" bash -c \
  "! grep -Eq 'processed\\.\\.\\.[^'$'\r\033'']' <<<\"\$1\"" _ "$both"
check "one terminal: every result line starts on a cleared line" bash -c \
  "! grep -Eq 'processed\\.\\.\\.(Updated|Error|Skipped|Warning|Activated)' <<<\"\$1\"" _ "$both"

# --- a pipe: the same long run, no progress at all.
kubectl dr deactivate migration -A >/dev/null 2>&1
run_capture bash -c 'kubectl dr activate migration -A --max-inflight 1 --wait --timeout 30s 2>&1 | cat >&2'
expect_eq "through a pipe: exit 0" "$RC" 0
check "through a pipe: no progress" bash -c "! grep -Eq 'processed|workloads ready\\b.*/|'$'\r' <<<\"\$1\"" _ "$ERR"
expect_contains "through a pipe: the summary" "$ERR" "Activated "
expect_contains "through a pipe: --wait's closing line" "$ERR" "All workloads are ready"
kubectl dr deactivate migration -A >/dev/null 2>&1
run_capture kubectl dr activate migration -A --max-inflight 1
check "to a file: no progress" bash -c "! grep -Eq 'processed|'$'\r' <<<\"\$1\"" _ "$ERR"

emulator_admin dst DELETE /emulator/faults >/dev/null
finish
