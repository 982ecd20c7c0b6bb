#!/usr/bin/env bash
# One namespace failing among many: writes in ns-00003 are refused (403, as when a RoleBinding is
# missing there), every other namespace is still activated, the failures are reported one by one,
# the summary counts them, and the exit code is 1. A re-run once access is granted finishes the job.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:6:5

recorded() {  # the recorded count of a workload object (either spelling)
  jq '(.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber'
}
# off_count NS_FILTER: annotated workloads not at their recorded count, in namespaces matching NS_FILTER (jq regex)
off_count() {
  kubectl get statefulsets,deployments -A -o json | jq --arg ns "$1" '[.items[] | select(.metadata.namespace | test($ns)) |
    select(.metadata.annotations != null) |
    select((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) != null) |
    select(.spec.replicas != ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber))] | length'
}
in_ns3="$(off_count '^ns-00003$')"
elsewhere="$(off_count '^ns-0000[^3]$')"
check "ns-00003 has migrated workloads to activate" test "$in_ns3" -gt 0
check "other namespaces have some too" test "$elsewhere" -gt 0

emulator_admin dst POST /emulator/deny '{"add":["patch:*:ns-00003"]}' >/dev/null
want_line="$(kubectl patch deploy app-0 -n ns-00003 --type merge -p '{"metadata":{"labels":{"x":"y"}}}' 2>&1 >/dev/null || true)"
check "kubectl itself is refused in ns-00003" grep -q '^Error from server (Forbidden): ' <<<"$want_line"
check "kubectl is not refused elsewhere" kubectl label deploy app-0 -n ns-00002 x=y

run_capture kubectl dr activate migration -A
expect_eq "partial failure: exit 1" "$RC" 1
expect_eq "partial failure: every other namespace activated" "$(off_count '^ns-0000[^3]$')" "0"
expect_eq "partial failure: ns-00003 untouched" "$(off_count '^ns-00003$')" "$in_ns3"
expect_eq "partial failure: one replicas error line per refused workload" \
  "$(grep -c '^Error updating replicas for [a-z]* ns-00003/' <<<"$ERR" || true)" "$in_ns3"
check "partial failure: the lines carry the server's reason" grep -q \
  '^Error updating replicas for [a-z]* ns-00003/app-[0-9] : Error from server (Forbidden): ' <<<"$ERR"
check "partial failure: no error outside ns-00003" bash -c "! grep '^Error' <<<\"\$1\" | grep -qv 'ns-00003/'" _ "$ERR"
summary="$(grep '^Activated ' <<<"$ERR" || true)"
check "partial failure: a summary line over the 6 namespaces" grep -q ' in 6 namespaces ' <<<"$summary"
workload_failures="$(sed -E 's/.* ([0-9]+) failed\).*/\1/' <<<"$summary")"
expect_eq "partial failure: the summary counts each reported failure" \
  "$workload_failures" "$(grep -c '^Error' <<<"$ERR")"
# The schedules of a namespace whose workloads failed are left as they were (never marked while
# its apps are still at 0), and the warning says which; the other namespaces' are marked.
expect_eq "partial failure: ns-00003's schedule is not marked" \
  "$(kubectl get migrationschedules -n ns-00003 -o json | jq '[.items[] | select(.status.applicationActivated == true)] | length')" "0"
check "partial failure: a warning names the schedule left alone and why" grep -Eq \
  '^Warning: MigrationSchedule ns-00003/[^ ]+ left as it is: namespace ns-00003 has workloads that failed' <<<"$ERR"
check "partial failure: the other namespaces' schedules are marked" grep -Eq \
  ' and marked [1-9][0-9]* MigrationSchedules? applicationActivated=true in ' <<<"$summary"
expect_contains "partial failure: the successes are on stdout" "$OUT" "Updated replicas for "

emulator_admin dst DELETE /emulator/deny >/dev/null
run_capture kubectl dr activate migration -A -o json
expect_eq "re-run with access: exit 0" "$RC" 0
expect_eq "re-run: ns-00003 activated" "$(off_count '^ns-00003$')" "0"
expect_eq "re-run: only ns-00003 needed writes" "$(jq -r '[.items[] | select(.outcome=="updated" and .kind != "CronJob") | .namespace] | unique | join(",")' <<<"$OUT")" "ns-00003"

# deactivate apps with the same refusal: the other namespaces stop, with their counts recorded.
emulator_admin dst POST /emulator/deny '{"add":["patch:deployments:ns-00005"]}' >/dev/null
run_capture kubectl dr deactivate apps --include-namespaces ns-00004,ns-00005 -o json
expect_eq "deactivate apps, one namespace refused: exit 1" "$RC" 1
expect_eq "deactivate apps: ns-00004 stopped" \
  "$(kubectl get statefulsets,deployments -n ns-00004 -o json | jq '[.items[] | select(.spec.replicas != 0)] | length')" "0"
check "deactivate apps: ns-00004's counts recorded" bash -c \
  "kubectl get statefulsets,deployments -n ns-00004 -o json | jq -e 'all(.items[]; (.metadata.annotations[\"stork.libopenstorage.org/migrationReplicas\"] // .metadata.annotations[\"stork.openstorage.org/migrationReplicas\"] | tonumber) > 0)'"
expect_eq "deactivate apps: the refused ones are failed results in ns-00005 deployments only" \
  "$(jq -r '[.items[] | select(.outcome=="failed") | "\(.kind)/\(.namespace)"] | unique | join(",")' <<<"$OUT")" "Deployment/ns-00005"
expect_eq "deactivate apps: the ns-00005 statefulsets still stopped" \
  "$(kubectl get statefulsets -n ns-00005 -o json | jq '[.items[] | select(.spec.replicas != 0)] | length')" "0"
check "deactivate apps: summary.failed matches" jq -e '.summary.failed == ([.items[] | select(.outcome=="failed")] | length) and .summary.failed > 0' <<<"$OUT"

finish
