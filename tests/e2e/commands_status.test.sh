#!/usr/bin/env bash
# kubectl dr status, every view (clusterdomains, clusterdomainupdates, migrationschedules,
# migrations, apps) in every output (table, -o wide, -o json, -o yaml, -o name, --no-headers),
# validated by parsing and against what the real kubectl returns; -w on the domains; usage errors.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
# One ClusterDomainUpdate exists once a domain was deactivated (and Stork processed it).
kubectl dr deactivate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 30s >/dev/null

# view_checks LABEL KUBECTL_RESOURCE DR_VIEW ARGS...: json/yaml/name of the view carry exactly the
# objects `kubectl get` returns, and --no-headers prints one row per object.
view_checks() {
  local label="$1" resource="$2" view="$3"; shift 3
  local want_names; want_names="$(kubectl get "$resource" "$@" -o json | jq -r '.items[] | "\(.metadata.namespace // "")/\(.metadata.name)"' | sort)"
  check "$label: kubectl sees objects" test -n "$want_names"

  run_capture kubectl dr status $view "$@" -o json
  expect_eq "$label -o json exits 0" "$RC" 0
  check "$label -o json is a kind: List with typed items" jq -e \
    '.kind == "List" and .apiVersion == "v1" and (.items | length > 0) and all(.items[]; (.kind | length > 0) and (.apiVersion | length > 0))' <<<"$OUT"
  expect_eq "$label -o json: the objects kubectl returns" \
    "$(jq -r '.items[] | "\(.metadata.namespace // "")/\(.metadata.name)"' <<<"$OUT" | sort)" "$want_names"

  run_capture kubectl dr status $view "$@" -o yaml
  expect_eq "$label -o yaml exits 0" "$RC" 0
  printf '%s\n' "$OUT" >"$E2E_TMP/view.yaml"
  expect_eq "$label -o yaml: kubectl parses the same objects" \
    "$(kubectl create --dry-run=client --validate=false -f "$E2E_TMP/view.yaml" -o json |
      jq -r '(if .kind == "List" then .items[] else . end) | "\(.metadata.namespace // "")/\(.metadata.name)"' | sort)" \
    "$want_names"

  run_capture kubectl dr status $view "$@" -o name
  expect_eq "$label -o name exits 0" "$RC" 0
  expect_eq "$label -o name: as kubectl prints it" "$(sort <<<"$OUT")" "$(kubectl get "$resource" "$@" -o name | sort)"

  run_capture kubectl dr status $view "$@" --no-headers
  expect_eq "$label --no-headers exits 0" "$RC" 0
  expect_eq "$label --no-headers: one row per object" "$(grep -c . <<<"$OUT")" "$(grep -c . <<<"$want_names")"
  check "$label --no-headers: no header row" bash -c "! grep -q '^NAME ' <<<'$OUT' && ! grep -q '^NAMESPACE ' <<<'$OUT'"
}

# --- cluster domains (the default view), as storkctl prints them.
run_capture kubectl dr status "${DST[@]}"
expect_eq "status exits 0" "$RC" 0
expect_eq "status: storkctl's header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME LOCAL-DOMAIN ACTIVE INACTIVE CREATED"
check "status: columns 3 spaces apart" grep -q '^NAME   *LOCAL-DOMAIN   *ACTIVE   ' <<<"$OUT"
check "status: CREATED in storkctl's RFC822 form" grep -Eq '[0-9]{2} [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} UTC$' <<<"$(sed -n 2p <<<"$OUT")"
expect_eq "status clusterdomains = the default view" "$(kubectl dr status clusterdomains "${DST[@]}")" "$OUT"
expect_eq "status cds = the default view" "$(kubectl dr status cds "${DST[@]}")" "$OUT"
run_capture kubectl dr status -o wide "${DST[@]}"
expect_eq "status -o wide: the same columns" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME LOCAL-DOMAIN ACTIVE INACTIVE CREATED"
view_checks "clusterdomains" clusterdomainsstatuses clusterdomains "${DST[@]}"
check "clusterdomains -o json: us-east-1a Inactive" bash -c \
  "kubectl dr status -o json ${DST[*]} | jq -e '.items[0].status.clusterDomainInfos[] | select(.name==\"us-east-1a\") | .state == \"Inactive\"'"

# --- cluster domain updates: storkctl's columns, REASON in -o wide.
run_capture kubectl dr status clusterdomainupdates "${DST[@]}"
expect_eq "clusterdomainupdates exits 0" "$RC" 0
expect_eq "clusterdomainupdates: storkctl's header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME CLUSTER-DOMAIN ACTION STATUS CREATED"
check "clusterdomainupdates: the deactivation, Successful" grep -Eq '^[0-9a-f-]{36}   +us-east-1a   +Deactivate   +Successful' <<<"$(sed -n 2p <<<"$OUT")"
run_capture kubectl dr status cdu -o wide "${DST[@]}"
expect_eq "clusterdomainupdates -o wide adds REASON" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAME CLUSTER-DOMAIN ACTION STATUS CREATED REASON"
view_checks "clusterdomainupdates" clusterdomainupdates clusterdomainupdates "${DST[@]}"

# --- migration schedules: storkctl's columns; NAMESPACE first with -A; two more in -o wide.
run_capture kubectl dr status migrationschedules -n zookeeper "${SRC[@]}"
expect_eq "migrationschedules exits 0" "$RC" 0
expect_eq "migrationschedules: storkctl's header" "$(head -1 <<<"$OUT" | tr -s ' ')" \
  "NAME POLICYNAME CLUSTERPAIR SUSPEND LAST-SUCCESS-TIME LAST-SUCCESS-DURATION"
suspended="$(kubectl "${SRC[@]}" get migrationschedule migrationschedule -n zookeeper -o jsonpath='{.spec.suspend}')"
check "migrationschedules: the seeded row with its 10s migration" grep -Eq \
  '^migrationschedule   +default-migration-policy   +remotecluster   +'"$suspended"'   +[0-9]{2} [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} UTC   +10s$' \
  <<<"$(sed -n 2p <<<"$OUT")"
run_capture kubectl dr status migrationschedules -A "${SRC[@]}"
expect_eq "migrationschedules -A: NAMESPACE first" "$(head -1 <<<"$OUT" | awk '{print $1, $2}')" "NAMESPACE NAME"
run_capture kubectl dr status migrationschedules -n zookeeper -o wide "${SRC[@]}"
expect_eq "migrationschedules -o wide" "$(head -1 <<<"$OUT" | tr -s ' ')" \
  "NAME POLICYNAME CLUSTERPAIR SUSPEND LAST-SUCCESS-TIME LAST-SUCCESS-DURATION AUTO-SUSPEND APPLICATION-ACTIVATED"
view_checks "migrationschedules" migrationschedules migrationschedules -n zookeeper "${SRC[@]}"
view_checks "migrationschedules -A" migrationschedules migrationschedules -A "${SRC[@]}"
run_capture kubectl dr status migrationschedules -n zookeeper -l nope=1 "${SRC[@]}"
expect_eq "migrationschedules -l matching nothing: exit 0" "$RC" 0
expect_eq "migrationschedules -l matching nothing: kubectl's line" "$ERR" "No resources found in zookeeper namespace."

# --- migrations.
run_capture kubectl dr status migrations -n zookeeper "${SRC[@]}"
expect_eq "migrations exits 0" "$RC" 0
expect_eq "migrations: header" "$(head -1 <<<"$OUT" | tr -s ' ')" \
  "NAME CLUSTERPAIR STAGE STATUS VOLUMES RESOURCES CREATED ELAPSED TOTAL BYTES TRANSFERRED"
check "migrations: the seeded migration, Successful" grep -Eq '^migrationschedule-interval-[^ ]+   +remotecluster   +[A-Za-z]+   +Successful' <<<"$(sed -n 2p <<<"$OUT")"
view_checks "migrations" migrations migrations -n zookeeper "${SRC[@]}"
run_capture kubectl dr status migrations -A "${DST[@]}"
expect_eq "migrations on a cluster with none: exit 0" "$RC" 0
expect_eq "migrations on a cluster with none: kubectl's line" "$ERR" "No resources found"

# --- apps: the migrated workloads, desired vs current, activated or not.
run_capture kubectl dr status apps -n zookeeper "${DST[@]}"
expect_eq "apps exits 0" "$RC" 0
expect_eq "apps: header" "$(head -1 <<<"$OUT" | tr -s ' ')" "KIND NAME DESIRED CURRENT READY ACTIVATED"
expect_eq "apps: zk wants 3, runs 0, not activated" "$(sed -n 2p <<<"$OUT" | tr -s ' ')" "StatefulSet zk 3 0 0 no"
run_capture kubectl dr status apps -A -o wide "${DST[@]}"
expect_eq "apps -A -o wide: header" "$(head -1 <<<"$OUT" | tr -s ' ')" "NAMESPACE KIND NAME DESIRED CURRENT READY ACTIVATED STATE"
view_checks "apps" statefulsets apps -n zookeeper "${DST[@]}"
kubectl dr activate migration -n zookeeper "${DST[@]}" --wait --timeout 60s >/dev/null 2>&1
run_capture kubectl dr status apps -n zookeeper --no-headers "${DST[@]}"
expect_eq "apps after activation: zk 3/3 activated" "$(tr -s ' ' <<<"$OUT")" "StatefulSet zk 3 3 3 yes"
run_capture kubectl dr status apps -n default "${DST[@]}"
expect_eq "apps in a namespace without any: exit 0" "$RC" 0
expect_eq "apps in a namespace without any: kubectl's line" "$ERR" "No resources found in default namespace."

# --- -w on the domains: the table, then a row per change; bounded by a timeout.
watch_out="$E2E_TMP/watch.out"
timeout 60 kubectl dr status -w "${DST[@]}" >"$watch_out" 2>"$E2E_TMP/watch.err" &
watch_pid=$!
for _ in $(seq 1 100); do [ "$(grep -c . "$watch_out" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
kubectl dr activate clusterdomain us-east-1a "${DST[@]}" --wait --timeout 30s >/dev/null
for _ in $(seq 1 100); do
  awk -F'   +' 'NR > 2 && $3 ~ /us-east-1a/ {found=1} END {exit !found}' "$watch_out" && break
  sleep 0.1
done
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
expect_eq "-w: starts with storkctl's header" "$(head -1 "$watch_out" | tr -s ' ')" "NAME LOCAL-DOMAIN ACTIVE INACTIVE CREATED"
check "-w: a later row shows us-east-1a active again" awk -F'   +' 'NR > 2 && $3 ~ /us-east-1a/ {found=1} END {exit !found}' "$watch_out"
expect_eq "-w: the header printed once" "$(grep -c '^NAME ' "$watch_out")" "1"
run_capture timeout 30 kubectl dr status -w -o json "${DST[@]}" --request-timeout 2s
expect_eq "-w bounded by --request-timeout ends by itself, exit 0" "$RC" 0
check "-w -o json: each document parses" jq -e -s 'length >= 1 and (.[0].kind == "List")' <<<"$OUT"

# --- usage errors.
run_capture kubectl dr status bogus
expect_eq "unknown view: exit 1" "$RC" 1
expect_contains "unknown view: names the choices" "$ERR" "use clusterdomains, clusterdomainupdates, migrationschedules, migrations, clusterpairs, apps, failover or failback"
run_capture kubectl dr status migrationschedules -w "${SRC[@]}"
expect_eq "-w on schedules: exit 1" "$RC" 1
expect_contains "-w on schedules: says why" "$ERR" "--watch is supported for clusterdomains only"
run_capture kubectl dr status apps migrations
expect_eq "two views: exit 1" "$RC" 1
run_capture kubectl dr status -o bogus "${DST[@]}"
expect_eq "-o bogus: exit 1" "$RC" 1
expect_contains "-o bogus: kubectl-style error" "$ERR" "error: "

finish
