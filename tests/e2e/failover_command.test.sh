#!/usr/bin/env bash
# kubectl dr failover|failback: the client-driven run on two emulated clusters. Refusals (no
# terminal and no --yes, a run in progress), the dry-run plan, a planned failover and failback, a
# last-mile migration that fails (rolled back), the source down (--skip-source-operations), and
# SIGKILL at every stage followed by --resume, which must converge: every workload at its recorded
# count, exactly one last-mile migration, the journal Succeeded.
source "$(dirname "$0")/lib.sh"

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
RUN=(-m migrationschedule -n zookeeper --from us-east-1a --to us-east-1b)

sts_replicas() { kubectl --context "$1" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}'; }
recorded() {
  kubectl --context "$1" get sts zk -n zookeeper \
    -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}'
}
journal() { kubectl "${DST[@]}" get configmap kubectl-dr-run-migrationschedule -n zookeeper -o json 2>/dev/null; }
last_miles() {
  kubectl "${SRC[@]}" get migrations -n zookeeper -o json |
    jq '[.items[] | select(.metadata.name | startswith("migrationschedule-lastmile-"))] | length'
}
# The state a finished failover must leave, whatever happened on the way.
expect_failed_over() {
  expect_eq "$1: source at 0" "$(sts_replicas us-east-1a)" 0
  expect_eq "$1: source keeps its count" "$(recorded us-east-1a)" 3
  expect_eq "$1: destination at 3" "$(sts_replicas us-east-1b)" 3
  expect_eq "$1: exactly one last-mile migration" "$(last_miles)" 1
  expect_eq "$1: the journal says Succeeded" "$(journal | jq -r .data.state)" Succeeded
  expect_eq "$1: source schedule suspended" \
    "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" true
}

start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

# --- refusals that change nothing ---
run_capture kubectl dr failover "${RUN[@]}" </dev/null
expect_eq "no terminal, no --yes: exit 1" "$RC" 1
expect_contains "no terminal, no --yes: says why" "$ERR" "there is no terminal to ask on; pass --yes"
run_capture kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1a --yes
expect_contains "no --to: usage" "$ERR" "name the cluster that runs the apps afterwards with --to CONTEXT"
run_capture kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1b --to us-east-1a --yes
expect_eq "reversed clusters: exit 1" "$RC" 1
expect_contains "reversed clusters: the static copy is not where --to points" "$OUT" \
  "is not Stork's static copy: is us-east-1a the destination?"

# --- the plan, changing nothing ---
run_capture kubectl dr failover "${RUN[@]}" --dry-run=client
expect_eq "dry run: exit 0" "$RC" 0
expect_contains "dry run: checklist" "$OUT" "[ok] us-east-1a: reachable"
expect_contains "dry run: last migration checked" "$OUT" "last migration: last migration"
expect_contains "dry run: plan names the scale-down" "$OUT" "statefulset zookeeper/zk: spec.replicas 3 -> 0"
expect_contains "dry run: plan names the scale-up" "$OUT" "Scale the apps on us-east-1b up to their recorded counts"
expect_eq "dry run: source untouched" "$(sts_replicas us-east-1a)" 3
expect_eq "dry run: no journal" "$(journal | jq -r .data.state)" ""
run_capture kubectl dr failover "${RUN[@]}" --dry-run=client -o json
expect_eq "dry run -o json: a report, outcome Planned" "$(jq -r '[.kind, .outcome] | join(" ")' <<<"$OUT")" \
  "FailoverReport Planned"

# --- a last-mile migration that fails: the source is started again ---
kubectl "${DST[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"status":{"applicationActivated":true}}' >/dev/null
run_capture kubectl dr failover "${RUN[@]}" --yes -o json
expect_eq "rollback: exit 1" "$RC" 1
expect_eq "rollback: outcome" "$(jq -r .outcome <<<"$OUT")" RolledBack
expect_eq "rollback: the failed stage" \
  "$(jq -r '[.stages[] | select(.outcome=="failed") | .stage] | join(",")' <<<"$OUT")" last-mile-migration
expect_eq "rollback: later stages not attempted" \
  "$(jq -r '[.stages[] | select(.outcome=="not attempted") | .stage] | join(",")' <<<"$OUT")" \
  "deactivate-domain,scale-up,wait-ready"
expect_eq "rollback: source back at 3" "$(sts_replicas us-east-1a)" 3
expect_eq "rollback: destination still at 0" "$(sts_replicas us-east-1b)" 0
expect_eq "rollback: the journal says RolledBack" "$(journal | jq -r .data.state)" RolledBack
kubectl "${DST[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"status":{"applicationActivated":false}}' >/dev/null
kubectl "${SRC[@]}" delete migrations -n zookeeper --all >/dev/null

# --- SIGKILL at every stage, then --resume (from "another machine": a fresh process) ---
for point in suspend-schedule scale-down wait-stopped last-mile-created last-mile-migration deactivate-domain \
  scale-up; do
  run_capture env KUBECTL_DR_CRASH_AT="$point" kubectl dr failover "${RUN[@]}" --yes
  expect_eq "killed at $point: the process died of SIGKILL" "$RC" 137
  expect_eq "killed at $point: the journal is in progress" "$(journal | jq -r .data.state)" InProgress
  run_capture kubectl dr failover "${RUN[@]}" --yes
  expect_eq "killed at $point: a second run is refused" "$RC" 1
  expect_contains "killed at $point: ... naming the first" "$ERR" "is in progress: run $(journal | jq -r .data.runId)"
  run_capture kubectl dr failover "${RUN[@]}" --yes --resume
  expect_eq "killed at $point: --resume exits 0" "$RC" 0
  expect_contains "killed at $point: --resume skips what was done" "$ERR" "already done"
  expect_failed_over "killed at $point, resumed"
  # Back to the start for the next crash point: the failback of this very failover.
  run_capture kubectl dr failback -m migrationschedule -n zookeeper --from us-east-1b --to us-east-1a --yes
  expect_eq "killed at $point: failback exits 0" "$RC" 0
  expect_eq "killed at $point: failback: us-east-1a at 3" "$(sts_replicas us-east-1a)" 3
  expect_eq "killed at $point: failback: us-east-1b at 0, count kept" "$(sts_replicas us-east-1b)/$(recorded us-east-1b)" 0/3
  expect_eq "killed at $point: failback: the schedule runs again" \
    "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" false
  kubectl "${SRC[@]}" delete migrations -n zookeeper --all >/dev/null
  kubectl "${DST[@]}" delete migrations -n zookeeper --all >/dev/null
done

# --- a clean failover, as a report ---
run_capture kubectl dr failover "${RUN[@]}" --yes -o json
expect_eq "failover -o json: exit 0" "$RC" 0
expect_eq "failover -o json: every stage done" "$(jq -r '[.stages[].outcome] | unique | join(",")' <<<"$OUT")" done
expect_contains "failover: one line per stage on stderr" "$ERR" "[7/7] Wait until the apps on us-east-1b are ready: done"
expect_failed_over "clean failover"
expect_eq "failover: the source's domain is inactive" \
  "$(kubectl "${DST[@]}" get clusterdomainsstatuses -o json |
    jq -r '.items[0].status.clusterDomainInfos[] | select(.name=="us-east-1a") | .state')" Inactive

run_capture kubectl dr status failover -n zookeeper "${DST[@]}"
expect_contains "status failover lists the run beside Actions" "$OUT" \
  "$(journal | jq -r .data.runId)"
expect_contains "status failover: the run's row" "$OUT" \
  "Completed   Successful   kubectl dr failover of migrationschedule from us-east-1a to us-east-1b"

# --- the source down: only the destination's stages ---
kubectl dr failback -m migrationschedule -n zookeeper --from us-east-1b --to us-east-1a --yes >/dev/null 2>&1
run_capture kubectl dr failover -m migrationschedule -n zookeeper --to us-east-1b --skip-source-operations --yes
expect_eq "source down: exit 0" "$RC" 0
expect_contains "source down: the warning names the data's age" "$OUT" \
  "not contacted (--skip-source-operations): the apps start from data migrated "
expect_eq "source down: destination at 3" "$(sts_replicas us-east-1b)" 3
expect_eq "source down: the source was not touched" "$(sts_replicas us-east-1a)" 3

finish
