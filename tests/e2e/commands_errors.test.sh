#!/usr/bin/env bash
# Error paths of every DR command against the zookeeper-failover seed: unknown cluster domain,
# unknown schedule, missing namespace, 403 on a patch, a conflict during an update, one namespace
# refused among several. Every effect (or its absence) is checked with the real kubectl.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
cdu_count() { kubectl "$@" get clusterdomainupdates -o json | jq '.items | length'; }
ms_suspend() { kubectl "${SRC[@]}" get migrationschedule "$1" -n zookeeper -o jsonpath='{.spec.suspend}'; }

# --- unknown cluster domain: storkctl's line, exit 1, no ClusterDomainUpdate created.
before="$(cdu_count "${DST[@]}")"
for verb in activate deactivate; do
  run_capture kubectl dr "$verb" clusterdomain nope "${DST[@]}"
  expect_eq "$verb clusterdomain nope exits 1" "$RC" 1
  expect_eq "$verb clusterdomain nope: storkctl's error line" "$ERR" "error: provided cluster domain nope not found"
  expect_eq "$verb clusterdomain nope: nothing on stdout" "$OUT" ""
done
expect_eq "unknown domain: no ClusterDomainUpdate created" "$(cdu_count "${DST[@]}")" "$before"

# --- unknown schedule: kubectl's own NotFound line.
want="$(kubectl "${SRC[@]}" get migrationschedule nope -n zookeeper 2>&1 >/dev/null || true)"
check "kubectl itself reports NotFound" grep -q '^Error from server (NotFound): ' <<<"$want"
for verb in suspend resume; do
  run_capture kubectl dr "$verb" migrationschedule nope -n zookeeper "${SRC[@]}"
  expect_eq "$verb unknown schedule exits 1" "$RC" 1
  expect_eq "$verb unknown schedule: kubectl's NotFound line" "$ERR" "$want"
done
# A bad name among good ones: the good one is still suspended (storkctl stops at the first error).
run_capture kubectl dr suspend migrationschedule nope migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "mixed names exit 1" "$RC" 1
expect_eq "mixed names: the NotFound line" "$ERR" "$want"
expect_eq "mixed names: the existing one reported" "$OUT" "MigrationSchedule migrationschedule suspended successfully"
expect_eq "mixed names: the existing one suspended" "$(ms_suspend migrationschedule)" "true"
kubectl "${SRC[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge -p '{"spec":{"suspend":false}}' >/dev/null

# --- namespace missing.
run_capture kubectl dr activate migration -n nope "${DST[@]}"
expect_eq "activate migration -n nope exits 1" "$RC" 1
expect_contains "activate migration -n nope: NotFound" "$ERR" 'Error from server (NotFound): namespaces "nope" not found'
run_capture kubectl dr deactivate apps -n nope "${SRC[@]}"
expect_eq "deactivate apps -n nope exits 1" "$RC" 1
expect_contains "deactivate apps -n nope: NotFound" "$ERR" 'namespaces "nope" not found'
run_capture kubectl dr deactivate migration -n nope "${DST[@]}"
expect_eq "deactivate migration -n nope exits 1" "$RC" 1
# One missing namespace among several: the others are still activated, the missing one reported.
run_capture kubectl dr activate migration --include-namespaces zookeeper,nope "${DST[@]}" -o json
expect_eq "zookeeper,nope exits 1" "$RC" 1
expect_eq "zookeeper,nope: zk activated anyway" \
  "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "3"
expect_eq "zookeeper,nope: the report names the missing namespace" \
  "$(jq -r '.errors[] | select(test("namespaces \"nope\" not found"))' <<<"$OUT" | wc -l | tr -d ' ')" "1"
expect_eq "zookeeper,nope: zk updated in the report" \
  "$(jq -r '.items[] | select(.kind=="StatefulSet" and .name=="zk") | .outcome' <<<"$OUT")" "updated"
kubectl "${DST[@]}" patch sts zk -n zookeeper --type merge -p '{"spec":{"replicas":0}}' >/dev/null
run_capture kubectl dr suspend migrationschedule --all -n nope "${SRC[@]}"
expect_eq "suspend --all in a missing namespace: exit 0" "$RC" 0
expect_eq "suspend --all in a missing namespace: storkctl's line" "$ERR" "No resources found."
run_capture kubectl dr status migrationschedules -n nope "${SRC[@]}"
expect_eq "status migrationschedules -n nope: exit 0" "$RC" 0
expect_eq "status migrationschedules -n nope: kubectl's line" "$ERR" "No resources found in nope namespace."

# --- 403 on a patch: the server's line, exit 1, nothing changed.
emulator_admin us-east-1a POST /emulator/deny '{"add":["patch:migrationschedules"]}' >/dev/null
want="$(kubectl "${SRC[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"spec":{"suspend":true}}' 2>&1 >/dev/null || true)"
check "kubectl itself is refused" grep -q '^Error from server (Forbidden): ' <<<"$want"
run_capture kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "suspend refused: exit 1" "$RC" 1
expect_eq "suspend refused: the Forbidden line, as kubectl prints it" "$ERR" "$want"
expect_eq "suspend refused: nothing on stdout" "$OUT" ""
expect_eq "suspend refused: still unsuspended" "$(ms_suspend migrationschedule)" "false"
emulator_admin us-east-1a DELETE /emulator/deny >/dev/null

emulator_admin us-east-1b POST /emulator/deny '{"add":["patch:statefulsets"]}' >/dev/null
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}"
expect_eq "activate refused: exit 1" "$RC" 1
expect_contains "activate refused: storkctl's failure line with the server's reason" "$ERR" \
  'Error updating replicas for statefulset zookeeper/zk : Error from server (Forbidden): statefulsets.apps "zk" is forbidden'
expect_contains "activate refused: the summary counts it" "$ERR" "1 failed"
expect_eq "activate refused: zk still at 0" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" -o json
expect_eq "activate refused -o json: exit 1" "$RC" 1
check "activate refused -o json: outcome failed with the error" jq -e \
  '.items[] | select(.name=="zk") | .outcome == "failed" and (.error | startswith("Error from server (Forbidden)"))' <<<"$OUT"
check "activate refused -o json: summary.failed = 1" jq -e '.summary.failed == 1' <<<"$OUT"
emulator_admin us-east-1b DELETE /emulator/deny >/dev/null

# --- a conflict during an update: the tool re-reads, retries, succeeds; the other writer's change stays.
kubectl "${DST[@]}" label sts zk -n zookeeper owner=ops >/dev/null  # the other writer
kubectl "${DST[@]}" get namespace log-marker-1 >/dev/null 2>&1 || true  # a mark in the request log
emulator_admin us-east-1b POST /emulator/conflicts \
  '{"resource":"statefulsets.apps","namespace":"zookeeper","name":"zk","count":2}' >/dev/null
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" -o json
expect_eq "conflicted activate exits 0" "$RC" 0
expect_eq "conflicted activate: zk updated" "$(jq -r '.items[] | select(.name=="zk") | .outcome' <<<"$OUT")" "updated"
expect_eq "conflicted activate: zk at 3" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "3"
expect_eq "conflicted activate: the other writer's label kept" \
  "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.metadata.labels.owner}')" "ops"
log="$(emulator_admin us-east-1b GET '/emulator/log?limit=2000' |
  jq '. as $all | ([$all | to_entries[] | select(.value.path | endswith("/namespaces/log-marker-1")) | .key] | last) as $at | $all[($at + 1):]')"
expect_eq "conflicted activate: two 409s then a success on zk" \
  "$(jq -c '[.[] | select(.method=="PATCH" and (.path | endswith("/statefulsets/zk"))) | .status]' <<<"$log")" "[409,409,200]"
expect_contains "conflicted activate: re-read after each conflict" \
  "$(jq -c '[.[] | select(.path | endswith("/statefulsets/zk")) | .method]' <<<"$log")" '"PATCH","GET","PATCH","GET","PATCH"'

kubectl "${SRC[@]}" label migrationschedule migrationschedule -n zookeeper owner=ops >/dev/null
emulator_admin us-east-1a POST /emulator/conflicts \
  '{"resource":"migrationschedules.stork.libopenstorage.org","namespace":"zookeeper","name":"migrationschedule","count":2}' >/dev/null
run_capture kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "conflicted suspend exits 0" "$RC" 0
expect_eq "conflicted suspend: storkctl's message" "$OUT" "MigrationSchedule migrationschedule suspended successfully"
expect_eq "conflicted suspend: suspended" "$(ms_suspend migrationschedule)" "true"
expect_eq "conflicted suspend: the other writer's label kept" \
  "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.metadata.labels.owner}')" "ops"

# A conflict that never clears fails that workload alone, with the server's reason.
kubectl "${DST[@]}" patch sts zk -n zookeeper --type merge -p '{"spec":{"replicas":0}}' >/dev/null
emulator_admin us-east-1b POST /emulator/conflicts \
  '{"resource":"statefulsets.apps","namespace":"zookeeper","name":"zk","count":100}' >/dev/null
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}"
expect_eq "endless conflict: exit 1" "$RC" 1
expect_contains "endless conflict: reported as a Conflict" "$ERR" "Error from server (Conflict)"
expect_eq "endless conflict: zk left at 0" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"

finish
