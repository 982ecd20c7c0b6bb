#!/usr/bin/env bash
# Issue 26 item 13: `status clusterdomains|clusterdomainupdates|migrationschedules|migrations NAME...`
# fetches by name as `kubectl get TYPE NAME...` (and storkctl's `get ... NAME`) does: the named
# objects only, one name -o json is the object itself, a missing name is kubectl's NotFound line on
# stderr with exit 1 while the names found are still shown.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
kubectl dr deactivate clusterdomain us-east-1a "${DST[@]}" --name by-name --wait --timeout 30s >/dev/null

cds="$(kubectl "${DST[@]}" get clusterdomainsstatuses -o json | jq -r '.items[0].metadata.name')"
migration="$(kubectl "${SRC[@]}" get migrations -n zookeeper -o json | jq -r '.items[0].metadata.name')"

# by_name LABEL VIEW NAME ARGS...: the table's only row is NAME; -o json is that object; -o name its name.
by_name() {
  local label="$1" view="$2" name="$3"; shift 3
  run_capture kubectl dr status "$view" "$name" "$@"
  expect_eq "$label NAME: exit 0" "$RC" 0
  expect_eq "$label NAME: one row, that name" "$(tail -n +2 <<<"$OUT" | awk '{print $1}')" "$name"
  run_capture kubectl dr status "$view" "$name" "$@" -o json
  check "$label NAME -o json: the object itself" jq -e --arg n "$name" '.metadata.name == $n and (.kind | length > 0)' <<<"$OUT"
  run_capture kubectl dr status "$view" "$name" "$name" "$@" -o json
  check "$label NAME NAME -o json: a List of both" jq -e '.kind == "List" and (.items | length == 2)' <<<"$OUT"
  run_capture kubectl dr status "$view" "$name" nope "$@"
  expect_eq "$label NAME nope: exit 1" "$RC" 1
  expect_contains "$label NAME nope: kubectl's NotFound" "$ERR" 'Error from server (NotFound): '
  expect_contains "$label NAME nope: names it" "$ERR" '"nope" not found'
  expect_eq "$label NAME nope: the found one still shown" "$(tail -n +2 <<<"$OUT" | awk '{print $1}')" "$name"
}
by_name "clusterdomains" clusterdomains "$cds" "${DST[@]}"
by_name "clusterdomainupdates" clusterdomainupdates by-name "${DST[@]}"
by_name "migrationschedules" migrationschedules migrationschedule -n zookeeper "${SRC[@]}"
by_name "migrations" migrations "$migration" -n zookeeper "${SRC[@]}"

run_capture kubectl dr status migrationschedules nope -n zookeeper "${SRC[@]}"
expect_eq "only missing: exit 1" "$RC" 1
expect_eq "only missing: stdout empty, no 'No resources found'" "$OUT" ""
run_capture kubectl dr status migrationschedules migrationschedule -l a=b -n zookeeper "${SRC[@]}"
expect_eq "names with -l: usage error" "$RC" 1
expect_contains "names with -l: kubectl's words" "$ERR" "name cannot be provided when a selector is specified"
run_capture kubectl dr status apps something "${SRC[@]}"
expect_eq "apps NAME: usage error" "$RC" 1

finish
