#!/usr/bin/env bash
# The scale seed: 100 namespaces x 100 workloads created in-process before the server starts, the
# time it took in the ready line ("seed_ms", next to the fields scripts read), and the real kubectl
# listing all 10,000 of them.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:100:100

expect_eq "ready line: its fields" "$(jq -c 'keys' <<<"$EMU_INFO")" '["clusters","kubeconfig","seed_ms","state_dir"]'
expect_eq "ready line: the cluster's port and server" \
  "$(jq -r '.clusters.dst | "\(.port | type) \(.server | startswith("https://127.0.0.1:"))"' <<<"$EMU_INFO")" "number true"
check "ready line: seed_ms is a duration in milliseconds" jq -e '.seed_ms | type == "number" and . > 0' <<<"$EMU_INFO"
echo "# seeding 10,000 workloads took $(jq .seed_ms <<<"$EMU_INFO") ms"
# An order-of-magnitude guard only (it is ~0.3 s on a busy 2-core machine): the test must not flake.
check "seeding 10,000 workloads takes well under 5 s" jq -e '.seed_ms < 5000' <<<"$EMU_INFO"

expect_eq "100 seeded namespaces" "$(kubectl get ns -o name | grep -c '^namespace/ns-')" 100
counts="$(kubectl get deploy,sts,cronjobs -A -o json | jq -c '[.items[].kind] | group_by(.) | map({(.[0]): length}) | add')"
expect_eq "10,000 workloads: 4,000 deployments, 4,000 statefulsets, 2,000 cronjobs" "$counts" \
  '{"CronJob":2000,"Deployment":4000,"StatefulSet":4000}'
# the running ones have their dependents, converged: a Deployment's ReplicaSet and pods are ready
running="$(kubectl get deploy -n ns-00001 -o json | jq -r '[.items[] | select(.spec.replicas > 0)][0].metadata.name')"
expect_eq "a running seeded deployment is available" \
  "$(kubectl get deploy "$running" -n ns-00001 -o jsonpath='{.status.readyReplicas}/{.spec.replicas}')" "1/1"
expect_eq "its ReplicaSet is owned by it" \
  "$(kubectl get rs -n ns-00001 -l app="$running" -o jsonpath='{.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}')" \
  "Deployment/$running"

finish
