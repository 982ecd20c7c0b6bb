#!/usr/bin/env bash
# The real kubectl against kube-emulator, writing: create/apply/replace/patch/scale/annotate/label/
# delete, dry runs, rollouts followed by the simulated controllers, and the server's refusals
# (AlreadyExists, Conflict, Invalid, NotFound, strategic merge on a custom resource) worded exactly
# as kubectl prints them against a real API server.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
K=(kubectl --context us-east-1a)

cat >"$E2E_TMP/web.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        env:
        - {name: A, value: "1"}
YAML

# create -f
run_capture "${K[@]}" create -f "$E2E_TMP/web.yaml"
expect_eq "create -f: exit 0" "$RC" 0
expect_eq "create -f: messages" "$OUT" "$(printf 'namespace/web created\ndeployment.apps/web created')"
# the deployment rolls out: ReplicaSet <deploy>-<hash>, pods <rs>-<rand5>, status
run_capture "${K[@]}" rollout status deployment/web -n web --timeout=20s
expect_eq "rollout status: exit 0" "$RC" 0
expect_contains "rollout status: message" "$OUT" 'deployment "web" successfully rolled out'
rs="$("${K[@]}" get rs -n web -o jsonpath='{.items[0].metadata.name}')"
expect_eq "replicaset named <deployment>-<hash>" "$([[ "$rs" =~ ^web-[a-z0-9]{6,10}$ ]] && echo yes)" "yes"
expect_eq "replicaset owned by the deployment" \
  "$("${K[@]}" get rs "$rs" -n web -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')" \
  "Deployment/web"
pods="$("${K[@]}" get pods -n web -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')"
expect_eq "two pods named <rs>-<rand5>" "$(grep -cE "^$rs-[a-z0-9]{5}$" <<<"$pods")" "2"
run_capture "${K[@]}" wait --for=condition=Available deployment/web -n web --timeout=20s
expect_eq "wait --for=condition=Available" "$OUT" "deployment.apps/web condition met"
expect_eq "get deploy: 2/2" "$("${K[@]}" get deploy web -n web --no-headers | awk '{print $2, $3, $4}')" "2/2 2 2"

# AlreadyExists
run_capture "${K[@]}" create -f "$E2E_TMP/web.yaml"
expect_eq "AlreadyExists: exit 1" "$RC" 1
expect_contains "AlreadyExists: message" "$ERR" \
  'Error from server (AlreadyExists): error when creating "'"$E2E_TMP/web.yaml"'": namespaces "web" already exists'
run_capture "${K[@]}" create namespace web
expect_eq "AlreadyExists: create namespace" "$ERR" 'Error from server (AlreadyExists): namespaces "web" already exists'

# apply -f: creates, then configures, then leaves alone
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\ndata:\n  mode: "a"\n' >"$E2E_TMP/cm.yaml"
expect_eq "apply creates" "$("${K[@]}" apply -f "$E2E_TMP/cm.yaml")" "configmap/settings created"
sed -i 's/"a"/"b"/' "$E2E_TMP/cm.yaml"
expect_eq "apply configures" "$("${K[@]}" apply -f "$E2E_TMP/cm.yaml")" "configmap/settings configured"
expect_eq "apply unchanged" "$("${K[@]}" apply -f "$E2E_TMP/cm.yaml")" "configmap/settings unchanged"
expect_eq "apply result" "$("${K[@]}" get cm settings -n web -o jsonpath='{.data.mode}')" "b"

# scale
expect_eq "scale" "$("${K[@]}" scale deployment web -n web --replicas=3)" "deployment.apps/web scaled"
run_capture "${K[@]}" rollout status deployment/web -n web --timeout=20s
expect_eq "scaled deployment rolls out" "$RC" 0
expect_eq "three pods" "$("${K[@]}" get pods -n web -l app=web -o name | wc -l)" "3"
# statefulset scale-down removes the highest ordinal first
expect_eq "scale sts" "$("${K[@]}" scale sts zk -n zookeeper --replicas=2)" "statefulset.apps/zk scaled"
for _ in $(seq 1 50); do
  [ "$("${K[@]}" get pods -n zookeeper -o name | wc -l)" = 2 ] && break
  sleep 0.1
done
expect_eq "sts scale-down keeps zk-0, zk-1" "$("${K[@]}" get pods -n zookeeper -o name | tr '\n' ' ')" "pod/zk-0 pod/zk-1 "
run_capture "${K[@]}" scale sts zk -n zookeeper --replicas=3
run_capture "${K[@]}" rollout status sts/zk -n zookeeper --timeout=20s
expect_eq "sts rollout status" "$RC" 0
expect_contains "sts rollout status message" "$OUT" "partitioned roll out complete"
# scale with a precondition that does not hold
run_capture "${K[@]}" scale deployment web -n web --current-replicas=7 --replicas=1
expect_eq "scale --current-replicas mismatch: exit 1" "$RC" 1
expect_contains "scale --current-replicas mismatch: message" "$ERR" "Expected replicas to be 7, was 3"

# patch: merge, json (with a failing test op), strategic (merges containers and env by name)
expect_eq "patch --type merge" \
  "$("${K[@]}" patch deploy web -n web --type merge -p '{"metadata":{"labels":{"tier":"front"}}}')" \
  "deployment.apps/web patched"
expect_eq "merge patch result" "$("${K[@]}" get deploy web -n web -o jsonpath='{.metadata.labels.tier}')" "front"
"${K[@]}" patch deploy web -n web --type json -p '[{"op":"replace","path":"/spec/replicas","value":1}]' >/dev/null
expect_eq "patch --type json" "$("${K[@]}" get deploy web -n web -o jsonpath='{.spec.replicas}')" "1"
run_capture "${K[@]}" patch deploy web -n web --type json -p '[{"op":"test","path":"/spec/replicas","value":7}]'
expect_eq "json patch test op fails" "$RC" 1
run_capture "${K[@]}" patch deploy web -n web --type strategic \
  -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"B","value":"2"}]}]}}}}'
expect_eq "patch --type strategic" "$OUT" "deployment.apps/web patched"
expect_eq "strategic merge by name" \
  "$("${K[@]}" get deploy web -n web -o jsonpath='{.spec.template.spec.containers[0].env[*].name}')" "A B"
run_capture "${K[@]}" patch deploy web -n web --type merge -p '{"metadata":{"labels":{"tier":"front"}}}'
expect_eq "no-op patch" "$OUT" "deployment.apps/web patched (no change)"
# a new template rolls out a second ReplicaSet; the old one goes to 0
run_capture "${K[@]}" rollout status deployment/web -n web --timeout=20s
expect_eq "template change rolls out" "$RC" 0
expect_eq "two replicasets, one active" \
  "$("${K[@]}" get rs -n web -o jsonpath='{range .items[*]}{.spec.replicas}{"\n"}{end}' | sort | tr '\n' ' ')" "0 1 "
expect_eq "deployment revision 2" \
  "$("${K[@]}" get deploy web -n web -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')" "2"
# the Deployment's annotations reach its current ReplicaSet, but for last-applied-configuration
# (and the controller's own): the CHANGE-CAUSE of rollout history; undo makes revision 3
"${K[@]}" annotate deploy web -n web kubernetes.io/change-cause="add env B" \
  kubectl.kubernetes.io/last-applied-configuration='{}' >/dev/null
for _ in $(seq 1 50); do
  "${K[@]}" rollout history deployment/web -n web | grep -q '^2 *add env B$' && break
  sleep 0.1
done
expect_eq "rollout history: change-cause from the deployment's annotation" \
  "$("${K[@]}" rollout history deployment/web -n web | sed 's/ *$//')" \
  "$(printf 'deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>\n2         add env B\n')"
current_rs() { "${K[@]}" get rs -n web -o json | jq -r '.items[] | select(.spec.replicas > 0) | .metadata.name'; }
expect_eq "current replicaset: the deployment's annotations, not last-applied-configuration" \
  "$("${K[@]}" get rs "$(current_rs)" -n web -o json | jq -c '.metadata.annotations | keys')" \
  '["deployment.kubernetes.io/desired-replicas","deployment.kubernetes.io/max-replicas","deployment.kubernetes.io/revision","kubernetes.io/change-cause"]'
expect_eq "rollout undo" "$("${K[@]}" rollout undo deployment/web -n web --to-revision=1)" "deployment.apps/web rolled back"
run_capture "${K[@]}" rollout status deployment/web -n web --timeout=20s
expect_eq "undo rolls out" "$RC" 0
expect_eq "undo reuses the first replicaset: revision 3, revision-history 1" \
  "$("${K[@]}" get rs "$rs" -n web -o jsonpath='{.spec.replicas} {.metadata.annotations.deployment\.kubernetes\.io/revision} {.metadata.annotations.deployment\.kubernetes\.io/revision-history}')" \
  "1 3 1"
expect_eq "rollout history after undo" \
  "$("${K[@]}" rollout history deployment/web -n web | sed 's/ *$//')" \
  "$(printf 'deployment.apps/web\nREVISION  CHANGE-CAUSE\n2         add env B\n3         <none>\n')"
run_capture "${K[@]}" patch migrationschedule migrationschedule -n zookeeper --type strategic -p '{"spec":{"suspend":true}}'
expect_eq "strategic on a custom resource: exit 1" "$RC" 1
expect_contains "strategic on a custom resource: 415" "$ERR" \
  "application/strategic-merge-patch+json is not supported by stork.libopenstorage.org/v1alpha1, Kind=MigrationSchedule"
run_capture "${K[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge -p '{"spec":{"suspend":true}}'
expect_eq "merge patch on a custom resource" "$OUT" "migrationschedule.stork.libopenstorage.org/migrationschedule patched"

# annotate and label (and their removal and --overwrite rule)
expect_eq "annotate" "$("${K[@]}" annotate deploy web -n web note=hello)" "deployment.apps/web annotated"
expect_eq "label" "$("${K[@]}" label deploy web -n web env=prod)" "deployment.apps/web labeled"
expect_eq "annotate+label result" \
  "$("${K[@]}" get deploy web -n web -o jsonpath='{.metadata.annotations.note}/{.metadata.labels.env}')" "hello/prod"
run_capture "${K[@]}" label deploy web -n web env=dev
expect_eq "label without --overwrite" "$ERR" \
  "error: 'env' already has a value (prod), and --overwrite is false"
expect_eq "label removal" "$("${K[@]}" label deploy web -n web env-)" "deployment.apps/web unlabeled"
expect_eq "annotate a custom resource" \
  "$("${K[@]}" annotate migrationschedule migrationschedule -n zookeeper owner=dr-team)" \
  "migrationschedule.stork.libopenstorage.org/migrationschedule annotated"

# replace with a stale resourceVersion: Conflict
"${K[@]}" get cm settings -n web -o json >"$E2E_TMP/stale.json"
"${K[@]}" annotate cm settings -n web bump=1 >/dev/null
run_capture "${K[@]}" replace -f "$E2E_TMP/stale.json"
expect_eq "stale replace: exit 1" "$RC" 1
expect_contains "stale replace: Conflict" "$ERR" \
  'Error from server (Conflict): error when replacing "'"$E2E_TMP/stale.json"'": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again'
"${K[@]}" get cm settings -n web -o json | jq '.data.mode = "c"' >"$E2E_TMP/fresh.json"
expect_eq "replace with the current resourceVersion" "$("${K[@]}" replace -f "$E2E_TMP/fresh.json")" "configmap/settings replaced"
# a forced conflict (another writer, simulated) meets only a write with a resourceVersion
# precondition: kubectl annotate (a patch without one) goes through, replace gets the 409
emulator_admin us-east-1a POST /emulator/conflicts \
  '{"resource":"configmaps","namespace":"web","name":"settings","count":1}' >/dev/null
expect_eq "forced conflict: a patch without a resourceVersion goes through" \
  "$("${K[@]}" annotate cm settings -n web bump=2 --overwrite)" "configmap/settings annotated"
"${K[@]}" get cm settings -n web -o json >"$E2E_TMP/fresh.json"
run_capture "${K[@]}" replace -f "$E2E_TMP/fresh.json"
expect_contains "forced conflict: replace (with its resourceVersion) gets 409" "$ERR" \
  'Error from server (Conflict): error when replacing "'"$E2E_TMP/fresh.json"'": Operation cannot be fulfilled on configmaps "settings": the object has been modified'
expect_eq "forced conflict: consumed" "$("${K[@]}" replace -f "$E2E_TMP/fresh.json")" "configmap/settings replaced"

# Invalid (422), as kubectl prints it
run_capture "${K[@]}" patch deploy web -n web --type merge -p '{"spec":{"replicas":-1}}'
expect_eq "Invalid replicas: message" "$ERR" \
  'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: web\n' >"$E2E_TMP/bad.yaml"
run_capture "${K[@]}" create -f "$E2E_TMP/bad.yaml"
expect_eq "Invalid name: exit 1" "$RC" 1
expect_contains "Invalid name: message" "$ERR" \
  'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters'
run_capture "${K[@]}" scale deployment web -n web --replicas=-1
expect_eq "negative --replicas refused" "$RC" 1

# create -f of a kind: List (YAML and JSON): kubectl validates it client-side against /openapi/v2
# (the emulator's has no definitions, so nothing is checked there), then creates each item with
# fieldValidation=Strict, which the emulator honours
cat >"$E2E_TMP/list.yaml" <<'YAML'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: list-a, namespace: web}
  data: {k: a}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: list-b, namespace: web}
YAML
run_capture "${K[@]}" create -f "$E2E_TMP/list.yaml"
expect_eq "create -f kind: List (YAML)" "$OUT$ERR" "$(printf 'configmap/list-a created\nconfigmap/list-b created')"
expect_eq "the List's items exist" "$("${K[@]}" get cm list-a list-b -n web -o jsonpath='{.items[*].metadata.name}')" "list-a list-b"
jq -n '{apiVersion: "v1", kind: "List", items: [
  {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "list-c", namespace: "web"}},
  {apiVersion: "apps/v1", kind: "Deployment", metadata: {name: "list-d", namespace: "web"},
   spec: {replicas: 0, selector: {matchLabels: {app: "list-d"}},
          template: {metadata: {labels: {app: "list-d"}}, spec: {containers: [{name: "c", image: "nginx:1.27"}]}}}}]}' \
  >"$E2E_TMP/list.json"
run_capture "${K[@]}" create -f "$E2E_TMP/list.json"
expect_eq "create -f kind: List (JSON)" "$OUT$ERR" "$(printf 'configmap/list-c created\ndeployment.apps/list-d created')"
# an unknown field in a List item: refused by the server (Strict), as kube-apiserver does
jq '.items[0].metadata.name = "list-e" | .items[0].colour = "red" | .items |= .[:1]' "$E2E_TMP/list.json" >"$E2E_TMP/bad-list.json"
run_capture "${K[@]}" create -f "$E2E_TMP/bad-list.json"
expect_eq "List item with an unknown field: exit 1" "$RC" 1
expect_eq "List item with an unknown field: strict decoding error" "$ERR" \
  'Error from server (BadRequest): error when creating "'"$E2E_TMP/bad-list.json"'": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "colour"'
# --validate=warn: created without the unknown field, with the server's warning
run_capture "${K[@]}" create -f "$E2E_TMP/bad-list.json" --validate=warn
expect_eq "--validate=warn: created" "$OUT" "configmap/list-e created"
expect_contains "--validate=warn: the server's warning" "$ERR" 'Warning: unknown field "colour"'
expect_eq "--validate=warn: the unknown field dropped" "$("${K[@]}" get cm list-e -n web -o json | jq 'has("colour")')" "false"

# a namespace that does not exist
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ghost\n' >"$E2E_TMP/ghost.yaml"
run_capture "${K[@]}" create -f "$E2E_TMP/ghost.yaml"
expect_contains "create in a missing namespace" "$ERR" \
  'Error from server (NotFound): error when creating "'"$E2E_TMP/ghost.yaml"'": namespaces "ghost" not found'

# create from stdin, several objects; then a dry run persists nothing
for i in 1 2 3; do printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%s\n  namespace: web\n---\n' "$i"; done >"$E2E_TMP/many.yaml"
expect_eq "create -f - (three objects)" "$("${K[@]}" create -f - <"$E2E_TMP/many.yaml" | wc -l)" "3"
expect_eq "delete --dry-run=server" "$("${K[@]}" delete cm c1 -n web --dry-run=server)" 'configmap "c1" deleted (server dry run)'
expect_eq "dry run kept it" "$("${K[@]}" get cm c1 -n web -o name)" "configmap/c1"
expect_eq "create --dry-run=server" \
  "$("${K[@]}" create configmap dry -n web --from-literal=a=b --dry-run=server -o jsonpath='{.metadata.name}')" "dry"
run_capture "${K[@]}" get cm dry -n web
expect_eq "server dry run created nothing" "$ERR" 'Error from server (NotFound): configmaps "dry" not found'

# delete: one, by label, and NotFound; deleting a statefulset takes its pods along
expect_eq "delete" "$("${K[@]}" delete cm settings -n web)" 'configmap "settings" deleted'
run_capture "${K[@]}" delete cm settings -n web
expect_eq "delete NotFound" "$ERR" 'Error from server (NotFound): configmaps "settings" not found'
"${K[@]}" label cm c2 c3 -n web batch=x >/dev/null
expect_eq "delete -l" "$("${K[@]}" delete cm -n web -l batch=x | sort | tr '\n' ' ')" \
  'configmap "c2" deleted configmap "c3" deleted '
expect_eq "delete --ignore-not-found" "$("${K[@]}" delete cm settings -n web --ignore-not-found)" ""
expect_eq "delete sts" "$("${K[@]}" delete sts zk -n zookeeper)" 'statefulset.apps "zk" deleted'
for _ in $(seq 1 50); do
  [ "$("${K[@]}" get pods -n zookeeper -o name | wc -l)" = 0 ] && break
  sleep 0.1
done
expect_eq "the statefulset's pods are collected" "$("${K[@]}" get pods -n zookeeper -o name)" ""
expect_eq "delete namespace" "$("${K[@]}" delete namespace web --wait=true --timeout=20s)" 'namespace "web" deleted'
run_capture "${K[@]}" get deploy -n web
expect_eq "the namespace's objects are gone" "$ERR" "No resources found in web namespace."

finish
