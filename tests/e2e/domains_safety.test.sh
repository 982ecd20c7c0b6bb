#!/usr/bin/env bash
# Issue 26, items 3, 6, 7, 15, 16, 17 for activate/deactivate clusterdomain, with the Stork
# controller off so the test decides every update's fate: the local or last active domain is refused
# without --force; --force creates an update even when the status already shows the state; a rerun
# reuses a pending update; -a is --all; with -o, stdout is only the machine format in every path.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover --no-stork-controller
export KUBECONFIG
kubectl config use-context us-east-1b >/dev/null

cdu_count() { kubectl get clusterdomainupdates -o json | jq '.items | length'; }
cds_name="$(kubectl get clusterdomainsstatuses -o json | jq -r '.items[0].metadata.name')"
mark_update() { kubectl patch clusterdomainupdate "$1" --type merge -p "{\"status\":{\"status\":\"$2\"}}" >/dev/null; }

# --- item 3: the local domain (this context's) is refused, nothing created; --force does it.
expect_eq "local domain is us-east-1b" \
  "$(kubectl get clusterdomainsstatus "$cds_name" -o jsonpath='{.status.localDomain}')" "us-east-1b"
run_capture kubectl dr deactivate clusterdomain us-east-1b
expect_eq "local domain: exit 1" "$RC" 1
expect_contains "local domain: says why and how" "$ERR" "refusing to deactivate: us-east-1b is the local cluster domain"
expect_contains "local domain: names --force" "$ERR" "--force"
expect_eq "local domain: nothing created" "$(cdu_count)" 0
run_capture kubectl dr deactivate clusterdomain us-east-1b --force --name forced-local
expect_eq "local domain with --force: exit 0" "$RC" 0
expect_eq "local domain with --force: the update" \
  "$(kubectl get clusterdomainupdate forced-local -o jsonpath='{.spec.clusterdomain} {.spec.active}')" "us-east-1b false"
mark_update forced-local Successful

# --- item 3: the last active domain (here us-east-1a, with the local one shown inactive).
set_domain_state us-east-1b Inactive
before="$(cdu_count)"
run_capture kubectl dr deactivate clusterdomain us-east-1a
expect_eq "last active domain: exit 1" "$RC" 1
expect_contains "last active domain: says why" "$ERR" "refusing to deactivate: no cluster domain would be left active"
expect_eq "last active domain: nothing created" "$(cdu_count)" "$before"
set_domain_state us-east-1b Active

# --- item 16: already in the wanted state: the no-op stays the default, --force creates the update.
run_capture kubectl dr activate clusterdomain us-east-1b
expect_eq "already active: exit 0" "$RC" 0
expect_eq "already active: no update" "$(cdu_count)" "$before"
run_capture kubectl dr activate clusterdomain us-east-1b --force --name stale-status
expect_eq "already active with --force: exit 0" "$RC" 0
expect_eq "already active with --force: storkctl's message" "$OUT" \
  "Cluster Domain activate operation started successfully for us-east-1b"
expect_eq "already active with --force: the update" \
  "$(kubectl get clusterdomainupdate stale-status -o jsonpath='{.spec.clusterdomain} {.spec.active}')" "us-east-1b true"
mark_update stale-status Successful

# --- item 6: a rerun after a --wait timeout waits on the pending update instead of creating another.
run_capture kubectl dr deactivate clusterdomain us-east-1a --name first-try --wait --timeout 1s
expect_eq "first --wait times out: exit 1" "$RC" 1
before="$(cdu_count)"
run_capture kubectl dr deactivate clusterdomain us-east-1a --wait --timeout 1s
expect_eq "rerun: still pending, exit 1" "$RC" 1
expect_contains "rerun: waits on the pending update" "$OUT" "ClusterDomainUpdate first-try is still pending"
expect_contains "rerun: its timeout names it" "$ERR" "ClusterDomainUpdate first-try"
expect_eq "rerun: no second update" "$(cdu_count)" "$before"
run_capture kubectl dr deactivate clusterdomain us-east-1a -o json
check "rerun -o json: the pending update, as JSON" jq -e '.metadata.name == "first-try"' <<<"$OUT"
mark_update first-try Successful
set_domain_state us-east-1a Inactive

# --- item 15: -a is --all.
run_capture kubectl dr activate clusterdomain -a --name dash-a
expect_eq "-a: exit 0" "$RC" 0
expect_eq "-a: activates the inactive domain" "$OUT" "Cluster Domain activate operation started successfully for us-east-1a"
mark_update dash-a Successful
set_domain_state us-east-1a Active

# --- item 7: with -o json|yaml|name, stdout parses in every path .
machine() {  # machine NAME FORMAT ARGS...: stdout is only FORMAT
  local name="$1" format="$2"; shift 2
  run_capture kubectl dr "$@" -o "$format"
  case "$format" in
    json) check "$name -o json: stdout is JSON" jq -e . >/dev/null <<<"$OUT" ;;
    name) check "$name -o name: only resource/name lines" \
      awk 'NF && !/^[a-z.]+\/[A-Za-z0-9.-]+$/ { bad = 1 } END { exit bad }' <<<"$OUT" ;;
  esac
}
for format in json name; do
  machine "already active" "$format" activate clusterdomain us-east-1a
  machine "--all, none inactive" "$format" activate clusterdomain --all
  machine "already active, deactivate --force dry run" "$format" deactivate clusterdomain us-east-1b --force --dry-run=client
done
run_capture kubectl dr activate clusterdomain us-east-1a -o json
expect_contains "nothing to do -o json: the note on stderr" "$ERR" "already active"
kubectl dr deactivate clusterdomain us-east-1a --name waited --wait --timeout 60s -o json >"$E2E_TMP/w.out" 2>"$E2E_TMP/w.err" &
pid=$!
for _ in $(seq 1 200); do kubectl get clusterdomainupdate waited >/dev/null 2>&1 && break; sleep 0.1; done
mark_update waited Successful
set +e; wait "$pid"; rc=$?; set -e
expect_eq "--wait -o json: exit 0" "$rc" 0
check "--wait -o json: stdout is only the object" jq -e '.metadata.name == "waited"' "$E2E_TMP/w.out"
expect_contains "--wait -o json: success line on stderr" "$(cat "$E2E_TMP/w.err")" "updated successfully"

# --- item 17: --help says what a Failed update does.
run_capture kubectl dr activate clusterdomain --help
expect_contains "--help: Failed exits 1" "$OUT" "Failed exits 1"

finish
