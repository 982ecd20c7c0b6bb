#!/usr/bin/env bash
# activate/deactivate migration on the destination of the zookeeper-failover seed plus a namespace
# "shop" holding every other kind storkctl handles: CronJobs (Stork-migrated, operator-paused,
# running), a ReplicaSet without owners, a Deployment whose ReplicaSet carries the annotation too,
# and a custom resource declared by an ApplicationRegistration. Checks storkctl's messages, the
# MigrationSchedule applicationActivated update, the unsuspended-schedule warning, --wait, -o json,
# the summary line, that kinds not served are skipped without a word, and the narrowing errors.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
# log_since CLUSTER MARK: the emulator's request log after the request `kubectl get namespace MARK`.
mark_log() { kubectl --context "$1" get namespace "$2" >/dev/null 2>&1 || true; }
log_since() {
  emulator_admin "$1" GET '/emulator/log?limit=2000' | jq --arg m "/namespaces/$2" \
    '. as $all | ([$all | to_entries[] | select(.value.path | endswith($m)) | .key] | last) as $at | $all[($at + 1):]'
}
MIG='"stork.libopenstorage.org/migrated":"true","stork.libopenstorage.org/migrationNamespace":"shop"'
pod_template='{"metadata":{"labels":{"app":"APP"}},"spec":{"containers":[{"name":"main","image":"nginx"}]}}'
cronjob() {  # cronjob NAME SUSPEND ANNOTATIONS
  printf '{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"%s","namespace":"shop","annotations":{%s}},"spec":{"schedule":"*/5 * * * *","suspend":%s,"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}' "$1" "$3" "$2"
}
# (a stream of objects, not a kind: List: kubectl validates Lists against /openapi/v2, which the
# emulator does not serve)
cat <<EOF | kubectl "${DST[@]}" create -f - >/dev/null
{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}
{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"kafkas.kafka.strimzi.io"},
  "spec":{"group":"kafka.strimzi.io","scope":"Namespaced","names":{"plural":"kafkas","singular":"kafka","kind":"Kafka","listKind":"KafkaList"},
          "versions":[{"name":"v1beta2","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"lone","namespace":"shop",
   "annotations":{$MIG,"stork.libopenstorage.org/migrationReplicas":"2"}},
  "spec":{"replicas":0,"selector":{"matchLabels":{"app":"lone"}},"template":${pod_template//APP/lone}}}
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop",
   "annotations":{$MIG,"stork.openstorage.org/migrationReplicas":"2"}},
  "spec":{"replicas":0,"selector":{"matchLabels":{"app":"api"}},"template":${pod_template//APP/api}}}
$(cronjob report true "$MIG")
$(cronjob paused true '"owner":"ops"')
$(cronjob running false "$MIG")
EOF
for _ in $(seq 1 100); do kubectl "${DST[@]}" get kafkas -n shop >/dev/null 2>&1 && break; sleep 0.1; done
cat <<EOF | kubectl "${DST[@]}" create -f - >/dev/null
{"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ApplicationRegistration","metadata":{"name":"kafka"},
  "resources":[{"group":"kafka.strimzi.io","version":"v1beta2","kind":"Kafka","keepStatus":false,
                "suspendOptions":{"path":"spec.kafka.replicas","type":"int"}}]}
{"apiVersion":"kafka.strimzi.io/v1beta2","kind":"Kafka","metadata":{"name":"events","namespace":"shop",
   "annotations":{$MIG,"stork.libopenstorage.org/spec.kafka.replicas":"3,0"}},"spec":{"kafka":{"replicas":0}}}
EOF
rs_of_api() { kubectl "${DST[@]}" get rs -n shop -o json | jq -r '[.items[] | select(.metadata.ownerReferences[0].name == "api")][0].metadata.name'; }
for _ in $(seq 1 100); do [ "$(rs_of_api)" != null ] && break; sleep 0.1; done
# Kubernetes' deployment controller copies the Deployment's annotations onto its ReplicaSets; the
# emulator's does not, so the test does it: activation must scale the Deployment, never this one.
kubectl "${DST[@]}" annotate rs "$(rs_of_api)" -n shop stork.openstorage.org/migrationReplicas=2 stork.libopenstorage.org/migrated=true >/dev/null
check "the Deployment's ReplicaSet carries the annotation too, and an owner" bash -c \
  "kubectl ${DST[*]} get rs $(rs_of_api) -n shop -o json | jq -e '.metadata.annotations[\"stork.openstorage.org/migrationReplicas\"] == \"2\" and .metadata.ownerReferences[0].kind == \"Deployment\"'"

mark_log us-east-1b mark-first-run

# --- dry run first: the plan, as one JSON result per workload.
run_capture kubectl dr activate migration -n shop "${DST[@]}" --dry-run=client -o json
expect_eq "dry run exits 0" "$RC" 0
expect_eq "dry run plans: kind/name/field/from/to/outcome" \
  "$(jq -c '[.items[] | select(.outcome == "planned") | [.kind, .name, .field, .from, .to]] | sort' <<<"$OUT")" \
  '[["CronJob","report","spec.suspend","true","false"],["Deployment","api","spec.replicas","0","2"],["Kafka","events","spec.kafka.replicas","0","3"],["ReplicaSet","lone","spec.replicas","0","2"]]'
expect_eq "dry run: nothing written" "$(kubectl "${DST[@]}" get deploy api -n shop -o jsonpath='{.spec.replicas}')" "0"

# --- activate migration -n shop: storkctl's lines, every kind handled, the operator's CronJob left alone.
run_capture kubectl dr activate migration -n shop "${DST[@]}" --wait --timeout 0
expect_eq "activate -n shop exits 0" "$RC" 0
expect_eq "activate: storkctl's lines on stdout, in storkctl's kind order" "$OUT" "$(printf '%s\n' \
  'Updated replicas for deployment shop/api to 2' \
  'Updated replicas for replicaset shop/lone to 2' \
  'Updated CR for kafka shop/events' \
  'Updated suspend option for cronjob shop/report to false')"
expect_contains "activate: the operator's CronJob is reported as left alone" "$ERR" "Skipped cronjob shop/paused"
check "activate: the summary line" grep -Eq \
  '^Activated 4 workloads in 1 namespace \(1 unchanged, 2 skipped, 0 failed\) in [0-9]+\.[0-9]s, [0-9]+ requests$' <<<"$ERR"
expect_contains "--wait: says the workloads are ready" "$ERR" "All workloads are ready"
expect_eq "api at 2 (docs spelling read)" "$(kubectl "${DST[@]}" get deploy api -n shop -o jsonpath='{.spec.replicas}')" "2"
expect_eq "--wait: api ready" "$(kubectl "${DST[@]}" get deploy api -n shop -o jsonpath='{.status.readyReplicas}')" "2"
expect_eq "lone at 2" "$(kubectl "${DST[@]}" get rs lone -n shop -o jsonpath='{.spec.replicas}')" "2"
expect_eq "--wait: lone ready" "$(kubectl "${DST[@]}" get rs lone -n shop -o jsonpath='{.status.readyReplicas}')" "2"
expect_eq "Kafka events at 3" "$(kubectl "${DST[@]}" get kafka events -n shop -o jsonpath='{.spec.kafka.replicas}')" "3"
expect_eq "report resumed" "$(kubectl "${DST[@]}" get cronjob report -n shop -o jsonpath='{.spec.suspend}')" "false"
expect_eq "paused left suspended" "$(kubectl "${DST[@]}" get cronjob paused -n shop -o jsonpath='{.spec.suspend}')" "true"
log="$(log_since us-east-1b mark-first-run)"
expect_eq "the owned ReplicaSet was not written directly" \
  "$(jq --arg rs "$(rs_of_api)" '[.[] | select(.method == "PATCH" and (.path | endswith("/replicasets/" + $rs)))] | length' <<<"$log")" "0"
expect_eq "kinds not served here (DeploymentConfig, IBP, VirtualMachine) were never listed" \
  "$(jq '[.[] | select(.method == "GET" and (.path | test("/apis/(apps.openshift.io|ibp.com|kubevirt.io)/[^/]+/")))] | length' <<<"$log")" "0"
check "kinds not served: not a word about them" bash -c "! grep -Eiq 'deploymentconfig|ibppeer|virtualmachine' <<<'$OUT$ERR'"

# Re-run: no writes, all unchanged; -o json shape.
mark_log us-east-1b mark-re-run
run_capture kubectl dr activate migration -n shop "${DST[@]}" -o json
expect_eq "re-run exits 0" "$RC" 0
check "-o json: every result has kind, namespace, name, from, to, outcome" jq -e \
  'all(.items[]; (.kind|type)=="string" and .namespace=="shop" and (.name|type)=="string" and has("from") and has("to") and (.outcome|type)=="string")' <<<"$OUT"
expect_eq "re-run: nothing updated" "$(jq '.summary.updated' <<<"$OUT")" "0"
expect_eq "re-run: no PATCH sent" \
  "$(log_since us-east-1b mark-re-run | jq '[.[] | select(.method == "PATCH")] | length')" "0"
expect_eq "re-run: the operator's CronJob is left-alone, with a reason" \
  "$(jq -r '.items[] | select(.name == "paused") | "\(.outcome): \(.reason)"' <<<"$OUT")" \
  "skipped: suspended, but not migrated by Stork nor suspended by kubectl-dr"

# --- deactivate migration: annotated workloads to 0, counts kept, CronJobs suspended; activate restores.
run_capture kubectl dr deactivate migration -n shop "${DST[@]}" --wait --timeout 30s
expect_eq "deactivate migration exits 0" "$RC" 0
# --wait on a scale-down waits until the controllers report no replicas left, and says that, not "ready".
expect_contains "deactivate --wait: says the workloads are stopped" "$ERR" "All workloads are at 0 replicas"
check "deactivate --wait: never says ready" bash -c "! grep -qi 'ready' <<<\"\$1\"" _ "$ERR"
expect_eq "deactivate --wait: api and lone report no replicas" \
  "$(kubectl "${DST[@]}" get deploy/api -n shop -o json | jq '.status.replicas // 0')/$(kubectl "${DST[@]}" get rs/lone -n shop -o json | jq '.status.replicas // 0')" "0/0"
expect_eq "deactivate --wait: their pods are gone" \
  "$(kubectl "${DST[@]}" get pods -n shop -l 'app in (api,lone)' -o json | jq '.items | length')" "0"
expect_contains "deactivate: storkctl's line" "$OUT" "Updated replicas for deployment shop/api to 0"
expect_contains "deactivate: CronJob suspended" "$OUT" "Updated suspend option for cronjob shop/running to true"
expect_eq "deactivate: api at 0, count kept" \
  "$(kubectl "${DST[@]}" get deploy api -n shop -o json | jq -c '[.spec.replicas, .metadata.annotations["stork.openstorage.org/migrationReplicas"]]')" '[0,"2"]'
expect_eq "deactivate: Kafka at 0" "$(kubectl "${DST[@]}" get kafka events -n shop -o jsonpath='{.spec.kafka.replicas}')" "0"
run_capture kubectl dr activate migration -n shop "${DST[@]}"
expect_eq "activate after deactivate: exit 0" "$RC" 0
expect_eq "the CronJob kubectl-dr suspended is resumed" "$(kubectl "${DST[@]}" get cronjob running -n shop -o jsonpath='{.spec.suspend}')" "false"
expect_eq "the operator's CronJob is still suspended" "$(kubectl "${DST[@]}" get cronjob paused -n shop -o jsonpath='{.spec.suspend}')" "true"

# --- the MigrationSchedule update: applicationActivated on the destination's static copy.
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --wait --timeout 60s
expect_eq "activate zookeeper exits 0" "$RC" 0
expect_contains "activate zookeeper: storkctl's schedule line" "$OUT" \
  "Setting the ApplicationActivated status in the MigrationSchedule zookeeper/migrationschedule to true"
expect_eq "the schedule's status.applicationActivated" \
  "$(kubectl "${DST[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.status.applicationActivated}')" "true"
expect_eq "zk ready on the destination" "$(kubectl "${DST[@]}" get sts zk -n zookeeper -o jsonpath='{.status.readyReplicas}')" "3"
check "no warning about the destination's static copy" bash -c "! grep -q '^Warning:' <<<'$ERR'"
check "the summary counts zk alone as a workload and the schedule apart" grep -Eq \
  '^Activated 1 workload in 1 namespace \(0 unchanged, 0 skipped, 0 failed\) and marked 1 MigrationSchedule applicationActivated=true in [0-9]+\.[0-9]s, [0-9]+ requests$' <<<"$ERR"
kubectl "${DST[@]}" patch sts zk -n zookeeper --type merge -p '{"spec":{"replicas":0}}' >/dev/null
kubectl "${DST[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"status":{"applicationActivated":false}}' >/dev/null
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" -o json
expect_eq "-o json summary: one workload, one schedule" \
  "$(jq -c '[.summary.updated, .summary.schedules.updated, ([.items[] | select(.outcome == "updated")] | length), (.schedules | length)]' <<<"$OUT")" '[1,1,1,1]'

# --- which MigrationSchedules threaten activated apps (the rule: update_schedules in activation.cpp).
# A schedule of this cluster's own migrates its namespaces away, to the pair's remote: activating
# under it, unsuspended, is the normal state of the active side (after a failback) and no warning...
migrate_now() {  # migrate_now CLUSTER: the cluster's zookeeper schedule migrates now; prints its outcome
  sleep 1.1  # Migrations are named by the second: a new one each time
  emulator_admin "$1" POST /emulator/sim/migrate '{"namespace":"zookeeper","schedule":"migrationschedule"}' |
    jq -r '"\(.status) \(.reason)"'
}
zk_replicas() { kubectl --context "$1" get sts zk -n zookeeper -o jsonpath='{.spec.replicas}'; }
kubectl dr deactivate apps -n zookeeper "${SRC[@]}" >/dev/null 2>&1
expect_eq "the source's own schedule is running" \
  "$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')" "false"
run_capture kubectl dr activate migration -n zookeeper "${SRC[@]}"
expect_eq "activate under this cluster's own running schedule: exit 0" "$RC" 0
check "this cluster's own outgoing schedule: no warning" bash -c "! grep -q '^Warning:' <<<\"\$1\"" _ "$ERR"
run_capture kubectl dr activate migration -n zookeeper "${SRC[@]}" -o json
expect_eq "this cluster's own outgoing schedule: no warning in -o json" "$(jq -c .warnings <<<"$OUT")" "[]"
# ...rightly: its migration never scales this cluster's apps (and the destination, activated with
# applicationActivated on its copy, refuses it).
expect_eq "the source's migration is refused while the destination is activated" \
  "$(migrate_now us-east-1a)" "Failed migrated applications are active on remote cluster"
expect_eq "the source's own migration left the source's zk at 3" "$(zk_replicas us-east-1a)" "3"
expect_eq "and the destination's zk at 3" "$(zk_replicas us-east-1b)" "3"

# The threat is the schedule on the OTHER cluster migrating here; from here it is its static copy,
# and only applicationActivated=true on that copy holds it off. When that write fails: the warning.
kubectl "${DST[@]}" patch sts zk -n zookeeper --type merge -p '{"spec":{"replicas":0}}' >/dev/null
kubectl "${DST[@]}" patch migrationschedule migrationschedule -n zookeeper --type merge \
  -p '{"status":{"applicationActivated":false}}' >/dev/null
emulator_admin us-east-1b POST /emulator/deny '{"add":["patch:migrationschedules"]}' >/dev/null
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}"
expect_eq "the copy's applicationActivated refused: exit 1" "$RC" 1
expect_contains "the warning names the copy and the risk" "$ERR" \
  "Warning: MigrationSchedule zookeeper/migrationschedule is Stork's copy of a schedule on the cluster that migrates namespace zookeeper to this one, and its applicationActivated could not be set: unless that schedule is suspended, its next migrations overwrite these applications, and any that changed there come back at 0 replicas."
expect_contains "the warning gives the command" "$ERR" \
  "kubectl dr suspend migrationschedule migrationschedule -n zookeeper --context <source cluster>"
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" -o json
check "-o json carries the warning too" jq -e '.warnings | length == 1 and (.[0] | contains("could not be set"))' <<<"$OUT"
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}" --dry-run=client
check "a dry run plans the write: no warning" bash -c "! grep -q '^Warning:' <<<\"\$1\"" _ "$ERR"
emulator_admin us-east-1b DELETE /emulator/deny >/dev/null
# ...rightly: once zk changes on the source, its next migration brings the destination's back at 0.
kubectl "${SRC[@]}" patch sts zk -n zookeeper --type merge \
  -p '{"spec":{"template":{"metadata":{"annotations":{"revision":"2"}}}}}' >/dev/null
expect_eq "unguarded, the source's migration succeeds" "$(migrate_now us-east-1a | cut -d' ' -f1)" "Successful"
expect_eq "and scales the destination's zk back to 0" "$(zk_replicas us-east-1b)" "0"
run_capture kubectl dr activate migration -n zookeeper "${DST[@]}"
expect_eq "re-activated with access: exit 0" "$RC" 0
check "guarded again: no warning" bash -c "! grep -q '^Warning:' <<<\"\$1\"" _ "$ERR"
expect_eq "guarded again: the source's migration is refused" \
  "$(migrate_now us-east-1a | cut -d' ' -f1)" "Failed"
expect_eq "guarded again: the destination's zk stays at 3" "$(zk_replicas us-east-1b)" "3"

# --- failback of CronJobs on the source: deactivate apps suspends the running one and records that
# it ran; activate resumes it and leaves the one an operator had paused alone.
printf '%s\n%s\n' "$(cronjob nightly false '"team":"a"')" "$(cronjob frozen true '"team":"a"')" |
  sed 's/"namespace":"shop"/"namespace":"zookeeper"/' | kubectl "${SRC[@]}" create -f - >/dev/null
run_capture kubectl dr deactivate apps -n zookeeper "${SRC[@]}" --wait --timeout 30s
expect_eq "deactivate apps with CronJobs: exit 0" "$RC" 0
expect_contains "deactivate apps --wait: says the workloads are stopped" "$ERR" "All workloads are at 0 replicas"
expect_eq "deactivate apps --wait: zk's pods are gone" \
  "$(kubectl "${SRC[@]}" get pods -n zookeeper -l app=zk -o json | jq '.items | length')" "0"
expect_contains "deactivate apps: storkctl's CronJob line" "$OUT" "Updated suspend option for cronjob zookeeper/nightly to true"
expect_eq "deactivate apps: nightly suspended, its prior state recorded" \
  "$(kubectl "${SRC[@]}" get cronjob nightly -n zookeeper -o json | jq -c '[.spec.suspend, .metadata.annotations["dr.kubectl-dr.io/suspend-before-deactivate"]]')" '[true,"false"]'
expect_eq "deactivate apps: frozen untouched, nothing recorded" \
  "$(kubectl "${SRC[@]}" get cronjob frozen -n zookeeper -o json | jq -c '[.spec.suspend, .metadata.annotations["dr.kubectl-dr.io/suspend-before-deactivate"]]')" '[true,null]'
run_capture kubectl dr activate migration -n zookeeper "${SRC[@]}"
expect_eq "failback activation: exit 0" "$RC" 0
expect_eq "failback: nightly running again, the record gone" \
  "$(kubectl "${SRC[@]}" get cronjob nightly -n zookeeper -o json | jq -c '[.spec.suspend, .metadata.annotations["dr.kubectl-dr.io/suspend-before-deactivate"]]')" '[false,null]'
expect_eq "failback: frozen still suspended" "$(kubectl "${SRC[@]}" get cronjob frozen -n zookeeper -o jsonpath='{.spec.suspend}')" "true"
expect_contains "failback: frozen reported as left alone" "$ERR" "Skipped cronjob zookeeper/frozen"

# --- narrowing: contradictory combinations are one-line usage errors, exit 1, no request.
run_usage() {  # run_usage NAME VERB WANT ARGS...
  local name="$1" verb="$2" want="$3"; shift 3
  run_capture kubectl dr "$verb" "$@" "${DST[@]}"
  expect_eq "$name: exit 1" "$RC" 1
  expect_eq "$name: the error line" "$(head -1 <<<"$ERR")" "$want"
  expect_eq "$name: then the hint" "$(sed -n 2p <<<"$ERR")" "See 'kubectl dr $verb -h' for help and examples"
  expect_eq "$name: nothing on stdout" "$OUT" ""
}
run_usage "-A with -n" activate "error: --namespace and --all-namespaces cannot be used together: pick one" migration -A -n shop
run_usage "-a with -n" deactivate "error: --namespace and --all-namespaces cannot be used together: pick one" migration -a -n shop
run_usage "included and excluded" activate \
  "error: namespace shop is both included (--include-namespaces) and excluded (--exclude-namespaces)" \
  migration --include-namespaces shop,zookeeper --exclude-namespaces shop
run_usage "-n outside --include-namespaces" activate \
  "error: --namespace shop is not among --include-namespaces (zookeeper)" migration -n shop --include-namespaces zookeeper
run_usage "-n excluded" deactivate "error: --namespace shop is excluded by --exclude-namespaces" \
  apps -n shop --exclude-namespaces shop
run_usage "object both included and excluded" activate \
  "error: object statefulset/zookeeper/zk is both included (--include-objects) and excluded (--exclude-objects)" \
  migration -n zookeeper --include-objects StatefulSet/zookeeper/zk --exclude-objects StatefulSet/zookeeper/zk
run_usage "included object outside the namespaces" activate \
  "error: --include-objects: namespace shop of deployment/shop/api is not in the selected namespaces" \
  migration -n zookeeper --include-objects Deployment/shop/api
run_usage "bad selector" activate "error: --selector: missing ')' in \"tier in (db\"" migration -n shop -l 'tier in (db'
run_usage "bad resource type" activate "error: --resource-types: \"apps/Deployment\" is not KIND or GROUP/VERSION/KIND" \
  migration -n shop --resource-types apps/Deployment
run_usage "bad object" activate "error: --include-objects: \"Deployment/api\" is not KIND/NAMESPACE/NAME: expected exactly two '/'" \
  migration -n shop --include-objects Deployment/api
run_usage "names are not taken" activate \
  "error: unexpected argument \"zk\": this command takes no names; narrow it with -n, -l, --include-objects and friends" \
  migration zk -n zookeeper
run_usage "-o name" activate "error: -o name is not supported here; use -o json" migration -n shop -o name
run_usage "--max-inflight 0" activate "error: --max-inflight must be between 1 and 1000" migration -n shop --max-inflight 0
run_usage "--chunk-size -1" activate "error: --chunk-size must be 0 (no paging) or more" migration -n shop --chunk-size -1
run_usage "bad --timeout" activate \
  "error: invalid argument \"soon\" for \"--timeout\" flag: expected a duration such as 30s, 5m or 1h" migration -n shop --wait --timeout soon
run_usage "a kind activation does not handle" activate \
  "error: --resource-types: pod is not a kind activation handles (statefulset, deployment, replicaset, deploymentconfig, ibppeer, ibpca, ibporderer, ibpconsole, virtualmachine, kafka, cronjob)" \
  migration -n shop --resource-types StatefulSet,Pod
run_usage "unknown resource" deactivate \
  "error: unknown resource \"pods\" for deactivate: use clusterdomain, migration or apps" pods

# Narrowing that is valid: only what it names is touched.
kubectl "${DST[@]}" patch deploy api -n shop --type merge -p '{"spec":{"replicas":0}}' >/dev/null
kubectl "${DST[@]}" patch rs lone -n shop --type merge -p '{"spec":{"replicas":0}}' >/dev/null
run_capture kubectl dr activate migration -n shop --include-objects Deployment/shop/api "${DST[@]}" -o json
expect_eq "--include-objects: only api updated" "$(jq -c '[.items[] | select(.outcome=="updated") | .name]' <<<"$OUT")" '["api"]'
expect_eq "--include-objects: lone untouched" "$(kubectl "${DST[@]}" get rs lone -n shop -o jsonpath='{.spec.replicas}')" "0"
run_capture kubectl dr activate migration -n shop --exclude-objects replicaset/shop/lone "${DST[@]}" -o json
expect_eq "--exclude-objects: lone still untouched" "$(kubectl "${DST[@]}" get rs lone -n shop -o jsonpath='{.spec.replicas}')" "0"
run_capture kubectl dr activate migration -A --exclude-namespaces zookeeper --resource-types apps/v1/ReplicaSet "${DST[@]}" -o json
expect_eq "--resource-types G/V/K with -A and an exclusion: lone updated" \
  "$(jq -c '[.items[] | select(.outcome=="updated") | [.kind,.namespace,.name]]' <<<"$OUT")" '[["ReplicaSet","shop","lone"]]'

finish
