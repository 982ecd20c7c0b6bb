#!/usr/bin/env bash
# SIGINT and SIGTERM in the middle of a run: the command stops cleanly (exit 130 / 143), prints a
# summary of what it did on stderr (and "interrupted" in -o json), and what it reports as done is
# what the cluster shows, give or take the requests that were in flight. A re-run finishes the job.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:20:10
STATE="$(jq -r .state_dir <<<"$EMU_INFO")"
LOG="$STATE/dst.requests.log"
INFLIGHT=2

observe() {
  kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | {
    replicas: .spec.replicas,
    count: (((.metadata.annotations // {}) | (.["stork.libopenstorage.org/migrationReplicas"] // .["stork.openstorage.org/migrationReplicas"])) | if . == null then null else tonumber end)}]'
}
activated() { observe | jq '[.[] | select(.count != null and .replicas == .count)] | length'; }
stopped() { observe | jq '[.[] | select(.replicas == 0)] | length'; }
successful_patches() {  # by the plugin, since line $1 of the request log
  emulator_admin dst GET '/emulator/log?limit=1' >/dev/null
  tail -n +"$(($1 + 1))" "$LOG" | grep '"kubectl-dr/' | awk '$2 == "PATCH" && $4 ~ /^2/' | wc -l
}
log_lines() { emulator_admin dst GET '/emulator/log?limit=1' >/dev/null; wc -l <"$LOG"; }

# interrupt SIGNAL VERB ARGS...: starts the plugin, waits for some of its writes to land, sends the
# signal; sets RC, OUT, ERR.
interrupt() {
  local signal="$1" verb="$2"; shift 2
  local start; start="$(log_lines)"
  "kubectl-dr-$verb" "$@" --max-inflight "$INFLIGHT" >"$E2E_TMP/sig.out" 2>"$E2E_TMP/sig.err" &
  local pid=$! i
  for i in $(seq 1 400); do
    [ "$(successful_patches "$start")" -ge 5 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -"$signal" "$pid" 2>/dev/null || true
  set +e; wait "$pid"; RC=$?; set -e
  OUT="$(cat "$E2E_TMP/sig.out")"; ERR="$(cat "$E2E_TMP/sig.err")"
}

# Slow enough (200ms a request, two at a time: the ~120 writes take 12 s of server time whatever
# the load on this machine) that a signal sent after the first 5 writes lands mid-run.
emulator_admin dst PUT /emulator/faults '{"latency_ms":200}' >/dev/null
total="$(observe | jq '[.[] | select(.count != null)] | length')"

# --- SIGINT during activate migration, table output
interrupt INT activate migration -A
expect_eq "SIGINT: exit 130" "$RC" 130
expect_contains "SIGINT: the summary says it was interrupted" "$ERR" "Interrupted: Activated "
expect_contains "SIGINT: and how to finish" "$ERR" "re-run the command to finish"
reported="$(grep -c '^Updated replicas for ' <<<"$OUT" || true)"
summary="$(sed -n 's/^Interrupted: Activated \([0-9]*\) workload.*/\1/p' <<<"$ERR")"
now="$(activated)"
check "SIGINT: stopped part-way ($now of $total activated)" test "$now" -lt "$total"
check "SIGINT: every write it printed is in the cluster ($reported printed, $now done)" test "$now" -ge "$reported"
check "SIGINT: at most the in-flight writes beyond what it printed" test "$now" -le $((reported + INFLIGHT))
check "SIGINT: the summary counts what it printed ($summary)" test "${summary:-x}" -ge "$reported"
check "SIGINT: no error line for the abandoned requests" bash -c '! grep -q "^error: interrupted" <<<"$1"' _ "$ERR"

# --- SIGTERM during deactivate migration, -o json (from everything activated: plenty to do)
emulator_admin dst DELETE /emulator/faults >/dev/null
kubectl-dr-activate migration -A >/dev/null
now="$(activated)"
emulator_admin dst PUT /emulator/faults '{"latency_ms":200}' >/dev/null
interrupt TERM deactivate migration -A -o json
expect_eq "SIGTERM: exit 143" "$RC" 143
check "SIGTERM: -o json still printed, marked interrupted" jq -e '.summary.interrupted == true' <<<"$OUT"
updated="$(jq '[.items[] | select(.outcome == "updated" and .field == "spec.replicas")] | length' <<<"$OUT")"
at_zero="$(stopped)"
unannotated_at_zero="$(observe | jq '[.[] | select(.count == null and .replicas == 0)] | length')"
expect_eq "SIGTERM: deactivate migration never touched un-migrated workloads" "$unannotated_at_zero" 0
# $now were running before; those the report calls updated are at 0 now
check "SIGTERM: what the report calls updated is at 0 ($updated updated, $at_zero at 0)" test "$at_zero" -ge $((total - now + updated))
check "SIGTERM: summary on stderr" grep -q '^Interrupted: Deactivated ' <<<"$ERR"

# --- SIGTERM during deactivate apps: the count is recorded in the same write as the scale-down
emulator_admin dst DELETE /emulator/faults >/dev/null
kubectl-dr-activate migration -A >/dev/null
emulator_admin dst PUT /emulator/faults '{"latency_ms":200}' >/dev/null
interrupt TERM deactivate apps -A
expect_eq "SIGTERM deactivate apps: exit 143" "$RC" 143
expect_eq "SIGTERM deactivate apps: no workload at 0 without its count" \
  "$(observe | jq '[.[] | select(.replicas == 0 and .count == null)] | length')" 0
check "SIGTERM deactivate apps: stopped part-way" test "$(stopped)" -lt "$(observe | jq length)"

# --- re-running finishes
emulator_admin dst DELETE /emulator/faults >/dev/null
run_capture kubectl dr deactivate apps -A
expect_eq "re-run deactivate apps: exit 0" "$RC" 0
expect_eq "re-run: everything at 0 with a count" \
  "$(observe | jq '[.[] | select(.replicas != 0 or .count == null)] | length')" 0
run_capture kubectl dr activate migration -A
expect_eq "re-run activate: exit 0" "$RC" 0
expect_eq "re-run activate: everything at its count" \
  "$(observe | jq '[.[] | select(.replicas != .count)] | length')" 0

finish
