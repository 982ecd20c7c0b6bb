#!/usr/bin/env bash
# On the real control plane (DR_E2E_BACKEND=real; skipped otherwise), with schedule policies in
# seconds: the Stork simulation runs the MigrationSchedule (Migrations created, run, recorded in
# the schedule's status) and `kubectl dr status` shows it; suspend/resume through `-f -` and
# `-c PAIR -A`; autoSuspend once the destination is activated; the schedule suspended when its
# cluster domain is deactivated. Every wait is bounded and polls a condition.
source "$(dirname "$0")/../e2e/lib.sh"
if [ "$DR_E2E_BACKEND" != real ]; then echo "SKIP: needs the real control plane (DR_E2E_BACKEND=real)"; finish; exit 0; fi
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover --minutes-as-seconds
SRC=(--context us-east-1a)
DST=(--context us-east-1b)
wait_for() {
  local limit=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $limit ] || return 1; sleep 0.5; done
}
schedule() { kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o json; }
seeded="$(schedule | jq -r '.status.items.Interval[0].name')"

# 1. The policy (30 "minutes", here seconds) is long past due: a new migration runs and succeeds.
new_success() { schedule | jq -e --arg s "$seeded" '[.status.items.Interval[]? | select(.name != $s and .status == "Successful")] | length > 0'; }
check "the schedule starts a migration that succeeds" wait_for 120 new_success
latest="$(schedule | jq -r '.status.items.Interval[-1].name')"
check "it is named as Stork names them" grep -Eq '^migrationschedule-interval-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}$' <<<"$latest"
expect_eq "the Migration carries the schedule's name" \
  "$(kubectl "${SRC[@]}" get migration "$latest" -n zookeeper -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migration-schedule-name}')" \
  "migrationschedule"
expect_eq "the Migration is owned by the schedule" \
  "$(kubectl "${SRC[@]}" get migration "$latest" -n zookeeper -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')" \
  "MigrationSchedule/migrationschedule"
run_capture kubectl dr status migrations -n zookeeper "${SRC[@]}"
expect_eq "status migrations exits 0" "$RC" 0
expect_contains "status migrations: the new one, Final, Successful" "$(grep "^$latest " <<<"$OUT" | tr -s ' ')" "remotecluster Final Successful"
run_capture kubectl dr status migrationschedules -n zookeeper "${SRC[@]}"
expect_contains "status migrationschedules: not suspended" "$(sed -n 2p <<<"$OUT" | tr -s ' ')" \
  "migrationschedule default-migration-policy remotecluster false"
expect_eq "the destination's copy of zk is at 0 with the count" \
  "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas} {.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "0 3"
expect_eq "the destination holds a static copy of the schedule" \
  "$(kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/static-copy} {.spec.suspend}')" "true true"

# 2. Suspend what jq picks, through -f -; resume by cluster pair across namespaces.
run_capture bash -c "kubectl ${SRC[*]} get migrationschedules -A -o json |
  jq '{kind:\"List\", items:[.items[] | select(.spec.template.spec.clusterPair==\"remotecluster\")]}' |
  kubectl dr suspend migrationschedule -f - ${SRC[*]}"
expect_eq "suspend -f -: exit 0" "$RC" 0
expect_eq "suspend -f -: storkctl's message" "$OUT" "MigrationSchedule migrationschedule suspended successfully"
expect_eq "suspended" "$(schedule | jq -r .spec.suspend)" "true"
# once suspended, whatever was running finishes and nothing new starts: the count settles
settled() { ! schedule | jq -e '[.status.items.Interval[]? | select(.status == "Pending" or .status == "InProgress")] | length > 0'; }
check "suspended: the running migration (if any) finishes" wait_for 60 settled
run_capture kubectl dr resume migrationschedule -c remotecluster -A "${SRC[@]}"
expect_eq "resume -c -A: exit 0" "$RC" 0
expect_eq "resume -c -A: storkctl's message" "$OUT" "MigrationSchedule migrationschedule resumed successfully"
expect_eq "resumed" "$(schedule | jq -r .spec.suspend)" "false"

# 3. autoSuspend: once the destination's apps are activated, the source's schedule suspends itself.
kubectl "${SRC[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge -p '{"spec":{"autoSuspend":true}}' >/dev/null
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --wait --timeout 180s
expect_eq "activate on the destination: exit 0" "$RC" 0
expect_eq "the destination's copy is marked activated" \
  "$(kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.status.applicationActivated}')" "true"
suspended() { schedule | jq -e '.spec.suspend == true'; }
check "autoSuspend: the source's schedule suspends itself" wait_for 60 suspended
expect_contains "autoSuspend: Stork's event says why" \
  "$(kubectl "${SRC[@]}" get events -n zookeeper --field-selector reason=Suspended -o json | jq -r '.items[].message')" \
  "Suspending migration schedule since migrated apps on remote cluster are active"
run_capture kubectl dr deactivate migration -n zookeeper "${DST[@]}" --wait --timeout 180s
expect_eq "deactivate on the destination: exit 0" "$RC" 0

# 4. The source's cluster domain deactivated: a resumed schedule is suspended again by Stork.
kubectl "${SRC[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge -p '{"spec":{"autoSuspend":false}}' >/dev/null
run_capture kubectl dr deactivate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 60s
expect_eq "deactivate clusterdomain: exit 0" "$RC" 0
for ctx in us-east-1a us-east-1b; do
  expect_eq "$ctx's ClusterDomainsStatus: us-east-1a Inactive, sync unknown" \
    "$(kubectl --context "$ctx" get clusterdomainsstatuses px-dr-cluster -o json | jq -r '.status.clusterDomainInfos[] | select(.name == "us-east-1a") | "\(.state) \(.syncStatus)"')" \
    "Inactive SyncStatusUnknown"
done
run_capture kubectl dr resume migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "resume: exit 0" "$RC" 0
check "inactive domain: Stork suspends the schedule again" wait_for 60 suspended
expect_contains "inactive domain: Stork's event says why" \
  "$(kubectl "${SRC[@]}" get events -n zookeeper --field-selector reason=Suspended -o json | jq -r '.items[].message')" \
  "Suspending migration schedule since local clusterdomain is inactive"
run_capture kubectl dr activate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 60s
expect_eq "activate clusterdomain: exit 0" "$RC" 0
expect_eq "back in sync" \
  "$(kubectl "${SRC[@]}" get clusterdomainsstatuses px-dr-cluster -o json | jq -r '[.status.clusterDomainInfos[] | "\(.state) \(.syncStatus)"] | unique | join(",")')" \
  "Active InSync"

finish
