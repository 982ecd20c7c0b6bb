#!/usr/bin/env bash
# On the real control plane (DR_E2E_BACKEND=real; skipped otherwise): more kinds on the source of
# the zookeeper-failover seed, a migration run by the Stork simulation (storksim) that copies them
# to the destination at 0 replicas, then activation and deactivation of every supported kind there
# (Deployment, StatefulSet, owner-less ReplicaSet, CronJob, a custom resource declared by an
# ApplicationRegistration) with --wait against the real controllers (pods scheduled by
# kube-scheduler, made Running and Ready by kwok), --dry-run=server, and -o json.
source "$(dirname "$0")/../e2e/lib.sh"
if [ "$DR_E2E_BACKEND" != real ]; then echo "SKIP: needs the real control plane (DR_E2E_BACKEND=real)"; finish; exit 0; fi
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
SRC=(--context us-east-1a)
DST=(--context us-east-1b)

# wait_for SECONDS CMD...: polls CMD (bounded), true once it succeeds.
wait_for() {
  local limit=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $limit ] || return 1; sleep 0.5; done
}
jsonpath() { kubectl "$1" "$2" get "$3" "$4" -n zookeeper -o jsonpath="$5"; }

# --- on the source: a Deployment at 2, a CronJob, a ConfigMap beside zk
kubectl "${SRC[@]}" apply -n zookeeper -f - >/dev/null <<'EOF'
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"zookeeper"},
 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
         "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}
EOF
kubectl "${SRC[@]}" apply -n zookeeper -f - >/dev/null <<'EOF'
{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"report","namespace":"zookeeper"},
 "spec":{"schedule":"*/15 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
         "containers":[{"name":"report","image":"busybox:1.36","command":["date"]}]}}}}}}
EOF
kubectl "${SRC[@]}" create configmap app-config -n zookeeper --from-literal=mode=dr >/dev/null
check "source: web's 2 pods become ready (kube-scheduler + kwok)" \
  kubectl "${SRC[@]}" rollout status deployment/web -n zookeeper --timeout=180s

# --- the migration: what Stork's controller does when the schedule fires
run_capture emulator_admin us-east-1a POST /emulator/sim/migrate '{"namespace":"zookeeper","schedule":"migrationschedule"}'
expect_eq "migration: Successful" "$(jq -r .status <<<"$OUT")" "Successful"
expect_eq "migration: zk, web, report, app-config (the seed has no Services: the emulator serves none)" "$(jq -r .resources <<<"$OUT")" "4"
expect_eq "destination: web at 0" "$(jsonpath "${DST[@]}" deploy web '{.spec.replicas}')" "0"
expect_eq "destination: web keeps its count" \
  "$(jsonpath "${DST[@]}" deploy web '{.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "2"
expect_eq "destination: report suspended" "$(jsonpath "${DST[@]}" cronjob report '{.spec.suspend}')" "true"
expect_eq "destination: app-config copied" "$(jsonpath "${DST[@]}" configmap app-config '{.data.mode}')" "dr"
expect_eq "source: schedule status lists the migration" \
  "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o json | jq -r '.status.items.Interval[-1].status')" "Successful"

# --- on the destination: an owner-less ReplicaSet and a Kafka declared by an ApplicationRegistration
MIG='"stork.libopenstorage.org/migrated":"true","stork.libopenstorage.org/migrationNamespace":"zookeeper"'
kubectl "${DST[@]}" create -f - >/dev/null <<EOF
{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"kafkas.kafka.strimzi.io"},
  "spec":{"group":"kafka.strimzi.io","scope":"Namespaced","names":{"plural":"kafkas","singular":"kafka","kind":"Kafka","listKind":"KafkaList"},
          "versions":[{"name":"v1beta2","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
EOF
kubectl "${DST[@]}" wait --for=condition=Established crd/kafkas.kafka.strimzi.io --timeout=60s >/dev/null
wait_for 60 kubectl "${DST[@]}" get kafkas -n zookeeper
kubectl "${DST[@]}" create -f - >/dev/null <<EOF
{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"lone","namespace":"zookeeper",
   "annotations":{$MIG,"stork.libopenstorage.org/migrationReplicas":"2"}},
  "spec":{"replicas":0,"selector":{"matchLabels":{"app":"lone"}},
          "template":{"metadata":{"labels":{"app":"lone"}},"spec":{"containers":[{"name":"main","image":"nginx"}]}}}}
EOF
kubectl "${DST[@]}" create -f - >/dev/null <<EOF
{"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ApplicationRegistration","metadata":{"name":"kafka"},
  "resources":[{"group":"kafka.strimzi.io","version":"v1beta2","kind":"Kafka","keepStatus":false,
                "suspendOptions":{"path":"spec.kafka.replicas","type":"int"}}]}
EOF
kubectl "${DST[@]}" create -f - >/dev/null <<EOF
{"apiVersion":"kafka.strimzi.io/v1beta2","kind":"Kafka","metadata":{"name":"events","namespace":"zookeeper",
   "annotations":{$MIG,"stork.libopenstorage.org/spec.kafka.replicas":"3,0"}},"spec":{"kafka":{"replicas":0}}}
EOF

# --- dry-run=server: the API server runs the patches and persists nothing
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --dry-run=server -o json
expect_eq "dry-run=server exits 0" "$RC" 0
expect_eq "dry-run=server: what it would change" \
  "$(jq -c '[.items[] | select(.outcome == "planned" or .outcome == "updated") | [.kind, .name, .to]] | sort' <<<"$OUT")" \
  '[["CronJob","report","false"],["Deployment","web","2"],["Kafka","events","3"],["ReplicaSet","lone","2"],["StatefulSet","zk","3"]]'
expect_eq "dry-run=server: web still at 0" "$(jsonpath "${DST[@]}" deploy web '{.spec.replicas}')" "0"
expect_eq "dry-run=server: zk still at 0" "$(jsonpath "${DST[@]}" sts zk '{.spec.replicas}')" "0"

# --- activate with --wait: every kind at its count, the pods really Ready
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --wait --timeout 180s
expect_eq "activate --wait exits 0" "$RC" 0
expect_contains "activate: storkctl's line for the statefulset" "$OUT" "Updated replicas for statefulset zookeeper/zk to 3"
expect_contains "activate: storkctl's line for the deployment" "$OUT" "Updated replicas for deployment zookeeper/web to 2"
expect_contains "activate: storkctl's line for the replicaset" "$OUT" "Updated replicas for replicaset zookeeper/lone to 2"
expect_contains "activate: storkctl's line for the custom resource" "$OUT" "Updated CR for kafka zookeeper/events"
expect_contains "activate: storkctl's line for the cronjob" "$OUT" "Updated suspend option for cronjob zookeeper/report to false"
expect_contains "--wait: the workloads are ready" "$ERR" "All workloads are ready"
expect_eq "zk: 3 ready (StatefulSet controller, claims bound, kwok)" "$(jsonpath "${DST[@]}" sts zk '{.status.readyReplicas}')" "3"
expect_eq "web: 2 ready" "$(jsonpath "${DST[@]}" deploy web '{.status.readyReplicas}')" "2"
expect_eq "lone: 2 ready" "$(jsonpath "${DST[@]}" rs lone '{.status.readyReplicas}')" "2"
expect_eq "events: 3" "$(kubectl "${DST[@]}" get kafka events -n zookeeper -o jsonpath='{.spec.kafka.replicas}')" "3"
expect_eq "report resumed" "$(jsonpath "${DST[@]}" cronjob report '{.spec.suspend}')" "false"
expect_eq "7 pods Running on the destination" \
  "$(kubectl "${DST[@]}" get pods -n zookeeper -o json | jq '[.items[] | select(.status.phase == "Running")] | length')" "7"

# --- re-run: unchanged
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" -o json
expect_eq "re-run exits 0" "$RC" 0
expect_eq "re-run: nothing updated" "$(jq '.summary.updated' <<<"$OUT")" "0"

# --- deactivate with --wait: all at 0, counts kept, pods gone
run_capture kubectl dr deactivate migration -n zookeeper "${DST[@]}" --wait --timeout 180s
expect_eq "deactivate --wait exits 0" "$RC" 0
expect_contains "deactivate --wait: stopped" "$ERR" "All workloads are at 0 replicas"
expect_eq "zk at 0, count kept" \
  "$(jsonpath "${DST[@]}" sts zk '{.spec.replicas} {.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "0 3"
expect_eq "web at 0, count kept" \
  "$(jsonpath "${DST[@]}" deploy web '{.spec.replicas} {.metadata.annotations.stork\.libopenstorage\.org/migrationReplicas}')" "0 2"
expect_eq "report suspended again" "$(jsonpath "${DST[@]}" cronjob report '{.spec.suspend}')" "true"
no_pods() { [ "$(kubectl "${DST[@]}" get pods -n zookeeper -o json | jq '.items | length')" = 0 ]; }
check "the pods go away (graceful deletion finished by kwok)" wait_for 120 no_pods

finish
