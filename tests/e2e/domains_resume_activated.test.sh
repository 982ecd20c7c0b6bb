#!/usr/bin/env bash
# Issue 26 item 5: `resume migrationschedule` on the source while the destination copy is
# activated. With --destination-context the copy is read there: refused (exit 1, schedule left
# suspended) unless --force. Without it, a warning on stderr, since nothing on the source can tell.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
suspend_of() { kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}'; }
kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}" >/dev/null
check "the destination holds the schedule's copy" kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper
kubectl dr activate migration -n zookeeper "${DST[@]}" >/dev/null
expect_eq "the copy is activated" \
  "$(kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.status.applicationActivated}')" "true"

run_capture kubectl dr resume migrationschedule migrationschedule -n zookeeper --destination-context us-east-1b "${SRC[@]}"
expect_eq "activated copy: exit 1" "$RC" 1
expect_contains "activated copy: says why" "$ERR" "refusing to resume MigrationSchedule zookeeper/migrationschedule: its copy on us-east-1b is activated"
expect_eq "activated copy: still suspended" "$(suspend_of)" "true"

run_capture kubectl dr resume migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
expect_eq "no destination context: exit 0" "$RC" 0
expect_contains "no destination context: warns" "$ERR" "Warning: resuming MigrationSchedule zookeeper/migrationschedule without checking its destination copy"
expect_eq "no destination context: resumed" "$(suspend_of)" "false"
kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}" >/dev/null

run_capture kubectl dr resume migrationschedule migrationschedule -n zookeeper --destination-context us-east-1b --force -o json "${SRC[@]}"
expect_eq "--force: exit 0" "$RC" 0
expect_contains "--force: still warns" "$ERR" "although its copy on us-east-1b is activated"
check "--force -o json: stdout is the schedule" jq -e '.spec.suspend == false' <<<"$OUT"
kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}" >/dev/null

kubectl dr deactivate migration -n zookeeper "${DST[@]}" >/dev/null
run_capture kubectl dr resume migrationschedule migrationschedule -n zookeeper --destination-context us-east-1b "${SRC[@]}"
expect_eq "copy deactivated: exit 0" "$RC" 0
expect_eq "copy deactivated: no warning" "$ERR" ""
expect_eq "copy deactivated: resumed" "$(suspend_of)" "false"

finish
