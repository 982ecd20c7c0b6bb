#!/usr/bin/env bash
# Another writer changes objects between the tool's list and its write. To put the other writer
# reliably in that window, every PATCH is first answered 429 with a long Retry-After; while the
# tool waits, kubectl (the other writer) labels, annotates and edits the same objects. The tool's
# retry then carries a stale resourceVersion, gets 409, re-reads that object, re-plans it and writes
# again: the other writer's changes stay, and what the tool records is what the object holds now.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:4:10
STATE="$(jq -r .state_dir <<<"$EMU_INFO")"
LOG="$STATE/dst.requests.log"
RETRY_AFTER=8

log_lines() { emulator_admin dst GET '/emulator/log?limit=1' >/dev/null; wc -l <"$LOG"; }
plugin_log() {  # "METHOD PATH STATUS" of the plugin's requests since line $1
  emulator_admin dst GET '/emulator/log?limit=1' >/dev/null
  tail -n +"$(($1 + 1))" "$LOG" | grep '"kubectl-dr/' | awk '{ sub(/\?.*/, "", $3); print $2, $3, $4 }'
}
# race VERB ARGS... -- OTHER-WRITER-COMMANDS: runs the plugin with every PATCH throttled, waits
# until it has tried to write WANT objects, lets the other writer act, then lets the tool retry.
# (One kind per run: the tool finishes a page's writes before it lists the next kind.)
race() {
  local want="$1" verb="$2"; shift 2
  START="$(log_lines)"
  emulator_admin dst PUT /emulator/faults \
    "{\"throttle_rate\":1,\"retry_after_seconds\":$RETRY_AFTER,\"only_verbs\":\"patch\"}" >/dev/null
  "kubectl-dr-$verb" "$@" -o json >"$E2E_TMP/race.out" 2>"$E2E_TMP/race.err" &
  local pid=$! i
  for i in $(seq 1 200); do
    [ "$(plugin_log "$START" | awk '$1 == "PATCH" && $3 == 429 { print $2 }' | sort -u | wc -l)" -ge "$want" ] && break
    sleep 0.05
  done
  emulator_admin dst DELETE /emulator/faults >/dev/null
  other_writer
  set +e; wait "$pid"; RC=$?; set -e
  OUT="$(cat "$E2E_TMP/race.out")"; ERR="$(cat "$E2E_TMP/race.err")"
  REQUESTS="$(plugin_log "$START")"
}
# every path the tool wrote went 429 -> 409 -> GET -> 2xx (re-read and retried after the conflict)
retried_paths() {
  awk '{ seq[$2] = seq[$2] " " $1 ":" $3 } END { for (p in seq) print p, seq[p] }' <<<"$REQUESTS" |
    grep ' PATCH:429.* PATCH:409 GET:200 PATCH:20[01]' | wc -l
}

# --- activate migration while someone labels, annotates and edits the same deployments
migrated="$(kubectl get deploy -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"])] | length')"
other_writer() {
  kubectl label deploy -A --all team=payments --overwrite >/dev/null
  kubectl annotate deploy -A --all note=edited-during-failover --overwrite >/dev/null
  kubectl patch deploy app-0 -n ns-00001 --type merge -p '{"spec":{"minReadySeconds":7}}' >/dev/null
}
race "$migrated" activate migration -A --resource-types Deployment
expect_eq "activate against a concurrent writer: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" >&2
json="$(kubectl get deploy -A -o json)"
expect_eq "activate: every migrated workload at its count" "$(jq '[.items[] | (.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) as $c | select($c != null and .spec.replicas != ($c | tonumber))] | length' <<<"$json")" 0
expect_eq "activate: the other writer's labels kept" "$(jq '[.items[] | select(.metadata.labels.team != "payments")] | length' <<<"$json")" 0
expect_eq "activate: the other writer's annotations kept" "$(jq '[.items[] | select(.metadata.annotations.note != "edited-during-failover")] | length' <<<"$json")" 0
expect_eq "activate: the other writer's spec change kept" "$(kubectl get deploy app-0 -n ns-00001 -o jsonpath='{.spec.minReadySeconds}')" 7
expect_eq "activate: each object re-read after its 409 and written once ($migrated objects)" "$(retried_paths)" "$migrated"
expect_eq "activate: at most one successful write per object" \
  "$(awk '$1 == "PATCH" && $3 ~ /^2/ { n[$2]++ } END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' <<<"$REQUESTS")" 1
check "activate: the report calls them updated" jq -e --argjson n "$migrated" '[.items[] | select(.outcome == "updated")] | length == $n' <<<"$OUT"

# --- deactivate apps in ns-00002 while someone scales a workload up: the fresh count is recorded
running="$(kubectl get deploy -n ns-00002 -o json | jq '[.items[] | select(.spec.replicas > 0)] | length')"
check "ns-00002 has running workloads ($running)" test "$running" -gt 0
target="$(kubectl get deploy -n ns-00002 -o json | jq -r '[.items[] | select(.spec.replicas > 0)][0].metadata.name')"
other_writer() {
  kubectl scale deploy "$target" -n ns-00002 --replicas 5 >/dev/null
  kubectl label deploy -n ns-00002 --all tier=backend --overwrite >/dev/null
}
race "$running" deactivate apps -n ns-00002 --resource-types Deployment
expect_eq "deactivate apps against a concurrent writer: exit 0" "$RC" 0
[ "$RC" -eq 0 ] || echo "$ERR" >&2
expect_eq "deactivate apps: the count recorded is the one the other writer set" \
  "$(kubectl get deploy "$target" -n ns-00002 -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" 5
expect_eq "deactivate apps: and it is stopped" "$(kubectl get deploy "$target" -n ns-00002 -o jsonpath='{.spec.replicas}')" 0
json="$(kubectl get deploy -n ns-00002 -o json)"
expect_eq "deactivate apps: all stopped with a count" "$(jq '[.items[] | select(.spec.replicas != 0 or .metadata.annotations["stork.libopenstorage.org/migrationReplicas"] == null)] | length' <<<"$json")" 0
expect_eq "deactivate apps: the other writer's labels kept" "$(jq '[.items[] | select(.metadata.labels.tier != "backend")] | length' <<<"$json")" 0
expect_eq "deactivate apps: each written object re-read after its 409" "$(retried_paths)" "$running"

# --- forced conflicts on many objects at once (the emulator answers 409 twice for each of those
# still to activate: the deployments were activated above)
names="$(kubectl get sts,deploy -n ns-00003 -o json | jq -r '.items[] | ((.metadata.annotations // {}) | (.["stork.libopenstorage.org/migrationReplicas"] // .["stork.openstorage.org/migrationReplicas"])) as $c | select($c != null and .spec.replicas != ($c | tonumber)) | (.kind | ascii_downcase) + "s " + .metadata.name')"
check "ns-00003 has workloads to activate" test -n "$names"
while read -r plural name; do
  emulator_admin dst POST /emulator/conflicts "{\"resource\":\"$plural.apps\",\"namespace\":\"ns-00003\",\"name\":\"$name\",\"count\":2}" >/dev/null
done <<<"$names"
START="$(log_lines)"
run_capture kubectl dr activate migration -n ns-00003
expect_eq "forced conflicts: exit 0" "$RC" 0
REQUESTS="$(plugin_log "$START")"
expect_eq "forced conflicts: every workload activated" \
  "$(kubectl get sts,deploy -n ns-00003 -o json | jq '[.items[] | (.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) as $c | select($c != null and .spec.replicas != ($c | tonumber))] | length')" 0
expect_eq "forced conflicts: two 409s then one success per object" \
  "$(awk '$1 == "PATCH" { seq[$2] = seq[$2] $3 "," } END { for (p in seq) print seq[p] }' <<<"$REQUESTS" | grep -c '^409,409,200,$')" \
  "$(grep -c . <<<"$names")"

finish
