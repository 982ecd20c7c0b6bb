#!/usr/bin/env bash
# What --all-namespaces reaches when stopping or starting apps: never kube-* (nor the namespaces
# --system-namespaces names) unless named explicitly, and for deactivate apps only what Stork
# replicates (a namespace a MigrationSchedule names, or a workload carrying Stork's marks).
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
DST=(--context us-east-1b)

deployment() {  # deployment NAMESPACE NAME REPLICAS ANNOTATIONS(JSON members)
  printf '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s","namespace":"%s","annotations":{%s}},"spec":{"replicas":%s,"selector":{"matchLabels":{"app":"%s"}},"template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[{"name":"main","image":"nginx"}]}}}}\n' \
    "$2" "$1" "$4" "$3" "$2" "$2"
}
namespace() { printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}\n' "$1"; }
replicas() { kubectl "${DST[@]}" get deploy "$2" -n "$1" -o jsonpath='{.spec.replicas}'; }
REC='"stork.libopenstorage.org/migrated":"true","stork.libopenstorage.org/migrationReplicas":"2"'

kubectl "${DST[@]}" get namespace kube-system >/dev/null 2>&1 || namespace kube-system | kubectl "${DST[@]}" create -f - >/dev/null
{
  namespace plain; namespace tagged; namespace infra
  deployment kube-system dns 2 ""
  deployment kube-system dns-copy 0 "$REC"
  deployment plain web 2 ""
  deployment tagged app 2 ""
  deployment infra agent 1 ""
  deployment plain migrated-here 0 "$REC"
} | kubectl "${DST[@]}" create -f - >/dev/null
# A MigrationSchedule naming "tagged": the seed's own, copied under another name.
kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o json |
  jq '{apiVersion, kind, metadata: {name: "tagged", namespace: "tagged"}, spec: (.spec | .template.spec.namespaces = ["tagged"])}' |
  kubectl "${DST[@]}" create -f - >/dev/null

# --- deactivate apps -A: what Stork replicates, nothing else.
run_capture kubectl dr deactivate apps -A "${DST[@]}" --system-namespaces infra
expect_eq "deactivate apps -A: exit 0" "$RC" 0
expect_eq "deactivate apps -A: kube-system/dns left running" "$(replicas kube-system dns)" "2"
expect_eq "deactivate apps -A: a --system-namespaces namespace left running" "$(replicas infra agent)" "1"
expect_eq "deactivate apps -A: an unreplicated namespace left running" "$(replicas plain web)" "2"
expect_eq "deactivate apps -A: a namespace a MigrationSchedule names is stopped" "$(replicas tagged app)" "0"
check "deactivate apps -A: the namespaces left alone are warned about" grep -q \
  "^Warning: 1 namespace that Stork does not replicate left alone (plain)" <<<"$ERR"
check "deactivate apps -A: kube-system is never mentioned as planned" bash -c "! grep -q 'kube-system' <<<\"\$1\"" _ "$OUT"

# Named explicitly, they are the operator's choice.
run_capture kubectl dr deactivate apps -n plain "${DST[@]}"
expect_eq "deactivate apps -n plain: stopped" "$RC/$(replicas plain web)" "0/0"
run_capture kubectl dr deactivate apps -A --include-namespaces kube-system "${DST[@]}"
expect_eq "deactivate apps --include-namespaces kube-system: stopped" "$RC/$(replicas kube-system dns)" "0/0"

# --- activate migration -A: never kube-*, even with a recorded count.
run_capture kubectl dr activate migration -A "${DST[@]}"
expect_eq "activate -A: exit 0" "$RC" 0
expect_eq "activate -A: kube-system/dns-copy left at 0" "$(replicas kube-system dns-copy)" "0"
expect_eq "activate -A: plain/migrated-here started" "$(replicas plain migrated-here)" "2"
run_capture kubectl dr activate migration -n kube-system "${DST[@]}" --resource-types deployment
expect_eq "activate -n kube-system: started" "$RC/$(replicas kube-system dns-copy)" "0/2"

finish
