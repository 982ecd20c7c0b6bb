#!/usr/bin/env bash
# The Portworx failover runbook, verbatim with `kubectl dr` in place of storkctl, on the two-cluster
# zookeeper-failover seed; every effect checked with the real kubectl. Then failback.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)

# 1. Mark the failed domain inactive (on the surviving cluster).
run_capture kubectl dr deactivate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 30s
expect_eq "deactivate clusterdomain exits 0" "$RC" 0
expect_contains "deactivate clusterdomain prints storkctl's message" "$OUT" \
  "Cluster Domain deactivate operation started successfully for us-east-1a"

# 2. See it.
run_capture kubectl dr status "${DST[@]}"
expect_eq "status exits 0" "$RC" 0
expect_eq "status header is storkctl's" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME LOCAL-DOMAIN ACTIVE INACTIVE CREATED"
row="$(sed -n 2p <<<"$OUT")"
expect_contains "status: local domain" "$row" "px-dr-cluster   us-east-1b"
expect_contains "status: us-east-1a is inactive" "$(awk -F'   +' 'NR==2 {print $4}' <<<"$OUT")" "us-east-1a ("
expect_contains "status: us-east-1b is active" "$(awk -F'   +' 'NR==2 {print $3}' <<<"$OUT")" "us-east-1b ("
inactive="$(kubectl "${DST[@]}" get clusterdomainsstatuses -o json |
  jq -r '.items[0].status.clusterDomainInfos[] | select(.name=="us-east-1a") | .state')"
expect_eq "the ClusterDomainsStatus says Inactive" "$inactive" "Inactive"

# 3. Stop the apps on the source without losing their counts, and suspend the schedule.
run_capture kubectl dr deactivate apps -n zookeeper "${SRC[@]}"
expect_eq "deactivate apps exits 0" "$RC" 0
expect_eq "source zk scaled to 0" "$(kubectl "${SRC[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"
expect_eq "source zk keeps its count" \
  "$(kubectl "${SRC[@]}" get sts zk -n zookeeper -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "3"

run_capture kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "suspend exits 0" "$RC" 0
expect_eq "suspend prints storkctl's message" "$OUT" "MigrationSchedule migrationschedule suspended successfully"
expect_eq "schedule is suspended" \
  "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "true"

run_capture kubectl dr status migrationschedules -n zookeeper "${SRC[@]}"
expect_eq "status migrationschedules header" "$(head -1 <<<"$OUT" | tr -s ' ')" \
  "NAME POLICYNAME CLUSTERPAIR SUSPEND LAST-SUCCESS-TIME LAST-SUCCESS-DURATION"
expect_contains "status migrationschedules row" "$(sed -n 2p <<<"$OUT" | tr -s ' ')" \
  "migrationschedule default-migration-policy remotecluster true"

# 4. Start the apps on the destination.
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --wait --timeout 60s
expect_eq "activate migration exits 0" "$RC" 0
expect_contains "activate prints storkctl's message" "$OUT" "Updated replicas for statefulset zookeeper/zk to 3"
expect_eq "activate marks the source schedule's copy here" \
  "$(kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.status.applicationActivated}')" "true"
check "failover: the copy is marked, so no warning" bash -c "! grep -q '^Warning:' <<<\"\$1\"" _ "$ERR"
expect_eq "destination zk at 3" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "3"

# Re-running changes nothing and says so.
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" -o json
expect_eq "re-run exits 0" "$RC" 0
expect_eq "re-run: zk unchanged" \
  "$(jq -r '.items[] | select(.name=="zk") | .outcome' <<<"$OUT")" "unchanged"

# 5. Verify the pods run.
pods="$(kubectl "${DST[@]}" get pods -n zookeeper --no-headers -o custom-columns=NAME:.metadata.name,STATUS:.status.phase | sort)"
expect_eq "zk-0..2 Running on the destination" "$pods" "$(printf 'zk-0   Running\nzk-1   Running\nzk-2   Running')"

# Failback: the source domain comes back, the schedule resumes.
run_capture kubectl dr activate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 30s
expect_eq "activate clusterdomain exits 0" "$RC" 0
expect_contains "activate clusterdomain message" "$OUT" "Cluster Domain activate operation started successfully for us-east-1a"
run_capture kubectl dr activate clusterdomain us-east-1a "${DST[@]}"
expect_eq "already active: exit 0" "$RC" 0
expect_contains "already active: says so" "$OUT$ERR" "already active"
# The destination's apps stop, their counts kept; the source schedule's copy is no longer activated.
run_capture kubectl dr deactivate migration -n zookeeper "${DST[@]}" --wait --timeout 30s
expect_eq "failback: deactivate migration on the destination exits 0" "$RC" 0
expect_contains "failback: storkctl's schedule line" "$OUT" \
  "Setting the ApplicationActivated status in the MigrationSchedule zookeeper/migrationschedule to false"
expect_contains "failback: --wait says the destination's apps are stopped" "$ERR" "All workloads are at 0 replicas"
expect_eq "failback: destination zk at 0" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"
run_capture kubectl dr resume migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "resume message" "$OUT" "MigrationSchedule migrationschedule resumed successfully"
expect_eq "schedule resumed" \
  "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "false"
run_capture kubectl dr activate migration -n zookeeper "${SRC[@]}" --wait --timeout 60s
expect_eq "failback activation on the source exits 0" "$RC" 0
expect_eq "source zk back at 3" "$(kubectl "${SRC[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "3"
# The source's own resumed schedule migrates away from it, to the destination: no threat, no warning.
check "failback: no warning about the source's own outgoing schedule" bash -c "! grep -q '^Warning:' <<<\"\$1\"" _ "$ERR"
migrated="$(emulator_admin us-east-1a POST /emulator/sim/migrate '{"namespace":"zookeeper","schedule":"migrationschedule"}' | jq -r .status)"
expect_eq "failback: the resumed schedule migrates to the destination" "$migrated" "Successful"
expect_eq "failback: which left the source's zk at 3" "$(kubectl "${SRC[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "3"
expect_eq "failback: and the destination's copy at 0" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"

finish
