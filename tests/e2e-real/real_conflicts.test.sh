#!/usr/bin/env bash
# On the real control plane (DR_E2E_BACKEND=real; skipped otherwise): another writer changes
# workloads between kubectl-dr's read and its write, and the API server's own optimistic
# concurrency answers 409. To put the other writer in that window without timing, kubectl-dr runs
# as the user dr-racer (--as) and a validating admission webhook (hold_webhook.py) holds every
# write of that user, after the API server has received it and before it is stored, until the test
# releases it; meanwhile kubectl, as the admin, writes the same objects (a resourceVersion-guarded
# replace among them). The held writes carry the listed resourceVersion: the API server answers
# 409, kubectl-dr re-reads and writes again, the other writer's changes stay and the count recorded
# is the one the object holds now. (The emulator's version, reliability_conflicts, holds the writes
# with a 429 fault instead.)
source "$(dirname "$0")/../e2e/lib.sh"
if [ "$DR_E2E_BACKEND" != real ]; then echo "SKIP: needs the real control plane (DR_E2E_BACKEND=real)"; finish; exit 0; fi
command -v python3 >/dev/null || { echo "FAIL: python3 is not installed" >&2; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl is not installed" >&2; exit 1; }
start_emulator --clusters dst --seed scale:4:10
STATE="$(jq -r .state_dir <<<"$EMU_INFO")"
SERVER="$(emulator_url dst)"
AS=(--as dr-racer)

# --- dr-racer may do anything; its writes to Deployments go through the webhook --------------------
kubectl create clusterrolebinding dr-racer --clusterrole cluster-admin --user dr-racer >/dev/null
HOOK="$E2E_TMP/hook"
mkdir -p "$HOOK"
openssl req -newkey rsa:2048 -nodes -keyout "$HOOK/tls.key" -out "$HOOK/tls.csr" -subj "/CN=hold-webhook" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$HOOK/tls.ext"
openssl x509 -req -in "$HOOK/tls.csr" -CA "$STATE/pki/ca.crt" -CAkey "$STATE/pki/ca.key" -CAcreateserial \
  -out "$HOOK/tls.crt" -days 1 -extfile "$HOOK/tls.ext" 2>/dev/null
python3 "$(dirname "$0")/hold_webhook.py" dr-racer "$HOOK/tls.crt" "$HOOK/tls.key" "$HOOK" 2>"$HOOK/err" &
HOOK_PID=$!
trap 'kill "$HOOK_PID" 2>/dev/null || true; e2e_cleanup' EXIT
for _ in $(seq 1 200); do [ -s "$HOOK/port" ] && break; kill -0 "$HOOK_PID" || break; sleep 0.05; done
[ -s "$HOOK/port" ] || { echo "FAIL: the webhook did not start: $(cat "$HOOK/err")" >&2; exit 1; }
kubectl apply -f - >/dev/null <<EOF
{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"hold-dr-racer"},
 "webhooks":[{"name":"hold.dr-racer.test","admissionReviewVersions":["v1"],"sideEffects":"None",
   "failurePolicy":"Fail","timeoutSeconds":30,
   "clientConfig":{"url":"https://127.0.0.1:$(cat "$HOOK/port")/hold","caBundle":"$(base64 -w0 "$STATE/pki/ca.crt")"},
   "rules":[{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["UPDATE"],"resources":["deployments"]}],
   "matchConditions":[{"name":"only-dr-racer","expression":"request.userInfo.username == 'dr-racer'"}]}]}
EOF
# The API server calls the webhook once its informer has the configuration and RBAC has the
# binding: a dry run as dr-racer shows both (bounded wait).
webhook_called() {
  kubectl patch deploy app-0 -n ns-00001 "${AS[@]}" --dry-run=server --type merge -p '{"metadata":{"labels":{"probe":"1"}}}' \
    >/dev/null 2>&1 && [ -s "$HOOK/probe" ]
}
for _ in $(seq 1 120); do webhook_called && break; sleep 0.5; done
check "the API server calls the webhook for dr-racer's writes" webhook_called

# patch_409s: the API server's count of PATCHes of Deployments answered 409 (only kubectl-dr's
# writes carry a resourceVersion that can go stale here)
patch_409s() {
  curl -sS --fail --cacert "$STATE/ca.crt" --cert "$STATE/admin.crt" --key "$STATE/admin.key" "$SERVER/metrics" |
    awk '/^apiserver_request_total\{/ && /code="409"/ && /resource="deployments"/ && /verb="PATCH"/ { n += $NF } END { print n + 0 }'
}
# race WANT VERB ARGS...: runs kubectl-dr-VERB as dr-racer, waits until the webhook holds WANT of
# its writes (bounded), runs other_writer as the admin, releases the writes, waits for the tool.
race() {
  local want="$1" verb="$2" i
  shift 2
  rm -f "$HOOK/release" "$HOOK/held"
  CONFLICTS_BEFORE="$(patch_409s)"
  "kubectl-dr-$verb" "$@" "${AS[@]}" -o json >"$E2E_TMP/race.out" 2>"$E2E_TMP/race.err" &
  local pid=$!
  for i in $(seq 1 1200); do
    [ "$(sort -u "$HOOK/held" 2>/dev/null | wc -l)" -ge "$want" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  HELD="$(sort -u "$HOOK/held" 2>/dev/null | wc -l)"
  other_writer
  touch "$HOOK/release"
  set +e; wait "$pid"; RC=$?; set -e
  OUT="$(cat "$E2E_TMP/race.out")"; ERR="$(cat "$E2E_TMP/race.err")"
  CONFLICTS=$(($(patch_409s) - CONFLICTS_BEFORE))
  # objects the webhook saw written more than once: the writes after a 409
  RETRIED="$(sort "$HOOK/held" | uniq -d | wc -l)"
}
# guarded_edit NS DEPLOYMENT JQ: a resourceVersion-guarded write, as a careful writer does it: read,
# edit, replace with the read resourceVersion; on 409 (the controllers update status meanwhile),
# read again (bounded).
guarded_edit() {
  local i
  for i in $(seq 1 20); do
    kubectl get deploy "$2" -n "$1" -o json | jq "$3" | kubectl replace -f - >/dev/null 2>"$E2E_TMP/replace.err" && return 0
    grep -q Conflict "$E2E_TMP/replace.err" || { cat "$E2E_TMP/replace.err" >&2; return 1; }
  done
  echo "guarded_edit $1/$2: still conflicting after 20 tries" >&2
  return 1
}
at_count='[.items[] | (.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) as $c | select($c != null and .spec.replicas != ($c | tonumber))] | length'

# --- activate migration while someone labels, annotates, and edits the same deployments -------------
migrated="$(kubectl get deploy -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"])] | length')"
check "the seed has migrated deployments ($migrated)" test "$migrated" -gt 0
other_writer() {
  kubectl label deploy -A --all team=payments --overwrite >/dev/null
  kubectl annotate deploy -A --all note=edited-during-failover --overwrite >/dev/null
  guarded_edit ns-00001 app-0 '.spec.minReadySeconds = 7'
}
race "$migrated" activate migration -A --resource-types Deployment
expect_eq "activate: every first write was held before the other writer ran" "$HELD" "$migrated"
expect_eq "activate against a concurrent writer: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" >&2
json="$(kubectl get deploy -A -o json)"
expect_eq "activate: every migrated workload at its count" "$(jq "$at_count" <<<"$json")" 0
expect_eq "activate: the other writer's labels kept" "$(jq '[.items[] | select(.metadata.labels.team != "payments")] | length' <<<"$json")" 0
expect_eq "activate: the other writer's annotations kept" "$(jq '[.items[] | select(.metadata.annotations.note != "edited-during-failover")] | length' <<<"$json")" 0
expect_eq "activate: the other writer's spec change kept" "$(kubectl get deploy app-0 -n ns-00001 -o jsonpath='{.spec.minReadySeconds}')" 7
# At least one 409 per held write (the controllers' status updates can move an object again
# between kubectl-dr's re-read and its retry: more are possible, fewer are not).
check "activate: the API server answered 409 to each held write ($CONFLICTS for $migrated)" test "$CONFLICTS" -ge "$migrated"
expect_eq "activate: each object written again after its 409" "$RETRIED" "$migrated"
check "activate: the report calls them updated" jq -e --argjson n "$migrated" '[.items[] | select(.outcome == "updated")] | length == $n' <<<"$OUT"

# --- deactivate apps while someone scales a workload up: the count recorded is the fresh one --------
running="$(kubectl get deploy -n ns-00002 -o json | jq '[.items[] | select(.spec.replicas > 0)] | length')"
check "ns-00002 has running deployments ($running)" test "$running" -gt 0
target="$(kubectl get deploy -n ns-00002 -o json | jq -r '[.items[] | select(.spec.replicas > 0)][0].metadata.name')"
other_writer() {
  guarded_edit ns-00002 "$target" '.spec.replicas = 5'
  kubectl label deploy -n ns-00002 --all tier=backend --overwrite >/dev/null
}
race "$running" deactivate apps -n ns-00002 --resource-types Deployment
expect_eq "deactivate apps: every first write was held before the other writer ran" "$HELD" "$running"
expect_eq "deactivate apps against a concurrent writer: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" >&2
expect_eq "deactivate apps: the count recorded is the one the other writer set" \
  "$(kubectl get deploy "$target" -n ns-00002 -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" 5
expect_eq "deactivate apps: and it is stopped" "$(kubectl get deploy "$target" -n ns-00002 -o jsonpath='{.spec.replicas}')" 0
json="$(kubectl get deploy -n ns-00002 -o json)"
expect_eq "deactivate apps: all stopped with a count" \
  "$(jq '[.items[] | select(.spec.replicas != 0 or (.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) == null)] | length' <<<"$json")" 0
expect_eq "deactivate apps: the other writer's labels kept" "$(jq '[.items[] | select(.metadata.labels.tier != "backend")] | length' <<<"$json")" 0
check "deactivate apps: the API server answered 409 to each held write ($CONFLICTS for $running)" test "$CONFLICTS" -ge "$running"
expect_eq "deactivate apps: each object written again after its 409" "$RETRIED" "$running"

finish
