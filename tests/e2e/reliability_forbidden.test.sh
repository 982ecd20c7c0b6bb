#!/usr/bin/env bash
# 403 in some namespaces: patches refused in two namespaces, a list refused in a third. The other
# namespaces are activated anyway; the report names every refused object with the permission it
# lacks (verb, resource, API group, namespace), the command exits 1, and once the permission is
# granted a re-run finishes the job.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:6:10 \
  --deny patch:statefulsets:ns-00002,patch:deployments:ns-00002,patch:deployments:ns-00004,list:deployments:ns-00005
NAMESPACES=ns-00001,ns-00002,ns-00003,ns-00004,ns-00005,ns-00006

annotated() {
  kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"])
    | {kind, namespace: .metadata.namespace, name: .metadata.name, replicas: .spec.replicas,
       count: ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber)}]'
}
refused_patch() {  # what the deny list refuses to patch: ns-00002 sts+deploy, ns-00004 deploy
  jq -c '[.[] | select((.namespace == "ns-00002") or (.namespace == "ns-00004" and .kind == "Deployment"))]'
}

run_capture kubectl dr activate migration --include-namespaces "$NAMESPACES" -o json
expect_eq "partly refused: exit 1" "$RC" 1
state="$(annotated)"
expect_eq "partly refused: every allowed workload activated" \
  "$(jq '[.[] | select(.namespace != "ns-00002" and .namespace != "ns-00005" and (.namespace != "ns-00004" or .kind != "Deployment") and .replicas != .count)] | length' <<<"$state")" 0
expect_eq "partly refused: the refused ones untouched" \
  "$(refused_patch <<<"$state" | jq '[.[] | select(.replicas != 0)] | length')" 0
expect_eq "partly refused: deployments in ns-00005 (list refused) untouched" \
  "$(jq '[.[] | select(.namespace == "ns-00005" and .kind == "Deployment" and .replicas != 0)] | length' <<<"$state")" 0
expect_eq "partly refused: ns-00005's statefulsets activated" \
  "$(jq '[.[] | select(.namespace == "ns-00005" and .kind == "StatefulSet" and .replicas != .count)] | length' <<<"$state")" 0

# every refused object is in the report, failed, with the permission it lacks
want="$(refused_patch <<<"$state" | jq -c '[.[] | [.kind, .namespace, .name]] | sort')"
got="$(jq -c '[.items[] | select(.outcome == "failed") | [.kind, .namespace, .name]] | sort' <<<"$OUT")"
expect_eq "report: exactly the refused objects failed" "$got" "$want"
bad_messages="$(jq -r '.items[] | select(.outcome == "failed") |
  (.kind | ascii_downcase + "s") as $plural | .namespace as $ns |
  select((.error | contains("Error from server (Forbidden)")) and
         (.error | contains("cannot patch resource \"" + $plural + "\" in API group \"apps\" in the namespace \"" + $ns + "\"")) | not) | .name' <<<"$OUT")"
expect_eq "report: each failure names verb, resource, group and namespace" "$bad_messages" ""
check "report: the refused list is an error naming the namespace and the permission" jq -e \
  '[.errors[] | select(contains("cannot list resource \"deployments\" in API group \"apps\" in the namespace \"ns-00005\""))] | length == 1' <<<"$OUT"
expect_eq "report: summary.failed counts objects and the list" "$(jq '.summary.failed' <<<"$OUT")" "$(($(jq length <<<"$want") + 1))"

# the same in table form: one storkctl-style failure line per refused object, on stderr
kubectl patch sts -n ns-00001 app-6 --type merge -p '{"spec":{"replicas":0}}' >/dev/null
run_capture kubectl dr activate migration --include-namespaces "$NAMESPACES"
expect_eq "table form: exit 1" "$RC" 1
expect_eq "table form: one failure line per refused object" \
  "$(grep -c '^Error updating replicas for .* : Error from server (Forbidden): .* is forbidden: User ".*" cannot patch resource' <<<"$ERR")" \
  "$(jq length <<<"$want")"
expect_contains "table form: the refused list" "$ERR" 'cannot list resource "deployments" in API group "apps" in the namespace "ns-00005"'
expect_eq "table form: the allowed one re-activated" "$(grep -c '^Updated replicas for statefulset ns-00001/app-6 to' <<<"$OUT")" 1
check "table form: refusals are not on stdout" bash -c '! grep -q Forbidden <<<"$1"' _ "$OUT"
expect_contains "table form: the summary counts them" "$ERR" "$(($(jq length <<<"$want") + 1)) failed)"

# deactivate apps: refused in ns-00002; elsewhere every workload stops with its count recorded
run_capture kubectl dr deactivate apps --include-namespaces ns-00001,ns-00002,ns-00003 -o json
expect_eq "deactivate apps partly refused: exit 1" "$RC" 1
expect_eq "deactivate apps: refused ones report Forbidden" \
  "$(jq '[.items[] | select(.outcome == "failed" and .namespace != "ns-00002")] | length' <<<"$OUT")" 0
check "deactivate apps: ns-00002's failures are all Forbidden" jq -e \
  '[.items[] | select(.namespace == "ns-00002" and .outcome == "failed")] | length > 0 and all(.error | contains("Forbidden"))' <<<"$OUT"
expect_eq "deactivate apps: allowed namespaces all at 0 with a count" \
  "$(kubectl get sts,deploy -n ns-00001 -o json | jq '[.items[] | select(.spec.replicas != 0 or .metadata.annotations["stork.libopenstorage.org/migrationReplicas"] == null)] | length')" 0

# granted: a re-run finishes
emulator_admin dst DELETE /emulator/deny >/dev/null
run_capture kubectl dr activate migration --include-namespaces "$NAMESPACES"
expect_eq "after the grant: exit 0" "$RC" 0
expect_eq "after the grant: every workload at its count" "$(annotated | jq '[.[] | select(.replicas != .count)] | length')" 0

finish
