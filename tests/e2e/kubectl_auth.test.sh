#!/usr/bin/env bash
# Authentication and authorization failures exactly as kubectl prints them against a real server
# (token mode, a deny list), on the scale seed; and the scale seed as kubectl sees it.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters c1 --token s3cret-token-for-tests --deny patch:statefulsets,list:migrationschedules \
  --seed scale:3:10

# the right token (from the kubeconfig) works; a wrong one is Unauthorized
run_capture kubectl get ns ns-00001 -o name
expect_eq "right token works" "$OUT" "namespace/ns-00001"
run_capture kubectl get ns --token wrong
expect_eq "wrong token: exit 1" "$RC" 1
expect_eq "wrong token: kubectl's message" "$ERR" "error: You must be logged in to the server (Unauthorized)"

# a denied verb is Forbidden, worded as RBAC words it
run_capture kubectl patch sts app-1 -n ns-00001 -p '{"spec":{"replicas":1}}'
expect_eq "denied patch: exit 1" "$RC" 1
expect_eq "denied patch: Forbidden" \
  "$(sed -E 's/User "[^"]+"/User "U"/' <<<"$ERR")" \
  'Error from server (Forbidden): statefulsets.apps "app-1" is forbidden: User "U" cannot patch resource "statefulsets" in API group "apps" in the namespace "ns-00001"'
run_capture kubectl get migrationschedules -A
expect_eq "denied cluster-wide list: Forbidden" \
  "$(sed -E 's/User "[^"]+"/User "U"/' <<<"$ERR")" \
  'Error from server (Forbidden): migrationschedules.stork.libopenstorage.org is forbidden: User "U" cannot list resource "migrationschedules" in API group "stork.libopenstorage.org" at the cluster scope'
run_capture kubectl get migrationschedules -n ns-00001
expect_eq "denied namespaced list: Forbidden" \
  "$(sed -E 's/User "[^"]+"/User "U"/' <<<"$ERR")" \
  'Error from server (Forbidden): migrationschedules.stork.libopenstorage.org is forbidden: User "U" cannot list resource "migrationschedules" in API group "stork.libopenstorage.org" in the namespace "ns-00001"'
# what is not denied still works
expect_eq "get a denied kind by name (get is not list)" \
  "$(kubectl get migrationschedule migrationschedule -n ns-00001 -o jsonpath='{.spec.suspend}')" "true"
expect_eq "get a denied-to-patch kind" "$(kubectl get sts app-1 -n ns-00001 -o name)" "statefulset.apps/app-1"

# the scale seed: 3 namespaces × 10 workloads, half of them migrated
expect_eq "scale seed: namespaces" "$(kubectl get ns -o name | grep -c '^namespace/ns-')" "3"
expect_eq "scale seed: kinds" \
  "$(kubectl get deploy,sts,cronjob -A --no-headers -o custom-columns=K:.kind | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
  "CronJob=6 Deployment=12 StatefulSet=12 "
expect_eq "scale seed: migrated workloads carry a count" \
  "$(kubectl get deploy,sts -A -o json | jq '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"])] | length')" \
  "12"
expect_eq "scale seed: the docs' spelling" \
  "$(kubectl get deploy,sts -A -o json | jq '[.items[] | select(.metadata.annotations["stork.openstorage.org/migrationReplicas"])] | length')" "1"
expect_eq "scale seed: migrationNamespace of ns-00001" \
  "$(kubectl get deploy app-0 -n ns-00001 -o jsonpath='{.metadata.annotations.stork\.libopenstorage\.org/migrationNamespace}')" "ns-00001"
expect_eq "scale seed: un-migrated apps run" "$(kubectl get sts app-1 -n ns-00002 -o jsonpath='{.status.readyReplicas}')" "1"
expect_eq "scale seed: their pods exist" "$(kubectl get pods -n ns-00002 --no-headers | grep -c Running)" "4"

finish
