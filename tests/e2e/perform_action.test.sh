#!/usr/bin/env bash
# kubectl dr perform failover|failback (storkctl's `perform`): its checks and messages, the Action it
# creates, and the emulator's Stork controller executing it: a last-mile migration that fails rolls
# the source's scale-down back; a good one ends with the apps at their counts on the destination;
# failback over the reverse schedule brings them home.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)

# await_action CONTEXT NAME: waits (bounded) until the Action reaches stage Final; prints its status.
await_action() {
  local i
  for i in $(seq 1 600); do
    if [ "$(kubectl --context "$1" get actions.stork.libopenstorage.org "$2" -n zookeeper \
      -o jsonpath='{.status.stage}')" = Final ]; then
      kubectl --context "$1" get actions.stork.libopenstorage.org "$2" -n zookeeper -o jsonpath='{.status.status}'
      return 0
    fi
    sleep 0.1
  done
  echo "Action $2 never reached Final" >&2
  return 1
}
sts_replicas() { kubectl --context "$1" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}'; }
recorded() {
  kubectl --context "$1" get sts zk -n zookeeper \
    -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}'
}

# --- storkctl's checks, in its order, before anything is created ---
run_capture kubectl dr perform failover -n zookeeper "${DST[@]}"
expect_eq "no -m: exit 1" "$RC" 1
expect_contains "no -m: storkctl's message" "$ERR" "error: reference MigrationSchedule name needs to be provided for failover"
run_capture kubectl dr perform failover -m nosuch -n zookeeper "${DST[@]}"
expect_eq "unknown schedule: exit 1" "$RC" 1
expect_contains "unknown schedule: storkctl's message" "$ERR" \
  "error: unable to find the reference MigrationSchedule nosuch in the zookeeper namespace"
run_capture kubectl dr perform failover -m migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "on the source: exit 1" "$RC" 1
expect_contains "on the source: run it where you fail over to" "$ERR" \
  'ensure that `kubectl dr perform failover` is run in the cluster you want to failover to'
run_capture kubectl dr perform failover -m migrationschedule -n zookeeper "${DST[@]}" \
  --include-namespaces zookeeper --exclude-namespaces other
expect_contains "include and exclude: storkctl's message" "$ERR" \
  "can provide only one of --include-namespaces or --exclude-namespaces values at once"
run_capture kubectl dr perform failover -m migrationschedule -n zookeeper "${DST[@]}" --include-namespaces a,zookeeper,b
expect_contains "not a subset: the outsiders, Go style" "$ERR" \
  "provided namespaces [a b] are not a subset of the namespaces being migrated by the given MigrationSchedule"
run_capture kubectl dr perform failback -m migrationschedule -n zookeeper "${DST[@]}" --skip-source-operations
expect_contains "failback has no --skip-source-operations" "$ERR" "unknown flag: --skip-source-operations"
expect_eq "no Action was created by the refused commands" \
  "$(kubectl "${DST[@]}" get actions.stork.libopenstorage.org -A -o name | wc -l)" 0

run_capture kubectl dr perform failover -m migrationschedule -n zookeeper "${DST[@]}" --dry-run=client -o json
expect_eq "dry run: exit 0" "$RC" 0
expect_eq "dry run: the Action it would create" \
  "$(jq -c '[.kind, .spec.actionType, .spec.actionParameter.failoverParameter.failoverNamespaces,
     .spec.actionParameter.failoverParameter.migrationScheduleReference,
     .spec.actionParameter.failoverParameter.skipSourceOperations]' <<<"$OUT")" \
  '["Action","failover",["zookeeper"],"migrationschedule",false]'
check "dry run: named <type>-<schedule>-<timestamp>" \
  grep -Eq '^failover-migrationschedule-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}$' <<<"$(jq -r .metadata.name <<<"$OUT")"
expect_eq "dry run: nothing created" "$(kubectl "${DST[@]}" get actions.stork.libopenstorage.org -A -o name | wc -l)" 0

# --- a last-mile migration that fails: Stork rolls the source's scale-down back ---
# Stork refuses to migrate onto a cluster whose copy of the schedule says its apps are activated.
kubectl "${DST[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"status":{"applicationActivated":true}}' >/dev/null
run_capture kubectl dr perform failover -m migrationschedule -n zookeeper "${DST[@]}"
expect_eq "perform failover exits 0" "$RC" 0
expect_contains "storkctl's first line" "$OUT" "Started failover for MigrationSchedule zookeeper/migrationschedule"
action="$(sed -n 's/.*`kubectl dr status failover \([^ ]*\) -n zookeeper`.*/\1/p' <<<"$OUT")"
check "the second line names the Action" test -n "$action"
expect_eq "rolled back: the Action failed" "$(await_action us-east-1b "$action")" "Failed"
expect_eq "rolled back: its summary says so" \
  "$(kubectl "${DST[@]}" get actions.stork.libopenstorage.org "$action" -n zookeeper -o json |
    jq -c '[.status.summary.failoverSummary[] | [.namespace, .status]]')" '[["zookeeper","RollbackSuccessful"]]'
expect_eq "rolled back: the source runs its 3 replicas again" "$(sts_replicas us-east-1a)" 3
expect_eq "rolled back: the destination is still at 0" "$(sts_replicas us-east-1b)" 0
expect_eq "rolled back: the source's count was recorded" "$(recorded us-east-1a)" 3

# --- the real thing ---
kubectl "${DST[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"status":{"applicationActivated":false}}' >/dev/null
run_capture kubectl dr perform failover -m migrationschedule -n zookeeper "${DST[@]}" -o name
expect_eq "perform failover -o name exits 0" "$RC" 0
action="${OUT#action.stork.libopenstorage.org/}"
check "-o name prints the Action" grep -q '^action.stork.libopenstorage.org/failover-migrationschedule-' <<<"$OUT"
expect_eq "failover: the Action succeeded" "$(await_action us-east-1b "$action")" "Successful"
expect_eq "failover: the source schedule is suspended" \
  "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "true"
expect_eq "failover: the source is at 0" "$(sts_replicas us-east-1a)" 0
expect_eq "failover: the source keeps its count" "$(recorded us-east-1a)" 3
expect_eq "failover: one last-mile migration ran on the source" \
  "$(kubectl "${SRC[@]}" get migrations -n zookeeper -o json |
    jq -r '[.items[] | select(.metadata.name | startswith("migrationschedule-lastmile-failover-")) | .status.status] | sort | join(",")')" \
  "Failed,Successful"
expect_eq "failover: the destination runs 3 replicas" "$(sts_replicas us-east-1b)" 3
expect_eq "failover: the destination's copy is marked activated" \
  "$(kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.status.applicationActivated}')" "true"
expect_eq "failover: summary" \
  "$(kubectl "${DST[@]}" get actions.stork.libopenstorage.org "$action" -n zookeeper -o json |
    jq -c '[.status.summary.failoverSummary[] | [.namespace, .status]]')" '[["zookeeper","Successful"]]'

# --- storkctl's `get failover` table ---
run_capture kubectl dr status failover -n zookeeper "${DST[@]}"
expect_eq "status failover exits 0" "$RC" 0
expect_eq "status failover: storkctl's columns" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME CREATED STAGE STATUS MORE INFO"
expect_contains "status failover: the successful Action" "$OUT" "Completed   Successful   Scaled up Apps in : 1/1 namespaces"
expect_contains "status failover: the rolled-back one" "$OUT" "Completed   Failed       Rolled back Apps in : 1/1 namespaces"
run_capture kubectl dr status failover "$action" -n zookeeper "${DST[@]}" -o json
expect_eq "status failover NAME -o json: the Action itself" "$(jq -r '[.kind, .metadata.name] | join("/")' <<<"$OUT")" \
  "Action/$action"
run_capture kubectl dr status failback -n zookeeper "${DST[@]}"
expect_eq "status failback: no failback yet" "$ERR" "No resources found in zookeeper namespace."

# --- failback, over a schedule that migrates back (us-east-1b -> us-east-1a) ---
kubectl "${DST[@]}" apply -f - >/dev/null <<'EOF'
apiVersion: stork.libopenstorage.org/v1alpha1
kind: MigrationSchedule
metadata:
  name: migrationschedule-reverse
  namespace: zookeeper
spec:
  schedulePolicyName: default-migration-policy
  suspend: true
  template:
    spec:
      clusterPair: remotecluster
      includeResources: true
      startApplications: false
      namespaces: [zookeeper]
EOF
# A failback needs a successful migration back first; this one, like Stork's, lands at 0 replicas.
emulator_admin us-east-1b POST /emulator/sim/migrate '{"namespace":"zookeeper","schedule":"migrationschedule-reverse"}' >/dev/null
run_capture kubectl dr perform failback -m migrationschedule-reverse -n zookeeper "${DST[@]}"
expect_eq "perform failback exits 0" "$RC" 0
expect_contains "failback: storkctl's first line" "$OUT" "Started failback for MigrationSchedule zookeeper/migrationschedule-reverse"
action="$(sed -n 's/.*`kubectl dr status failback \([^ ]*\) -n zookeeper`.*/\1/p' <<<"$OUT")"
expect_eq "failback: the Action succeeded" "$(await_action us-east-1b "$action")" "Successful"
expect_eq "failback: us-east-1a runs 3 replicas again" "$(sts_replicas us-east-1a)" 3
expect_eq "failback: us-east-1b is at 0" "$(sts_replicas us-east-1b)" 0
expect_eq "failback: us-east-1b keeps the count" "$(recorded us-east-1b)" 3
run_capture kubectl dr status failback -A "${DST[@]}"
expect_contains "status failback -A: the Action, with storkctl's failback stage name" "$OUT" \
  "zookeeper   $action   "
expect_contains "status failback -A: completed" "$OUT" "Completed   Successful   Scaled up Apps in : 1/1 namespaces"

finish
