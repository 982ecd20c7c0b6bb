#!/usr/bin/env bash
# On the real control plane (DR_E2E_BACKEND=real; skipped otherwise): RBAC decides, not a deny
# list. A user "dr-viewer" bound to a ClusterRole that may read but not patch, impersonated with
# --as: status works, activation is refused with the API server's own 403 Status, nothing changes;
# once a Role grants patch in the namespace, the same command succeeds.
source "$(dirname "$0")/../e2e/lib.sh"
if [ "$DR_E2E_BACKEND" != real ]; then echo "SKIP: needs the real control plane (DR_E2E_BACKEND=real)"; finish; exit 0; fi
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
DST=(--context us-east-1b)

kubectl "${DST[@]}" apply -f - >/dev/null <<'EOF'
{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"dr-viewer"},
  "rules":[{"apiGroups":["","apps","batch","stork.libopenstorage.org","apiextensions.k8s.io"],"resources":["*"],"verbs":["get","list","watch"]}]},
 {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"dr-viewer"},
  "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"dr-viewer"},
  "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"dr-viewer"}]}]}
EOF
AS=(--as dr-viewer)
# RBAC's authorizer sees the binding once its informer has it: wait for it (bounded)
for _ in $(seq 1 120); do [ "$(kubectl "${DST[@]}" auth can-i list statefulsets -n zookeeper "${AS[@]}" 2>/dev/null)" = yes ] && break; sleep 0.5; done
expect_eq "kubectl auth can-i: may list" "$(kubectl "${DST[@]}" auth can-i list statefulsets -n zookeeper "${AS[@]}" || true)" "yes"
expect_eq "kubectl auth can-i: may not patch" "$(kubectl "${DST[@]}" auth can-i patch statefulsets -n zookeeper "${AS[@]}" || true)" "no"

run_capture kubectl dr status "${DST[@]}" "${AS[@]}"
expect_eq "status as the viewer: exit 0" "$RC" 0
expect_contains "status as the viewer: the domains" "$OUT" "px-dr-cluster"

run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" "${AS[@]}"
expect_eq "activate as the viewer: exit 1" "$RC" 1
expect_contains "activate as the viewer: the API server's 403, verbatim" "$ERR" \
  'Error updating replicas for statefulset zookeeper/zk : Error from server (Forbidden): statefulsets.apps "zk" is forbidden: User "dr-viewer" cannot patch resource "statefulsets" in API group "apps" in the namespace "zookeeper"'
expect_eq "activate as the viewer: zk untouched" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}')" "0"

run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" "${AS[@]}" -o json
expect_eq "-o json as the viewer: exit 1" "$RC" 1
expect_eq "-o json: zk failed" "$(jq -r '.items[] | select(.name == "zk") | .outcome' <<<"$OUT")" "failed"
expect_contains "-o json: the 403 in the item" "$(jq -r '.items[] | select(.name == "zk") | .error' <<<"$OUT")" \
  'cannot patch resource "statefulsets" in API group "apps" in the namespace "zookeeper"'

run_capture kubectl dr deactivate clusterdomain us-east-1a "${DST[@]}" "${AS[@]}"
expect_eq "deactivate clusterdomain as the viewer: exit 1" "$RC" 1
expect_contains "deactivate clusterdomain as the viewer: cannot create" "$ERR" \
  'User "dr-viewer" cannot create resource "clusterdomainupdates" in API group "stork.libopenstorage.org" at the cluster scope'

run_capture kubectl dr suspend migrationschedule migrationschedule -n zookeeper "${DST[@]}" "${AS[@]}"
expect_eq "suspend as the viewer: exit 1" "$RC" 1
expect_contains "suspend as the viewer: cannot patch" "$ERR" \
  'User "dr-viewer" cannot patch resource "migrationschedules" in API group "stork.libopenstorage.org" in the namespace "zookeeper"'

# grant patch on workloads and schedules in the namespace: the same command now works
kubectl "${DST[@]}" apply -f - >/dev/null <<'EOF'
{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"dr-operator","namespace":"zookeeper"},
  "rules":[{"apiGroups":["apps"],"resources":["statefulsets","deployments","replicasets"],"verbs":["patch","update"]},
           {"apiGroups":["batch"],"resources":["cronjobs"],"verbs":["patch","update"]},
           {"apiGroups":["stork.libopenstorage.org"],"resources":["migrationschedules"],"verbs":["patch","update"]}]},
 {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"dr-operator","namespace":"zookeeper"},
  "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"dr-operator"},
  "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"dr-viewer"}]}]}
EOF
for _ in $(seq 1 120); do [ "$(kubectl "${DST[@]}" auth can-i patch statefulsets -n zookeeper "${AS[@]}" 2>/dev/null)" = yes ] && break; sleep 0.5; done
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" "${AS[@]}" --wait --timeout 180s
expect_eq "activate once granted: exit 0" "$RC" 0
expect_contains "activate once granted: storkctl's line" "$OUT" "Updated replicas for statefulset zookeeper/zk to 3"
expect_eq "zk at 3 and ready" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.spec.replicas} {.status.readyReplicas}')" "3 3"

finish
