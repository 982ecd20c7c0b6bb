#!/usr/bin/env bash
# activate and deactivate migration over 2,000 workloads (1,000 of them migrated: 800 statefulsets and
# deployments, 200 cronjobs) while about one
# request in ten fails: 500/503 answers, 429s with Retry-After, connections closed mid-response, and
# added latency. Both runs must exit 0 and leave every workload at its recorded count, and the
# emulator's own request log must show at most one successful write per object per run: a write
# whose answer was lost is repeated only under a resourceVersion precondition, which the server
# refuses once the first copy landed.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:100:20
STATE="$(jq -r .state_dir <<<"$EMU_INFO")"
LOG="$STATE/dst.requests.log"

recorded() {  # the migrationReplicas count of every annotated workload, either spelling
  kubectl get statefulsets,deployments -A -o json | jq '[.items[] | select(.metadata.annotations != null and
    ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) != null))
    | {ns: .metadata.namespace, kind, name: .metadata.name, replicas: .spec.replicas,
       count: ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber)}]'
}
log_lines() { emulator_admin dst GET '/emulator/log?limit=1' >/dev/null; wc -l <"$LOG"; }  # flushes first
# The plugin's requests since line $1 of the log: "METHOD PATH STATUS" (the query dropped).
plugin_requests() {
  emulator_admin dst GET '/emulator/log?limit=1' >/dev/null
  tail -n +"$(($1 + 1))" "$LOG" | grep '"kubectl-dr/' | awk '{ sub(/\?.*/, "", $3); print $2, $3, $4 }'
}
faults_on() {
  emulator_admin dst PUT /emulator/faults \
    '{"error_rate":0.04,"error_codes":[500,503],"throttle_rate":0.03,"retry_after_seconds":1,"drop_rate":0.03,"latency_ms":2}' >/dev/null
}
faults_off() { emulator_admin dst DELETE /emulator/faults >/dev/null; }

before="$(recorded)"
migrated="$(jq length <<<"$before")"
cronjobs="$(kubectl get cronjobs -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationNamespace"] != null)] | length')"
check "the seed has 800 annotated statefulsets and deployments" test "$migrated" -eq 800
check "and 200 migrated cronjobs" test "$cronjobs" -eq 200

# one run under faults; sets RUN_REQUESTS to the plugin's "METHOD PATH STATUS" lines
run_under_faults() {
  local start; start="$(log_lines)"
  faults_on
  run_capture "$@"
  faults_off
  RUN_REQUESTS="$(plugin_requests "$start")"
}
# at most one 2xx PATCH per object path in the run
max_successes() { awk '$1 == "PATCH" && $3 ~ /^2/ { n[$2]++ } END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' <<<"$RUN_REQUESTS"; }
injected() { awk '$3 == 500 || $3 == 503 || $3 == 429 { n++ } END { print n + 0 }' <<<"$RUN_REQUESTS"; }

# --- activate migration -A under faults
SECONDS=0
run_under_faults kubectl dr activate migration -A -o json
activate_seconds=$SECONDS
expect_eq "activate under faults: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" | tail -20 >&2
expect_eq "activate under faults: no failure in the report" "$(jq '.summary.failed' <<<"$OUT")" 0
after="$(recorded)"
expect_eq "activate under faults: every workload at its recorded count" \
  "$(jq '[.[] | select(.replicas != .count)] | length' <<<"$after")" 0
expect_eq "activate under faults: the counts themselves untouched" \
  "$(jq -c '[.[] | [.ns, .kind, .name, .count]]' <<<"$after")" "$(jq -c '[.[] | [.ns, .kind, .name, .count]]' <<<"$before")"
expect_eq "activate under faults: every migrated cronjob resumed" \
  "$(kubectl get cronjobs -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationNamespace"] != null and .spec.suspend != false)] | length')" 0
activate_injected="$(injected)"
check "activate under faults: faults were injected ($activate_injected answered 500/503/429)" test "$activate_injected" -gt 20
expect_eq "activate under faults: at most one successful write per object" "$(max_successes)" 1
activate_patches="$(awk '$1 == "PATCH" && $3 ~ /^2/' <<<"$RUN_REQUESTS" | wc -l)"
activate_total="$(wc -l <<<"$RUN_REQUESTS")"
check "activate under faults: every object written ($activate_patches successful writes)" test "$activate_patches" -ge 1000

# --- deactivate migration -A under faults
SECONDS=0
run_under_faults kubectl dr deactivate migration -A -o json
deactivate_seconds=$SECONDS
expect_eq "deactivate under faults: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" | tail -20 >&2
after="$(recorded)"
expect_eq "deactivate under faults: every annotated workload at 0" \
  "$(jq '[.[] | select(.replicas != 0)] | length' <<<"$after")" 0
expect_eq "deactivate under faults: no recorded count lost or changed" \
  "$(jq -c '[.[] | [.ns, .kind, .name, .count]]' <<<"$after")" "$(jq -c '[.[] | [.ns, .kind, .name, .count]]' <<<"$before")"
expect_eq "deactivate under faults: every migrated cronjob suspended" \
  "$(kubectl get cronjobs -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationNamespace"] != null and .spec.suspend != true)] | length')" 0
deactivate_injected="$(injected)"
check "deactivate under faults: faults were injected ($deactivate_injected answered 500/503/429)" test "$deactivate_injected" -gt 20
expect_eq "deactivate under faults: at most one successful write per object" "$(max_successes)" 1
deactivate_total="$(wc -l <<<"$RUN_REQUESTS")"

# --- a second activation without faults: converged, nothing left to write twice
start="$(log_lines)"
run_capture kubectl dr activate migration -A -o json
expect_eq "clean re-activation: exit 0" "$RC" 0
RUN_REQUESTS="$(plugin_requests "$start")"
expect_eq "clean re-activation: at most one successful write per object" "$(max_successes)" 1
expect_eq "clean re-activation: every workload at its recorded count" \
  "$(recorded | jq '[.[] | select(.replicas != .count)] | length')" 0

echo "figures: activate ${activate_seconds}s, $activate_total requests, $activate_injected injected errors;" \
  "deactivate ${deactivate_seconds}s, $deactivate_total requests, $deactivate_injected injected errors"
finish
