#!/usr/bin/env bash
# SIGKILL at random points of `activate migration`, `deactivate migration` and `deactivate apps`
# (RELIABILITY_TRIALS kills, 60 by default; scripts/soak.sh runs more). After every kill the
# cluster must be in a state a re-run can finish from: no workload's replica count lost (a workload
# at 0 always carries its count), no recorded count changed or overwritten with 0, every replica
# count either 0 or the recorded one. At the end, re-running converges.
source "$(dirname "$0")/lib.sh"
TRIALS="${RELIABILITY_TRIALS:-60}"
start_emulator --clusters dst --seed scale:20:10
# A little latency per request spreads a run's writes over time, so random kills land among them.
emulator_admin dst PUT /emulator/faults '{"latency_ms":3}' >/dev/null

# id -> {replicas, count (the effective migrationReplicas, either spelling, as a number or null)}
observe() {
  kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | {
    id: (.kind + "/" + .metadata.namespace + "/" + .metadata.name), replicas: .spec.replicas,
    count: (((.metadata.annotations // {}) | (.["stork.libopenstorage.org/migrationReplicas"] // .["stork.openstorage.org/migrationReplicas"])) | if . == null then null else tonumber end)}]'
}
baseline="$(observe)"
# The one true count of each workload: its annotation, or (not migrated) the replicas it runs with.
truth="$(jq -c 'map({key: .id, value: {c: (.count // .replicas), annotated: (.count != null)}}) | from_entries' <<<"$baseline")"
check "the seed has migrated and running workloads" \
  jq -e '([.[] | select(.annotated)] | length) > 10 and ([.[] | select(.annotated | not)] | length) > 10' <<<"$truth"

# Prints the violations of the invariant in an observed state ($1, default: observe now), one per line.
violations() {
  local state="${1:-}"
  [ -n "$state" ] || state="$(observe)"
  jq -r --argjson truth "$truth" '.[] | . as $w | $truth[$w.id] as $t |
    if $t == null then "\($w.id): unexpected workload"
    elif $w.count != null and $w.count != $t.c then "\($w.id): recorded count \($w.count), should be \($t.c)"
    elif $t.annotated and $w.count == null then "\($w.id): recorded count lost"
    elif $w.replicas != 0 and $w.replicas != $t.c then "\($w.id): replicas \($w.replicas), neither 0 nor \($t.c)"
    elif $w.replicas == 0 and $t.c != 0 and $w.count == null then "\($w.id): at 0 with no recorded count"
    else empty end' <<<"$state"
}
# How many workloads are at their count (the rest are at 0).
running() {
  local state="${1:-}"
  [ -n "$state" ] || state="$(observe)"
  jq --argjson truth "$truth" '[.[] | select(.replicas != 0 and .replicas == $truth[.id].c)] | length' <<<"$state"
}

# Calibrate: how long a whole run takes here, so the kills can be spread over it.
ms() { date +%s%3N; }
t0="$(ms)"; kubectl-dr-activate migration -A >/dev/null 2>&1; t1="$(ms)"
kubectl-dr-deactivate migration -A >/dev/null 2>&1; t2="$(ms)"
window=$(((t1 - t0 + t2 - t1) / 2 + 20))
echo "a whole run takes about ${window}ms; kills are spread over 0..${window}ms"
expect_eq "calibration runs left a safe state" "$(violations)" ""

modes=("activate migration" "deactivate migration" "deactivate apps" "activate migration" "deactivate migration")
killed=0 finished=0 partial=0 bad=0
total="$(jq length <<<"$baseline")"
before="$(running)"
for trial in $(seq 1 "$TRIALS"); do
  mode="${modes[$((trial % ${#modes[@]}))]}"
  verb="${mode%% *}"
  # shellcheck disable=SC2086
  "kubectl-dr-$verb" ${mode#* } -A >/dev/null 2>&1 &
  pid=$!
  delay=$((RANDOM % window))
  sleep "$(printf '0.%03d' "$delay")"
  kill -KILL "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  if [ "$rc" -eq 137 ]; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
  state="$(observe)"
  after="$(running "$state")"
  if [ "$after" -ne 0 ] && [ "$after" -ne "$total" ] && [ "$after" -ne "$before" ]; then partial=$((partial + 1)); fi
  before="$after"
  v="$(violations "$state")"
  if [ -n "$v" ]; then
    bad=$((bad + 1))
    printf 'trial %d (%s, killed after %dms):\n%s\n' "$trial" "$mode" "$delay" "$(head -5 <<<"$v")" >&2
  fi
done
echo "figures: $TRIALS trials: $killed killed mid-run, $finished finished first, $partial left half-done"
expect_eq "no trial lost, changed or zeroed a recorded count" "$bad" 0
check "kills landed mid-run ($killed of $TRIALS)" test "$killed" -gt 0

# Re-running converges from wherever the last kill left things.
run_capture kubectl dr deactivate apps -A
expect_eq "converge: deactivate apps exits 0" "$RC" 0
expect_eq "converge: every workload at 0 with its count recorded" \
  "$(observe | jq --argjson truth "$truth" '[.[] | select(.replicas != 0 or .count != $truth[.id].c)] | length')" 0
run_capture kubectl dr activate migration -A
expect_eq "converge: activate migration exits 0" "$RC" 0
expect_eq "converge: every workload back at its count" "$(running)" "$(jq length <<<"$baseline")"
expect_eq "converge: no violation" "$(violations)" ""
expect_eq "converge: every migrated cronjob resumed" \
  "$(kubectl get cronjobs -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationNamespace"] != null and .spec.suspend == true)] | length')" 0
run_capture kubectl dr deactivate migration -A
expect_eq "converge: deactivate migration exits 0" "$RC" 0
expect_eq "converge: every workload at 0" "$(observe | jq '[.[] | select(.replicas != 0)] | length')" 0
expect_eq "converge: no violation after deactivation" "$(violations)" ""

finish
