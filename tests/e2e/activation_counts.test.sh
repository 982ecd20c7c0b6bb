#!/usr/bin/env bash
# Replica counts that cannot be trusted, and the rules that keep them: a recorded 0 on a running
# workload (a conflict, never applied nor kept), malformed or out-of-range counts (failures in the
# summary and the exit code), a malformed spelling falling back to a valid one, activation that only
# scales up (skipped: running, unless --force), deactivate apps that keeps a recorded count over a
# lower live one, --wait on workloads already at their count, and a server dry run whose every line
# says so, the --wait time in the summary, a CronJob a migration suspended, and --timeout over the
# whole run. Pods take 5 s to be ready here, so that --wait has something to wait for.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover --ready-delay-ms 5000
DST=(--context us-east-1b)

MIG='"stork.libopenstorage.org/migrated":"true"'
deployment() {  # deployment NAMESPACE NAME REPLICAS ANNOTATIONS(JSON members)
  printf '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s","namespace":"%s","annotations":{%s}},"spec":{"replicas":%s,"selector":{"matchLabels":{"app":"%s"}},"template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[{"name":"main","image":"nginx"}]}}}}\n' \
    "$2" "$1" "$4" "$3" "$2" "$2"
}
namespace() { printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}\n' "$1"; }
rec() { printf '%s,"stork.libopenstorage.org/migrationReplicas":"%s"' "$MIG" "$1"; }
replicas() { kubectl "${DST[@]}" get deploy "$2" -n "$1" -o jsonpath='{.spec.replicas}'; }
recorded() { kubectl "${DST[@]}" get deploy "$2" -n "$1" -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}'; }

{
  namespace zero; namespace hostile; namespace fallback; namespace running; namespace keep; namespace slow; namespace late
  deployment late behind 0 "$(rec 1)"
  namespace woken
  deployment woken sleeper 0 "$(rec 1)"
  printf '{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly","namespace":"woken","annotations":{"stork.libopenstorage.org/migrationName":"m-1"}},"spec":{"schedule":"0 1 * * *","suspend":true,"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}\n'
  deployment zero conflicted 3 "$(rec 0)"
  for bad in abc:abc minus:-1 exp:1e9 space:' 3' big:2147483648; do
    deployment hostile "bad-${bad%%:*}" 0 "$(rec "${bad#*:}")"
  done
  deployment hostile good 0 "$(rec 2)"
  deployment fallback both 0 "$MIG,\"stork.libopenstorage.org/migrationReplicas\":\"x\",\"stork.openstorage.org/migrationReplicas\":\"2\""
  deployment running scaled-up 5 "$(rec 3)"
  deployment keep shrunk 2 "$(rec 3)"
  deployment slow settled 2 "$(rec 2)"
} | kubectl "${DST[@]}" create -f - >/dev/null

# --- 25.3: a recorded 0 on a running workload.
run_capture kubectl dr deactivate migration -n zero "${DST[@]}"
expect_eq "recorded 0 on a running workload: deactivate exits 1" "$RC" 1
expect_eq "recorded 0: still running at 3" "$(replicas zero conflicted)" "3"
expect_contains "recorded 0: the conflict is reported" "$ERR" \
  "Error: deployment zero/conflicted runs 3 replicas but annotation stork.libopenstorage.org/migrationReplicas records 0"
check "recorded 0: the summary counts it failed" grep -Eq '^Deactivated 0 workloads in 1 namespace \(0 unchanged, [0-9]+ skipped, 1 failed\)' <<<"$ERR"
run_capture kubectl dr activate migration -n zero "${DST[@]}"
expect_eq "recorded 0: activate exits 1 too, and leaves it at 3" "$RC/$(replicas zero conflicted)" "1/3"

# --- 25.4: malformed and out-of-range counts are failures; a valid one beside them is applied.
run_capture kubectl dr activate migration -n hostile "${DST[@]}"
expect_eq "malformed counts: exit 1" "$RC" 1
for name in bad-abc bad-minus bad-exp bad-space bad-big; do
  expect_eq "malformed counts: $name left at 0" "$(replicas hostile "$name")" "0"
  check "malformed counts: $name reported" grep -q "^Error parsing replicas for app : deployment hostile/$name: " <<<"$ERR"
done
expect_eq "malformed counts: the valid one beside them is applied" "$(replicas hostile good)" "2"
check "malformed counts: the summary counts 5 failed" grep -Eq '^Activated 1 workload in 1 namespace \(0 unchanged, [0-9]+ skipped, 5 failed\)' <<<"$ERR"
run_capture kubectl dr activate migration -n hostile "${DST[@]}" -o json
expect_eq "malformed counts: -o json marks them failed" \
  "$(jq -c '[.items[] | select(.outcome == "failed") | .name] | sort' <<<"$OUT")" \
  '["bad-abc","bad-big","bad-exp","bad-minus","bad-space"]'
expect_eq "malformed counts: -o json summary.failed" "$(jq .summary.failed <<<"$OUT")" "5"

run_capture kubectl dr activate migration -n fallback "${DST[@]}"
expect_eq "a malformed spelling falls back to the valid other: exit 0, at 2" "$RC/$(replicas fallback both)" "0/2"
expect_contains "the fallback is warned about" "$ERR" 'Warning: annotation stork.libopenstorage.org/migrationReplicas: replica count "x" is not a whole number; using stork.openstorage.org/migrationReplicas="2"'

# --- 25.12: activation only scales up.
run_capture kubectl dr activate migration -n running "${DST[@]}" -o json
expect_eq "running above its count: exit 0, left at 5" "$RC/$(replicas running scaled-up)" "0/5"
expect_eq "running above its count: skipped: running" \
  "$(jq -r '.items[] | select(.name == "scaled-up") | "\(.outcome): \(.reason)"' <<<"$OUT")" \
  "skipped: running: at 5 replicas, above its recorded count 3"
run_capture kubectl dr activate migration -n running "${DST[@]}" --wait --timeout 0
expect_eq "--wait waits for a workload skipped as running too" \
  "$RC/$(kubectl "${DST[@]}" get deploy scaled-up -n running -o jsonpath='{.status.readyReplicas}')" "0/5"
run_capture kubectl dr activate migration -n running "${DST[@]}" --force
expect_eq "--force scales it to its count" "$RC/$(replicas running scaled-up)" "0/3"

# --- 26.19: a lower live count never overwrites the recorded one unless asked.
run_capture kubectl dr deactivate apps -n keep "${DST[@]}"
expect_eq "deactivate apps at 2 with 3 recorded: stopped, 3 kept" "$RC/$(replicas keep shrunk)/$(recorded keep shrunk)" "0/0/3"
expect_contains "deactivate apps: says it kept the count" "$ERR" "kept its recorded count 3 (live 2)"
kubectl "${DST[@]}" scale deploy shrunk -n keep --replicas 2 >/dev/null
run_capture kubectl dr deactivate migration -n keep "${DST[@]}"
expect_eq "deactivate migration at 2 with 3 recorded: stopped, 3 kept" "$RC/$(replicas keep shrunk)/$(recorded keep shrunk)" "0/0/3"
kubectl "${DST[@]}" scale deploy shrunk -n keep --replicas 2 >/dev/null
run_capture kubectl dr deactivate apps -n keep "${DST[@]}" --force
expect_eq "deactivate apps --force records the live count" "$(recorded keep shrunk)" "2"

# --- 26.1: --wait waits for every selected workload, changed or not. 'settled' is already at its
# count (unchanged) and its pods are not ready for 5 s.
run_capture kubectl dr activate migration -n slow "${DST[@]}" --wait --timeout 0
expect_eq "--wait on an unchanged workload: exit 0" "$RC" 0
expect_contains "--wait: says ready" "$ERR" "All workloads are ready"
expect_eq "--wait: ready when it says so" "$(kubectl "${DST[@]}" get deploy settled -n slow -o jsonpath='{.status.readyReplicas}')" "2"

# --- 26.8: a server dry run says so on every line, the schedule's and the summary included.
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --dry-run=server
expect_eq "server dry run: exit 0" "$RC" 0
expect_contains "server dry run: the schedule line" "$OUT" \
  "Setting the ApplicationActivated status in the MigrationSchedule zookeeper/migrationschedule to true (server dry run)"
expect_eq "server dry run: every line says so" \
  "$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -v '^$' | grep -vc '(server dry run)' || true)" "0"
expect_eq "server dry run: nothing kept" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"

# --- 26.11: the summary's time includes --wait. The pods of 'woken' cannot be ready sooner than
# 5 s after it is scaled up (the emulator's --ready-delay-ms), so neither can the run end sooner.
run_capture kubectl dr activate migration -n woken "${DST[@]}" --wait --timeout 0 -o json
expect_eq "--wait -o json: exit 0" "$RC" 0
check "--wait: the summary's time covers the wait" test "$(jq .summary.elapsedMilliseconds <<<"$OUT")" -ge 5000

# --- 26.18: a CronJob a migration suspended, marked by its migrationName but not 'migrated', is resumed.
run_capture kubectl dr activate migration -n woken "${DST[@]}"
expect_eq "a CronJob with Stork's migrationName only: resumed" \
  "$(kubectl "${DST[@]}" get cronjob nightly -n woken -o jsonpath='{.spec.suspend}')" "false"

# --- 25.8: --timeout bounds the whole run, writes included. Every PATCH takes 3 s here, so a 1 s
# budget cannot be met however fast or slow the machine is.
emulator_admin us-east-1b POST /emulator/faults '{"latency_ms":3000,"only_verbs":"patch"}' >/dev/null
run_capture kubectl dr activate migration -n late "${DST[@]}" --timeout 1s
emulator_admin us-east-1b DELETE /emulator/faults >/dev/null
expect_eq "--timeout without --wait: exit 1" "$RC" 1
expect_contains "--timeout: says so, and how to finish" "$ERR" "error: timed out after 1s (--timeout); re-run the command to finish"
run_capture kubectl dr activate migration -n late "${DST[@]}"
expect_eq "a re-run finishes the job" "$RC/$(replicas late behind)" "0/1"

finish
