#!/usr/bin/env bash
# activate/deactivate migration and deactivate apps against the emulator's scale seed: many
# namespaces at once, both annotation spellings, malformed counts, dry runs, -o json, narrowing,
# conflicts, one namespace refused (403) among many.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:20:6

count_at() {  # count_at REPLICAS: workloads (sts+deploy) with exactly that many replicas, all namespaces
  kubectl get statefulsets,deployments -A -o json | jq --argjson r "$1" '[.items[] | select(.spec.replicas == $r)] | length'
}
annotated_json() {
  kubectl get statefulsets,deployments -A -o json | jq '[.items[] | select(.metadata.annotations != null and
    ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) != null))]'
}

annotated="$(annotated_json | jq length)"
check "the seed has annotated workloads" test "$annotated" -gt 10

# Client dry run: a plan, no writes.
before="$(kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | .spec.replicas]')"
run_capture kubectl dr activate migration -A --dry-run=client -o json
expect_eq "dry run exits 0" "$RC" 0
check "dry run output is valid JSON" jq -e '.items | length > 0' <<<"$OUT"
expect_eq "dry run plans only" "$(jq -r '[.items[].outcome] | unique | join(",")' <<<"$OUT" | tr ',' '\n' | grep -v -e planned -e unchanged -e skipped | wc -l)" "0"
after="$(kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | .spec.replicas]')"
expect_eq "dry run changed nothing" "$after" "$before"

# Server dry run: sent with dryRun=All, nothing persisted.
run_capture kubectl dr activate migration -A --dry-run=server
expect_eq "server dry run exits 0" "$RC" 0
after="$(kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | .spec.replicas]')"
expect_eq "server dry run changed nothing" "$after" "$before"

# Activate everything: every annotated workload at its recorded count (either spelling).
kubectl get namespace log-marker-activate >/dev/null 2>&1 || true
run_capture kubectl dr activate migration -A -o json
expect_eq "activate -A exits 0" "$RC" 0
# Each kind's first page (and the schedules') is asked for while the kind before it is walked:
# asked once, never again by the list that takes it.
first_pages="$(emulator_admin dst GET '/emulator/log?limit=2000' |
  jq -c '. as $all | ([$all | to_entries[] | select(.value.path | endswith("/namespaces/log-marker-activate")) | .key] | last) as $at
    | [$all[($at + 1):][] | select(.method == "GET" and (.query | test("limit=")) and (.query | test("continue=") | not)) | .path]')"
expect_eq "activate -A: each list's first page asked for once" \
  "$(jq -c 'group_by(.) | map(length) | unique' <<<"$first_pages")" "[1]"
expect_eq "activate -A: the kinds and the schedules listed" "$(jq -c 'map(split("/") | last) | sort' <<<"$first_pages")" \
  '["applicationregistrations","cronjobs","deployments","migrationschedules","replicasets","statefulsets"]'
mismatched="$(annotated_json | jq '[.[] | select(.spec.replicas != ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber))] | length')"
expect_eq "every annotated workload at its recorded count" "$mismatched" "0"
check "every result has kind, namespace, name, outcome" \
  jq -e 'all(.items[]; has("kind") and has("namespace") and has("name") and has("outcome"))' <<<"$OUT"

# Idempotent: a second run writes nothing.
run_capture kubectl dr activate migration -A -o json
expect_eq "second run: nothing updated" "$(jq '[.items[] | select(.outcome=="updated")] | length' <<<"$OUT")" "0"

# storkctl's -a works as well as -A.
run_capture kubectl dr deactivate migration -a
expect_eq "deactivate migration -a exits 0" "$RC" 0
still_up="$(annotated_json | jq '[.[] | select(.spec.replicas != 0)] | length')"
expect_eq "deactivate migration: annotated workloads at 0" "$still_up" "0"
kept="$(annotated_json | jq '[.[] | select(((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber) > 0)] | length')"
check "deactivate migration keeps the recorded counts" test "$kept" -gt 0

# Small pages: the next page is fetched while the last page's writes are still answered. Every
# workload is still written exactly once, none lost between pages.
deactivated_json="$(annotated_json)"
run_capture kubectl dr activate migration -A --chunk-size 7 -o json
expect_eq "paged activate exits 0" "$RC" 0
mismatched="$(annotated_json | jq '[.[] | select(.spec.replicas != ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber))] | length')"
expect_eq "paged activate: every annotated workload at its recorded count" "$mismatched" "0"
expect_eq "paged activate: one result per annotated workload, none twice" \
  "$(jq -r '[.items[] | select(.kind == "StatefulSet" or .kind == "Deployment") | "\(.kind)/\(.namespace)/\(.name)"] | "\(length) distinct \(unique | length)"' <<<"$OUT")" \
  "$(jq -r 'length | "\(.) distinct \(.)"' <<<"$deactivated_json")"
# Each kind's results come out together, in storkctl's kind order, although the next kind is
# listed and written while the last writes of the previous one are still answered.
expect_eq "paged activate: results grouped by kind, in storkctl's kind order" \
  "$(jq -r '[.items[].kind] | reduce .[] as $k ([]; if length > 0 and .[-1] == $k then . else . + [$k] end) | join(",")' <<<"$OUT")" \
  "StatefulSet,Deployment,ReplicaSet,CronJob"
run_capture kubectl dr deactivate migration -A --chunk-size 7
expect_eq "paged deactivate exits 0" "$RC" 0
expect_eq "paged deactivate: annotated workloads at 0 again" "$(annotated_json | jq '[.[] | select(.spec.replicas != 0)] | length')" "0"

# Narrowing: one namespace, one kind.
ns="$(kubectl get ns -o json | jq -r '[.items[].metadata.name | select(startswith("ns-"))][0]')"
run_capture kubectl dr activate migration -n "$ns" --resource-types StatefulSet -o json
expect_eq "narrowed activate exits 0" "$RC" 0
expect_eq "narrowed to statefulsets in $ns" \
  "$(jq -r --arg ns "$ns" '[.items[] | select(.namespace != $ns or .kind != "StatefulSet")] | length' <<<"$OUT")" "0"

# Malformed counts are skipped with a reason, never written.
# (kubectl's `create namespace/deployment` generators send protobuf, which the emulator does not
# decode; manifests go through `create -f` as JSON.)
deployment() {  # deployment NAME REPLICAS
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: broken\nspec:\n  replicas: %s\n  selector:\n    matchLabels: {app: %s}\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n      containers:\n      - {name: web, image: nginx}\n' "$1" "$2" "$1" "$1"
}
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: broken\n' | kubectl create -f - >/dev/null
deployment bad 0 | kubectl create -f - >/dev/null
kubectl annotate deployment bad -n broken stork.libopenstorage.org/migrationReplicas=abc >/dev/null
run_capture kubectl dr activate migration -n broken
expect_contains "malformed count reported" "$ERR$OUT" "Error parsing replicas for app"
expect_eq "malformed count left at 0" "$(kubectl get deploy bad -n broken -o jsonpath='{.spec.replicas}')" "0"

# A namespace that does not exist is an error, not "nothing to do".
run_capture kubectl dr activate migration -n nope
expect_eq "missing namespace exits 1" "$RC" 1
expect_contains "missing namespace message" "$ERR" 'namespaces "nope" not found'

# deactivate apps: every workload to 0 with its count recorded in the same write.
deployment web 4 | kubectl create -f - >/dev/null
run_capture kubectl dr deactivate apps -n broken
expect_eq "deactivate apps exits 0" "$RC" 0
expect_eq "web at 0" "$(kubectl get deploy web -n broken -o jsonpath='{.spec.replicas}')" "0"
expect_eq "web's count recorded" \
  "$(kubectl get deploy web -n broken -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "4"
run_capture kubectl dr deactivate apps -n broken
expect_eq "deactivate apps re-run keeps the count" \
  "$(kubectl get deploy web -n broken -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "4"
run_capture kubectl dr activate migration -n broken --resource-types deployment
expect_eq "web restored to 4" "$(kubectl get deploy web -n broken -o jsonpath='{.spec.replicas}')" "4"

# Contradictory narrowing is a usage error.
run_capture kubectl dr activate migration -A -n "$ns"
expect_eq "-A with -n exits 1" "$RC" 1
expect_contains "-A with -n names the problem" "$ERR" "error:"

finish
