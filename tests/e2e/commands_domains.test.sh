#!/usr/bin/env bash
# activate/deactivate clusterdomain with the Stork controller switched off, the test playing its
# part (it marks ClusterDomainUpdates and domain states itself), so every outcome can be reached:
# names (random UUID, --name, -0/-1 suffixes), --all, already in the wanted state, --wait to
# Successful, to Failed with the reason, and to its timeout; -o json; dry runs; usage errors.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover --no-stork-controller
export KUBECONFIG
kubectl config use-context us-east-1b >/dev/null

cdu_names() { kubectl get clusterdomainupdates -o json | jq -r '[.items[].metadata.name] | sort | join(" ")'; }
mark_update() {  # mark_update NAME STATUS [REASON]: Stork's verdict on a ClusterDomainUpdate
  kubectl patch clusterdomainupdate "$1" --type merge \
    -p "$(jq -nc --arg s "$2" --arg r "${3:-}" '{status: ({status: $s} + (if $r == "" then {} else {reason: $r} end))}')" >/dev/null
}
wait_for_update() {  # wait_for_update NAME: until the command under test has created it (bounded)
  for _ in $(seq 1 200); do kubectl get clusterdomainupdate "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# --- deactivate: storkctl's message, a ClusterDomainUpdate named by a random UUID.
run_capture kubectl dr deactivate clusterdomain us-east-1a
expect_eq "deactivate exits 0" "$RC" 0
expect_eq "deactivate: storkctl's message" "$OUT" "Cluster Domain deactivate operation started successfully for us-east-1a"
update="$(kubectl get clusterdomainupdates -o json | jq -c '.items[0]')"
check "deactivate: named by a version 4 UUID" grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' \
  <<<"$(jq -r .metadata.name <<<"$update")"
expect_eq "deactivate: the update's spec" "$(jq -c -S '.spec' <<<"$update")" '{"active":false,"clusterdomain":"us-east-1a"}'
set_domain_state us-east-1a Inactive
mark_update "$(jq -r .metadata.name <<<"$update")" Successful  # Stork's part (a pending one is reused)

# --- already in the wanted state: says so, exit 0, no update created.
before="$(cdu_names)"
run_capture kubectl dr deactivate clusterdomain us-east-1a
expect_eq "already inactive: exit 0" "$RC" 0
expect_eq "already inactive: says so" "$OUT" "Cluster Domain us-east-1a is already inactive; no update created"
run_capture kubectl dr activate clusterdomain us-east-1b
expect_eq "already active: exit 0" "$RC" 0
expect_eq "already active: says so" "$OUT" "Cluster Domain us-east-1b is already active; no update created"
expect_eq "already in state: no update created" "$(cdu_names)" "$before"

# --- --name, -o json, and --wait to Successful.
kubectl dr activate clusterdomain us-east-1a --name failback-1 --wait --timeout 60s >"$E2E_TMP/wait.out" 2>"$E2E_TMP/wait.err" &
pid=$!
check "--name: the update is created under that name" wait_for_update failback-1
expect_eq "--name: the update's spec" "$(kubectl get clusterdomainupdate failback-1 -o jsonpath='{.spec.clusterdomain} {.spec.active}')" "us-east-1a true"
set_domain_state us-east-1a Active
mark_update failback-1 Successful
set +e; wait "$pid"; rc=$?; set -e
expect_eq "--wait to Successful: exit 0" "$rc" 0
expect_eq "--wait to Successful: storkctl's message, then completion" "$(cat "$E2E_TMP/wait.out")" \
  "$(printf 'Cluster Domain activate operation started successfully for us-east-1a\nCluster Domain us-east-1a updated successfully')"

# --- --wait to Failed: exit 1 with Stork's reason.
kubectl dr deactivate clusterdomain us-east-1a --name doomed --wait --timeout 60s >"$E2E_TMP/wait.out" 2>"$E2E_TMP/wait.err" &
pid=$!
check "doomed update created" wait_for_update doomed
mark_update doomed Failed "unable to deactivate cluster domain: px cluster unreachable"
set +e; wait "$pid"; rc=$?; set -e
expect_eq "--wait to Failed: exit 1" "$rc" 1
expect_eq "--wait to Failed: the reason on stderr" "$(cat "$E2E_TMP/wait.err")" \
  "error: Failed to update ClusterDomain us-east-1a, Reason : unable to deactivate cluster domain: px cluster unreachable (ClusterDomainUpdate doomed)"
expect_contains "--wait to Failed: the start message on stdout" "$(cat "$E2E_TMP/wait.out")" "operation started successfully"

# --- --wait with nobody acting: bounded by --timeout.
run_capture kubectl dr deactivate clusterdomain us-east-1a --name stuck --wait --timeout 1s
expect_eq "--wait timeout: exit 1" "$RC" 1
expect_contains "--wait timeout: says what is pending" "$ERR" "timed out waiting for ClusterDomainUpdate stuck"
expect_eq "--wait timeout: the update exists, unprocessed" "$(kubectl get clusterdomainupdate stuck -o jsonpath='{.status.status}')" ""

# --- --all: every inactive domain, names suffixed -0, -1 as storkctl does.
set_domain_state us-east-1a Inactive
set_domain_state us-east-1b Inactive
run_capture kubectl dr activate clusterdomain --all --name back
expect_eq "--all exits 0" "$RC" 0
expect_eq "--all: a message per domain" "$OUT" \
  "$(printf 'Cluster Domain activate operation started successfully for us-east-1a\nCluster Domain activate operation started successfully for us-east-1b')"
expect_eq "--all: back-0 and back-1" \
  "$(kubectl get clusterdomainupdates back-0 back-1 -o json | jq -r '[.items[] | "\(.metadata.name)=\(.spec.clusterdomain):\(.spec.active)"] | join(" ")')" \
  "back-0=us-east-1a:true back-1=us-east-1b:true"
set_domain_state us-east-1a Active
set_domain_state us-east-1b Active
run_capture kubectl dr activate clusterdomain --all
expect_eq "--all with none inactive: exit 0" "$RC" 0
expect_eq "--all with none inactive: says so" "$OUT" "All cluster domains are already active"

# --- -o json / -o name: the created object (us-east-1b is the local domain: --force).
run_capture kubectl dr deactivate clusterdomain us-east-1b --force --name as-json -o json
expect_eq "-o json exits 0" "$RC" 0
check "-o json: the created ClusterDomainUpdate" jq -e \
  '.kind == "ClusterDomainUpdate" and .metadata.name == "as-json" and .spec.clusterdomain == "us-east-1b" and .spec.active == false and (.metadata.uid | length > 0)' <<<"$OUT"
mark_update as-json Successful
run_capture kubectl dr deactivate clusterdomain us-east-1b --force --name as-name -o name
expect_eq "-o name: kubectl's form" "$OUT" "clusterdomainupdate.stork.libopenstorage.org/as-name"

# --- dry runs: nothing created.
mark_update as-name Successful
before="$(cdu_names)"
run_capture kubectl dr deactivate clusterdomain us-east-1b --force --dry-run=client
expect_eq "client dry run exits 0" "$RC" 0
expect_eq "client dry run: says so" "$OUT" "Cluster Domain deactivate operation started successfully for us-east-1b (dry run)"
run_capture kubectl dr deactivate clusterdomain us-east-1b --force --dry-run=server -o json
expect_eq "server dry run exits 0" "$RC" 0
check "server dry run: the server's answer" jq -e '.kind == "ClusterDomainUpdate"' <<<"$OUT"
expect_eq "dry runs created nothing" "$(cdu_names)" "$before"

# --- usage errors: exit 1, one error line and the hint, nothing created.
usage() {
  local name="$1"; shift
  run_capture kubectl dr "$@"
  expect_eq "$name: exit 1" "$RC" 1
  expect_eq "$name: one error line and the hint" "$(grep -c '^error: ' <<<"$ERR")/$(grep -c "^See 'kubectl dr" <<<"$ERR")" "1/1"
}
usage "no domain" deactivate clusterdomain
usage "--all on deactivate" deactivate clusterdomain --all
usage "names and --all" activate clusterdomain us-east-1a --all
usage "bad --timeout" activate clusterdomain us-east-1a --wait --timeout soon
usage "nothing to activate" activate
usage "unknown resource" activate clusterpair
expect_eq "usage errors created nothing" "$(cdu_names)" "$before"
run_capture kubectl dr deactivate cd nope
expect_eq "unknown domain via the cd alias: storkctl's line" "$ERR" "error: provided cluster domain nope not found"

finish
