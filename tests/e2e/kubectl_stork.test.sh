#!/usr/bin/env bash
# The real kubectl against kube-emulator's simulated Stork and workloads, across both contexts:
# ClusterDomainUpdates, Migrations copying apps at 0 replicas (and overwriting an activated copy
# when the source changed), the schedule's own suspension, and watches (get -w, wait).
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
SRC=(kubectl --context us-east-1a)
DST=(kubectl --context us-east-1b)

migration() {  # migration NAME: a Migration of namespace zookeeper to the pair's cluster
  printf 'apiVersion: stork.libopenstorage.org/v1alpha1\nkind: Migration\nmetadata:\n  name: %s\n  namespace: zookeeper\nspec:\n  clusterPair: remotecluster\n  includeResources: true\n  startApplications: false\n  namespaces: [zookeeper]\n' "$1"
}

# get -w: a watch sees a change made while it runs, then ends with its request timeout
( sleep 1; "${SRC[@]}" annotate sts zk -n zookeeper watched=yes >/dev/null ) &
changer=$!
run_capture timeout 20 "${SRC[@]}" get sts zk -n zookeeper -w --output-watch-events \
  -o jsonpath='{.type} {.object.metadata.annotations.watched}{"\n"}' --request-timeout=4s
wait "$changer"
expect_contains "get -w: the initial state" "$OUT" "ADDED"
expect_contains "get -w: the change" "$OUT" "MODIFIED yes"
expect_eq "get -w: ended by --request-timeout, not by timeout(1)" "$([ "$RC" -ne 124 ] && echo yes)" "yes"
run_capture timeout 20 "${SRC[@]}" get pods -n zookeeper -w --watch-only --request-timeout=2s -o name
expect_eq "get -w --watch-only with nothing happening prints nothing" "$OUT" ""

# A Migration created by hand runs: the app copied to the destination at 0 replicas
migration manual-1 | "${SRC[@]}" create -f - >/dev/null
run_capture "${SRC[@]}" wait --for=jsonpath='{.status.status}'=Successful migration/manual-1 -n zookeeper --timeout=20s
expect_eq "kubectl wait for the migration" "$OUT" "migration.stork.libopenstorage.org/manual-1 condition met"
expect_eq "migration stage" "$("${SRC[@]}" get migration manual-1 -n zookeeper -o jsonpath='{.status.stage}')" "Final"
expect_eq "destination zk still at 0 (source unchanged)" \
  "$("${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}/{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "0/3"

# A new workload and a CronJob on the source are copied: the deployment at 0, the CronJob suspended
"${SRC[@]}" create deployment web -n zookeeper --image=nginx:1.27 --replicas=2 >/dev/null
"${SRC[@]}" create cronjob report -n zookeeper --image=busybox:1.36 --schedule='*/5 * * * *' -- date >/dev/null
migration manual-2 | "${SRC[@]}" create -f - >/dev/null
"${SRC[@]}" wait --for=jsonpath='{.status.status}'=Successful migration/manual-2 -n zookeeper --timeout=20s >/dev/null
expect_eq "migrated deployment at 0 with its count" \
  "$("${DST[@]}" get deploy web -n zookeeper -o jsonpath='{.spec.replicas}/{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "0/2"
expect_eq "migrated cronjob suspended" "$("${DST[@]}" get cronjob report -n zookeeper -o jsonpath='{.spec.suspend}')" "true"
expect_eq "migrated objects name their migration" \
  "$("${DST[@]}" get deploy web -n zookeeper -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationName}')" "manual-2"
expect_eq "no pods for the migrated deployment" "$("${DST[@]}" get pods -n zookeeper -o name)" ""

# The classic failover mistake: activate on the destination by hand, change the source, and let a
# migration run: it overwrites the destination back to 0 (and here the count is lost).
"${DST[@]}" scale sts zk -n zookeeper --replicas=3 >/dev/null
"${DST[@]}" rollout status sts/zk -n zookeeper --timeout=20s >/dev/null
expect_eq "destination activated by hand" "$("${DST[@]}" get pods -n zookeeper -l app=zk -o name | wc -l)" "3"
"${SRC[@]}" scale sts zk -n zookeeper --replicas=0 >/dev/null
migration manual-3 | "${SRC[@]}" create -f - >/dev/null
"${SRC[@]}" wait --for=jsonpath='{.status.status}'=Successful migration/manual-3 -n zookeeper --timeout=20s >/dev/null
expect_eq "destination overwritten to 0, count lost" \
  "$("${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}/{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "0/0"
for _ in $(seq 1 50); do
  [ -z "$("${DST[@]}" get pods -n zookeeper -l app=zk -o name)" ] && break
  sleep 0.1
done
expect_eq "destination pods gone" "$("${DST[@]}" get pods -n zookeeper -l app=zk -o name)" ""

# ClusterDomainUpdate: the domain goes Inactive in every cluster's ClusterDomainsStatus
printf 'apiVersion: stork.libopenstorage.org/v1alpha1\nkind: ClusterDomainUpdate\nmetadata:\n  name: deactivate-us-east-1a\nspec:\n  clusterdomain: us-east-1a\n  active: false\n' |
  "${DST[@]}" create -f - >/dev/null
run_capture "${DST[@]}" wait --for=jsonpath='{.status.status}'=Successful cdu/deactivate-us-east-1a --timeout=20s
expect_eq "kubectl wait for the cdu" "$OUT" "clusterdomainupdate.stork.libopenstorage.org/deactivate-us-east-1a condition met"
for ctx in us-east-1a us-east-1b; do
  expect_eq "us-east-1a Inactive as $ctx sees it" \
    "$(kubectl --context "$ctx" get cds px-dr-cluster -o jsonpath='{.status.clusterDomainInfos[?(@.name=="us-east-1a")].state}')" "Inactive"
done
run_capture "${DST[@]}" get cdu
expect_eq "get cdu: the update is listed" "$(awk 'NR==2 {print $1}' <<<"$OUT")" "deactivate-us-east-1a"
# Stork suspends the schedule of a cluster whose own domain went inactive
for _ in $(seq 1 50); do
  [ "$("${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" = true ] && break
  sleep 0.1
done
expect_eq "source schedule suspended by Stork" \
  "$("${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "true"
# a migration from an inactive domain fails
migration manual-4 | "${SRC[@]}" create -f - >/dev/null
run_capture "${SRC[@]}" wait --for=jsonpath='{.status.status}'=Failed migration/manual-4 -n zookeeper --timeout=20s
expect_eq "migration from an inactive domain fails" "$RC" 0
# an unknown domain: the update fails with the reason
printf 'apiVersion: stork.libopenstorage.org/v1alpha1\nkind: ClusterDomainUpdate\nmetadata:\n  name: bad\nspec:\n  clusterdomain: nope\n  active: true\n' |
  "${DST[@]}" create -f - >/dev/null
"${DST[@]}" wait --for=jsonpath='{.status.status}'=Failed cdu/bad --timeout=20s >/dev/null
expect_contains "unknown domain: reason" "$("${DST[@]}" get cdu bad -o jsonpath='{.status.reason}')" "nope"
# and back
printf 'apiVersion: stork.libopenstorage.org/v1alpha1\nkind: ClusterDomainUpdate\nmetadata:\n  name: activate-us-east-1a\nspec:\n  clusterdomain: us-east-1a\n  active: true\n' |
  "${DST[@]}" create -f - >/dev/null
"${DST[@]}" wait --for=jsonpath='{.status.status}'=Successful cdu/activate-us-east-1a --timeout=20s >/dev/null
expect_eq "both domains Active and InSync again" \
  "$("${SRC[@]}" get cds px-dr-cluster -o jsonpath='{range .status.clusterDomainInfos[*]}{.state}/{.syncStatus} {end}')" \
  "Active/InSync Active/InSync "

# the kubeconfig's contexts reach different servers
expect_eq "different servers" \
  "$([ "$(kubectl config view -o jsonpath='{.clusters[?(@.name=="us-east-1a")].cluster.server}')" != \
       "$(kubectl config view -o jsonpath='{.clusters[?(@.name=="us-east-1b")].cluster.server}')" ] && echo yes)" "yes"
kubectl config use-context us-east-1b >/dev/null
expect_eq "use-context switches the default" "$(kubectl get cds px-dr-cluster -o jsonpath='{.status.localDomain}')" "us-east-1b"

finish
