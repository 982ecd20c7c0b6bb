#!/usr/bin/env bash
# Issue 26 item 14: -c/--cluster-pair (and storkctl's --clusterPair / --clusterpair) filters the
# migrationschedules and migrations views; `status clusterpairs` shows the ClusterPairs with
# storkctl's columns and the statuses kubectl returns.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
pair="$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.template.spec.clusterPair}')"
check "the seeded schedule names a ClusterPair" test -n "$pair"

for spelling in -c --cluster-pair --clusterPair --clusterpair; do
  run_capture kubectl dr status migrationschedules -n zookeeper "$spelling" "$pair" "${SRC[@]}" --no-headers
  expect_eq "schedules $spelling $pair: exit 0" "$RC" 0
  expect_eq "schedules $spelling $pair: the seeded schedule" "$(awk '{print $1}' <<<"$OUT")" "migrationschedule"
done
run_capture kubectl dr status migrationschedules -n zookeeper -c not-a-pair "${SRC[@]}"
expect_eq "schedules -c other: exit 0" "$RC" 0
expect_eq "schedules -c other: nothing on stdout" "$OUT" ""
expect_eq "schedules -c other: kubectl's line" "$ERR" "No resources found in zookeeper namespace."
run_capture kubectl dr status migrationschedules -n zookeeper -c not-a-pair -o json "${SRC[@]}"
check "schedules -c other -o json: an empty List" jq -e '.kind == "List" and (.items | length == 0)' <<<"$OUT"

want="$(kubectl "${SRC[@]}" get migrations -n zookeeper -o json | jq --arg p "$pair" '[.items[] | select(.spec.clusterPair == $p)] | length')"
run_capture kubectl dr status migrations -n zookeeper -c "$pair" -o json "${SRC[@]}"
expect_eq "migrations -c $pair: the ones kubectl sees with that pair" "$(jq '.items | length' <<<"$OUT")" "$want"
run_capture kubectl dr status migrations -n zookeeper -c not-a-pair -o json "${SRC[@]}"
expect_eq "migrations -c other: none" "$(jq '.items | length' <<<"$OUT")" 0
run_capture kubectl dr status clusterdomains -c "$pair" "${SRC[@]}"
expect_eq "-c on clusterdomains: usage error" "$RC" 1

run_capture kubectl dr status clusterpairs -n zookeeper "${SRC[@]}"
expect_eq "clusterpairs: exit 0" "$RC" 0
expect_eq "clusterpairs: storkctl's header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME STORAGE-STATUS SCHEDULER-STATUS CREATED"
expected="$(kubectl "${SRC[@]}" get clusterpair "$pair" -n zookeeper -o jsonpath='{.metadata.name} {.status.storageStatus} {.status.schedulerStatus}')"
expect_eq "clusterpairs: the row's statuses are kubectl's" \
  "$(grep "^$pair " <<<"$OUT" | awk '{print $1, $2, $3}' | tr -s ' ' | sed 's/ *$//')" "$(tr -s ' ' <<<"$expected" | sed 's/ *$//')"
run_capture kubectl dr status cp -n zookeeper -o json "${SRC[@]}"
expect_eq "clusterpairs -o json: kubectl's objects" "$(jq -r '[.items[].metadata.name] | sort | join(" ")' <<<"$OUT")" \
  "$(kubectl "${SRC[@]}" get clusterpairs -n zookeeper -o json | jq -r '[.items[].metadata.name] | sort | join(" ")')"

finish
