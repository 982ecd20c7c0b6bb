#!/usr/bin/env bash
# The real kubectl against kube-emulator, reading: discovery, every output mode, selectors, paging,
# raw paths, both contexts, the Stork kinds, and the documented `kubectl get pods` picture.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
SRC=(kubectl --context us-east-1a)
DST=(kubectl --context us-east-1b)

# version
run_capture "${SRC[@]}" version -o json
expect_eq "version: exit 0" "$RC" 0
expect_eq "version: server major" "$(jq -r .serverVersion.major <<<"$OUT")" "1"
expect_contains "version: server gitVersion" "$(jq -r .serverVersion.gitVersion <<<"$OUT")" "v1."

# api-resources: built-ins and the Stork kinds with their short names and scope
run_capture "${SRC[@]}" api-resources
expect_eq "api-resources: exit 0" "$RC" 0
expect_eq "api-resources: header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME SHORTNAMES APIVERSION NAMESPACED KIND"
expect_eq "api-resources: cds row" "$(awk '$1=="clusterdomainsstatuses"' <<<"$OUT" | tr -s ' ')" \
  "clusterdomainsstatuses cds stork.libopenstorage.org/v1alpha1 false ClusterDomainsStatus"
expect_eq "api-resources: cdu row" "$(awk '$1=="clusterdomainupdates"' <<<"$OUT" | tr -s ' ')" \
  "clusterdomainupdates cdu stork.libopenstorage.org/v1alpha1 false ClusterDomainUpdate"
expect_eq "api-resources: migrationschedules row" "$(awk '$1=="migrationschedules"' <<<"$OUT" | tr -s ' ')" \
  "migrationschedules stork.libopenstorage.org/v1alpha1 true MigrationSchedule"
expect_eq "api-resources: statefulsets row" "$(awk '$1=="statefulsets"' <<<"$OUT" | tr -s ' ')" \
  "statefulsets sts apps/v1 true StatefulSet"
run_capture "${SRC[@]}" api-resources --api-group=stork.libopenstorage.org -o name
expect_contains "api-resources -o name" "$OUT" "migrations.stork.libopenstorage.org"

# api-versions
run_capture "${SRC[@]}" api-versions
expect_contains "api-versions: stork" "$OUT" "stork.libopenstorage.org/v1alpha1"
expect_contains "api-versions: apps" "$OUT" "apps/v1"

# get: the table Portworx's runbook shows
run_capture "${SRC[@]}" get pods -n zookeeper
expect_eq "get pods: header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME READY STATUS RESTARTS AGE"
expect_eq "get pods: rows" "$(tail -n +2 <<<"$OUT" | awk '{print $1, $2, $3, $4}')" \
  "$(printf 'zk-0 1/1 Running 0\nzk-1 1/1 Running 0\nzk-2 1/1 Running 0')"
run_capture "${SRC[@]}" get statefulsets -n zookeeper
expect_eq "get sts: header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME READY AGE"
expect_eq "get sts: zk 3/3" "$(awk 'NR==2 {print $1, $2}' <<<"$OUT")" "zk 3/3"
run_capture "${SRC[@]}" get sts -A
expect_eq "get -A: NAMESPACE column" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAMESPACE NAME READY AGE"
run_capture "${SRC[@]}" get pods -n zookeeper -o wide
expect_eq "get -o wide: header" "$(head -1 <<<"$OUT" | tr -s ' ')" \
  "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"
run_capture "${SRC[@]}" get sts zk -n zookeeper -o json
expect_eq "get -o json: replicas" "$(jq -r .spec.replicas <<<"$OUT")" "3"
expect_eq "get -o json: status ready" "$(jq -r .status.readyReplicas <<<"$OUT")" "3"
run_capture "${SRC[@]}" get sts zk -n zookeeper -o yaml
expect_contains "get -o yaml: kind" "$OUT" "kind: StatefulSet"
expect_contains "get -o yaml: serviceName" "$OUT" "serviceName: zk-hs"
expect_eq "get -o name" "$("${SRC[@]}" get sts -n zookeeper -o name)" "statefulset.apps/zk"
expect_eq "get -o jsonpath" "$("${SRC[@]}" get cds px-dr-cluster -o jsonpath='{.status.localDomain}')" "us-east-1a"
expect_eq "get -o custom-columns" \
  "$("${SRC[@]}" get pods -n zookeeper -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,OWNER:.metadata.ownerReferences[0].name --no-headers | tr -s ' ')" \
  "$(printf 'zk-0 Running zk\nzk-1 Running zk\nzk-2 Running zk')"
run_capture "${SRC[@]}" get pods -n zookeeper --sort-by=.metadata.name -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.labels.statefulset\.kubernetes\.io/pod-name}{"\n"}{end}'
expect_eq "pod labels of a statefulset" "$OUT" "$(printf 'zk-0 zk-0\nzk-1 zk-1\nzk-2 zk-2')"
# several kinds at once
run_capture "${SRC[@]}" get sts,pvc -n zookeeper -o name
expect_eq "get several kinds" "$OUT" \
  "$(printf 'statefulset.apps/zk\npersistentvolumeclaim/datadir-zk-0\npersistentvolumeclaim/datadir-zk-1\npersistentvolumeclaim/datadir-zk-2')"

# selectors
expect_eq "label selector" "$("${SRC[@]}" get pods -n zookeeper -l app=zk -o name | wc -l)" "3"
expect_eq "label selector, no match" "$("${SRC[@]}" get pods -n zookeeper -l app=nope -o name | wc -l)" "0"
expect_eq "field selector" "$("${SRC[@]}" get pods -n zookeeper --field-selector metadata.name=zk-1 -o name)" "pod/zk-1"
run_capture "${SRC[@]}" get pods -n zookeeper -l app=nope
expect_eq "empty list message" "$ERR" "No resources found in zookeeper namespace."

# paging: --chunk-size follows continue tokens
expect_eq "chunked list" "$("${SRC[@]}" get pods -n zookeeper --chunk-size=1 -o name | tr '\n' ' ')" "pod/zk-0 pod/zk-1 pod/zk-2 "

# raw paths
expect_eq "get --raw group" "$("${SRC[@]}" get --raw /apis/stork.libopenstorage.org/v1alpha1 | jq -r .groupVersion)" \
  "stork.libopenstorage.org/v1alpha1"
expect_eq "get --raw scale subresource" \
  "$("${SRC[@]}" get --raw /apis/apps/v1/namespaces/zookeeper/statefulsets/zk/scale | jq -r '.kind + " " + (.spec.replicas|tostring)')" \
  "Scale 3"

# describe
run_capture "${SRC[@]}" describe sts zk -n zookeeper
expect_eq "describe: exit 0" "$RC" 0
expect_contains "describe: name" "$OUT" "Name:               zk"
expect_contains "describe: replicas" "$OUT" "Replicas:           3 desired | 3 total"

# contexts: the destination holds the migrated copy at 0 with the count in the annotation
expect_eq "config current-context" "$(kubectl config current-context)" "us-east-1a"
expect_eq "config get-contexts" "$(kubectl config get-contexts -o name | sort | tr '\n' ' ')" "us-east-1a us-east-1b "
expect_eq "destination: local domain" "$("${DST[@]}" get cds px-dr-cluster -o jsonpath='{.status.localDomain}')" "us-east-1b"
run_capture "${DST[@]}" get sts zk -n zookeeper -o json
expect_eq "destination: zk at 0" "$(jq -r .spec.replicas <<<"$OUT")" "0"
expect_eq "destination: migrationReplicas" \
  "$(jq -r '.metadata.annotations["stork.libopenstorage.org/migrationReplicas"]' <<<"$OUT")" "3"
expect_eq "destination: migrationNamespace" \
  "$(jq -r '.metadata.annotations["stork.libopenstorage.org/migrationNamespace"]' <<<"$OUT")" "zookeeper"
expect_eq "destination: migrated label" "$(jq -r '.metadata.labels["stork.libopenstorage.org/migrated"]' <<<"$OUT")" "true"
run_capture "${DST[@]}" get pods -n zookeeper
expect_eq "destination: no pods" "$ERR" "No resources found in zookeeper namespace."

# Stork kinds
run_capture "${SRC[@]}" get cds
expect_eq "get cds: row" "$(awk 'NR==2 {print $1}' <<<"$OUT")" "px-dr-cluster"
run_capture "${SRC[@]}" get cds px-dr-cluster -o json
expect_eq "cds: domains" "$(jq -r '[.status.clusterDomainInfos[] | .name + "=" + .state + "/" + .syncStatus] | join(",")' <<<"$OUT")" \
  "us-east-1a=Active/InSync,us-east-1b=Active/InSync"
run_capture "${SRC[@]}" get migrationschedules -n zookeeper -o json
expect_eq "migrationschedule: pair, policy, namespaces, suspend" \
  "$(jq -r '.items[0] | [.spec.template.spec.clusterPair, .spec.schedulePolicyName, (.spec.template.spec.namespaces|join(",")), (.spec.suspend|tostring)] | join(" ")' <<<"$OUT")" \
  "remotecluster default-migration-policy zookeeper false"
expect_eq "migrationschedule: last Interval item Successful" \
  "$(jq -r '.items[0].status.items.Interval[-1].status' <<<"$OUT")" "Successful"
last="$(jq -r '.items[0].status.items.Interval[-1].name' <<<"$OUT")"
run_capture "${SRC[@]}" get migration "$last" -n zookeeper -o json
expect_eq "migration: Successful/Final" "$(jq -r '.status.status + "/" + .status.stage' <<<"$OUT")" "Successful/Final"
expect_eq "migration: resources all Successful" \
  "$(jq -r '[.status.resources[] | select(.status != "Successful")] | length' <<<"$OUT")" "0"
expect_eq "migration: the statefulset was migrated" \
  "$(jq -r '.status.resources[] | select(.kind=="StatefulSet") | .name' <<<"$OUT")" "zk"
run_capture "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o json
expect_eq "destination: the static copy of the schedule" \
  "$(jq -r '.metadata.annotations["stork.libopenstorage.org/static-copy"] + " " + (.spec.suspend|tostring)' <<<"$OUT")" "true true"
expect_eq "get schedulepolicy" "$("${SRC[@]}" get schedulepolicies -o jsonpath='{.items[*].metadata.name}')" "default-migration-policy"
expect_eq "get clusterpair (short kind name)" "$("${SRC[@]}" get clusterpair -n zookeeper -o name)" \
  "clusterpair.stork.libopenstorage.org/remotecluster"

# NotFound, exactly as kubectl prints it
run_capture "${SRC[@]}" get sts nope -n zookeeper
expect_eq "NotFound: exit 1" "$RC" 1
expect_eq "NotFound: message" "$ERR" 'Error from server (NotFound): statefulsets.apps "nope" not found'
run_capture "${SRC[@]}" get migrationschedule nope -n zookeeper
expect_eq "NotFound: custom resource" "$ERR" \
  'Error from server (NotFound): migrationschedules.stork.libopenstorage.org "nope" not found'
run_capture "${SRC[@]}" get pods -n ghost
expect_eq "missing namespace lists nothing" "$ERR" "No resources found in ghost namespace."
run_capture "${SRC[@]}" get widgets
expect_eq "unknown kind" "$ERR" 'error: the server doesn'"'"'t have a resource type "widgets"'

finish
