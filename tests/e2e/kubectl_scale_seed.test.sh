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
# A guard against a quadratic seed only, not a timing test: it is ~0.6 s in a Release build and
# ~4-5 s under ASan+UBSan on a 2-core machine (a quadratic one would take many minutes).
check "seeding 10,000 workloads takes well under 30 s" jq -e '.seed_ms < 30000' <<<"$EMU_INFO"

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

# Compression as kube-apiserver does it: gzip only, only for answers over 128 KiB.
dir="$(jq -r '.state_dir' <<<"$EMU_INFO")"
headers_of() {  # headers_of ACCEPT-ENCODING PATH: the answer's headers, lower-cased
  curl -sS -o "$E2E_TMP/body" -D - --cacert "$dir/ca.crt" --cert "$dir/admin.crt" --key "$dir/admin.key" \
    -H "Accept-Encoding: $1" "$(emulator_url dst)$2" | tr -d '\r' | tr 'A-Z' 'a-z'
}
big="$(headers_of gzip '/apis/apps/v1/deployments?limit=500')"
check "a 500-object page is gzipped for a client that accepts gzip" grep -qx 'content-encoding: gzip' <<<"$big"
expect_eq "the gzipped page decodes to 500 items" "$(gunzip -c "$E2E_TMP/body" | jq '.items | length')" 500
small="$(headers_of gzip '/apis/apps/v1/deployments?limit=2')"
check "a small answer is not compressed" bash -c "! grep -q '^content-encoding' <<<\"\$1\"" _ "$small"
expect_eq "the small answer is plain JSON" "$(jq '.items | length' "$E2E_TMP/body")" 2
brotli="$(headers_of br '/apis/apps/v1/deployments?limit=500')"
check "brotli is never offered" bash -c "! grep -q '^content-encoding' <<<\"\$1\"" _ "$brotli"
refused="$(headers_of 'gzip;q=0, identity' '/apis/apps/v1/deployments?limit=500')"
check "gzip;q=0 is honoured" bash -c "! grep -q '^content-encoding' <<<\"\$1\"" _ "$refused"
expect_eq "the uncompressed page has its 500 items" "$(jq '.items | length' "$E2E_TMP/body")" 500

finish
