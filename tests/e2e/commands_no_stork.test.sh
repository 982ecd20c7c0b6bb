#!/usr/bin/env bash
# A cluster without Stork (kube-emulator --no-stork): every command that needs Stork's resources
# says "is Stork installed on this cluster?" and exits 1; activation of plain workloads still works.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters solo --no-stork

check "kubectl sees no Stork types" bash -c "! kubectl api-resources --api-group=stork.libopenstorage.org -o name | grep -q ."

no_stork() {  # no_stork NAME ARGS...: must fail naming the missing Stork resource
  local name="$1"; shift
  run_capture kubectl dr "$@"
  expect_eq "$name: exit 1" "$RC" 1
  expect_contains "$name: asks whether Stork is installed" "$ERR" "is Stork installed on this cluster?"
  expect_eq "$name: one line on stderr" "$(grep -c . <<<"$ERR")" "1"
  expect_eq "$name: nothing on stdout" "$OUT" ""
}
no_stork "status" status
no_stork "status clusterdomainupdates" status clusterdomainupdates
no_stork "status migrationschedules" status migrationschedules -n default
no_stork "status migrations" status migrations -A
no_stork "deactivate clusterdomain" deactivate clusterdomain us-east-1a
no_stork "activate clusterdomain --all" activate clusterdomain --all
no_stork "suspend" suspend migrationschedule migrationschedule -n default
no_stork "resume --all" resume migrationschedule --all -A
expect_contains "the line is kubectl's, with the resource named" "$ERR" \
  "error: the server doesn't have a resource type \"migrationschedules\""

# Workloads carrying the annotation can still be activated without Stork's CRDs.
cat <<'EOF' | kubectl create -f - >/dev/null
{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"app"}}
{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"app",
  "annotations":{"stork.libopenstorage.org/migrationReplicas":"2"}},
  "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
EOF
run_capture kubectl dr activate migration -n app
expect_eq "activate without Stork: exit 0" "$RC" 0
expect_eq "activate without Stork: storkctl's line" "$OUT" "Updated replicas for deployment app/web to 2"
expect_eq "activate without Stork: web at 2" "$(kubectl get deploy web -n app -o jsonpath='{.spec.replicas}')" "2"
run_capture kubectl dr status apps -n app --no-headers
expect_eq "status apps works without Stork" "$(tr -s ' ' <<<"$OUT" | cut -d' ' -f1-3)" "Deployment web 2"

finish
