#!/usr/bin/env bash
# Names and namespaces are checked as the API server checks them before any request (issue 25,
# item 1): a path-traversal name, a traversal namespace, a query smuggled into a name and a crafted
# metadata.name in a -f file are each refused with a one-line error, and other/victim is untouched.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst

schedule() {
  cat <<JSON
{"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule",
 "metadata":{"name":"$2","namespace":"$1"},
 "spec":{"template":{"spec":{"clusterPair":"remotecluster","namespaces":["$1"]}},
         "schedulePolicyName":"default-migration-policy","suspend":false}}
JSON
}
for ns in zookeeper other; do kubectl create namespace "$ns" >/dev/null; done
schedule other victim | kubectl create -f - >/dev/null
schedule zookeeper migrationschedule | kubectl create -f - >/dev/null
# What a write would change (the resourceVersion also moves with controllers on a real server).
state_of() { kubectl get migrationschedule "$2" -n "$1" -o json | jq -c '{g: .metadata.generation, a: .metadata.annotations, s: .spec}'; }
victim_before="$(state_of other victim)"
own_before="$(state_of zookeeper migrationschedule)"

refused() {  # refused NAME EXPECTED-STDERR-PREFIX COMMAND...
  local name="$1" prefix="$2"; shift 2
  run_capture "$@"
  expect_eq "$name: exits 1" "$RC" 1
  expect_eq "$name: nothing on stdout" "$OUT" ""
  expect_contains "$name: the error names the bad value" "$(head -1 <<<"$ERR")" "$prefix"
}
refused "a name that climbs the path" \
  'error: invalid migrationschedules.stork.libopenstorage.org name "../../other/migrationschedules/victim": a lowercase RFC 1123 subdomain' \
  kubectl dr suspend migrationschedule ../../other/migrationschedules/victim -n zookeeper
refused "a namespace that climbs the path" \
  'error: invalid namespace "zookeeper/../other": a lowercase RFC 1123 label' \
  kubectl dr suspend migrationschedule victim -n zookeeper/../other
refused "a query in a name" \
  'error: invalid migrationschedules.stork.libopenstorage.org name "migrationschedule?dryRun=All"' \
  kubectl dr suspend migrationschedule 'migrationschedule?dryRun=All' -n zookeeper
crafted="$E2E_TMP/crafted.json"
schedule zookeeper ../../other/migrationschedules/victim >"$crafted"
refused "a crafted metadata.name in a -f file" \
  'error: invalid migrationschedules.stork.libopenstorage.org name "../../other/migrationschedules/victim"' \
  kubectl dr suspend migrationschedule -f "$crafted"

expect_eq "other/victim was not touched" "$(state_of other victim)" "$victim_before"
expect_eq "zookeeper/migrationschedule was not touched" "$(state_of zookeeper migrationschedule)" "$own_before"
expect_eq "other/victim is still running" "$(kubectl get migrationschedule victim -n other -o jsonpath='{.spec.suspend}')" "false"

# The same schedule, named properly, is suspended: the check refuses only what the server would.
run_capture kubectl dr suspend migrationschedule migrationschedule -n zookeeper
expect_eq "a valid name is suspended" "$RC" 0
expect_eq "and the server says so" "$(kubectl get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "true"
finish
