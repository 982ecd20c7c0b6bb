#!/usr/bin/env bash
# suspend/resume migrationschedule: names, --all, -A, -c/--cluster-pair, -f with JSON, a JSON stream
# from jq, YAML, multi-document YAML and kind: List, re-runs, -o json|name, dry runs, usage errors.
# The seed's schedules all start suspended; every effect is checked with the real kubectl.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:12:3

# suspended_set: "ns/name=true|false" of every schedule, sorted, one line each.
suspended_set() {
  kubectl get migrationschedules -A -o json |
    jq -r '.items[] | "\(.metadata.namespace)/\(.metadata.name)=\(.spec.suspend // false)"' | sort
}
suspend_of() { kubectl get migrationschedule "$2" -n "$1" -o jsonpath='{.spec.suspend}'; }
total="$(kubectl get migrationschedules -A -o json | jq '.items | length')"
check "the seed has a dozen schedules" test "$total" -ge 10
expect_eq "they all start suspended" "$(suspended_set | grep -c '=true$')" "$total"

# A schedule of another pair, which -c remotecluster must leave alone.
cat <<'EOF' | kubectl create -f - >/dev/null
{"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule",
 "metadata":{"name":"to-west","namespace":"ns-00001"},
 "spec":{"template":{"spec":{"clusterPair":"westpair","namespaces":["ns-00001"]}},
         "schedulePolicyName":"default-migration-policy","suspend":true}}
EOF
total=$((total + 1))

# --- the pipeline of the issue: kubectl get | jq select | kubectl dr resume -f -
picked='select(.metadata.namespace == "ns-00002" or .metadata.namespace == "ns-00003")'
run_capture bash -c "kubectl get migrationschedules -A -o json | jq '.items[] | $picked' | kubectl dr resume migrationschedule -f -"
expect_eq "jq stream | resume -f - exits 0" "$RC" 0
expect_eq "jq stream: storkctl's message per schedule" "$OUT" \
  "$(printf 'MigrationSchedule migrationschedule resumed successfully\nMigrationSchedule migrationschedule resumed successfully')"
expect_eq "jq stream: exactly those two resumed" "$(suspended_set | grep '=false$')" \
  "$(printf 'ns-00002/migrationschedule=false\nns-00003/migrationschedule=false')"

# The same picks wrapped in a kind: List, for suspend.
run_capture bash -c "kubectl get migrationschedules -A -o json | jq '{apiVersion:\"v1\", kind:\"List\", items:[.items[] | $picked]}' | kubectl dr suspend migrationschedule -f -"
expect_eq "jq List | suspend -f - exits 0" "$RC" 0
expect_eq "jq List: two messages" "$(grep -c 'suspended successfully' <<<"$OUT")" "2"
expect_eq "jq List: all suspended again" "$(suspended_set | grep -c '=true$')" "$total"

# YAML: one object, a kind: List as kubectl prints it, and a multi-document stream.
run_capture bash -c "kubectl get migrationschedule migrationschedule -n ns-00004 -o yaml | kubectl dr resume migrationschedule -f -"
expect_eq "YAML object | resume exits 0" "$RC" 0
expect_eq "YAML object: resumed" "$(suspend_of ns-00004 migrationschedule)" "false"
run_capture bash -c "kubectl get migrationschedules -n ns-00005 -o yaml | kubectl dr resume migrationschedule -f -"
expect_eq "YAML List | resume exits 0" "$RC" 0
check "kubectl's YAML is a kind: List" bash -c "kubectl get migrationschedules -n ns-00005 -o yaml | grep -q '^kind: List'"
expect_eq "YAML List: resumed" "$(suspend_of ns-00005 migrationschedule)" "false"
cat >"$E2E_TMP/two.yaml" <<'EOF'
# two schedules, the second without a namespace: -n applies
apiVersion: stork.libopenstorage.org/v1alpha1
kind: MigrationSchedule
metadata:
  name: migrationschedule
  namespace: ns-00006
---
apiVersion: stork.libopenstorage.org/v1alpha1
kind: MigrationSchedule
metadata:
  name: migrationschedule
EOF
# An explicit -n that disagrees with the first object's namespace is refused, as kubectl refuses it ...
run_capture kubectl dr resume migrationschedule -f "$E2E_TMP/two.yaml" -n ns-00007
expect_eq "multi-document YAML with a disagreeing -n: exit 1" "$RC" 1
expect_eq "multi-document YAML with a disagreeing -n: nothing changed" "$(suspend_of ns-00006 migrationschedule)" "true"
# ... while the context's namespace is only a default, for the object that has none.
kubectl config set-context --current --namespace ns-00007 >/dev/null
run_capture kubectl dr resume migrationschedule -f "$E2E_TMP/two.yaml"
kubectl config set-context --current --namespace default >/dev/null
expect_eq "multi-document YAML file exits 0" "$RC" 0
expect_eq "multi-document YAML: ns-00006 resumed" "$(suspend_of ns-00006 migrationschedule)" "false"
expect_eq "multi-document YAML: the context's namespace supplied ns-00007" "$(suspend_of ns-00007 migrationschedule)" "false"

# -f with objects of another kind: refused before any write.
before="$(suspended_set)"
run_capture bash -c "kubectl get namespaces -o json | kubectl dr suspend migrationschedule -f -"
expect_eq "-f with Namespaces exits 1" "$RC" 1
expect_contains "-f with Namespaces names the kind" "$ERR" 'expected MigrationSchedule objects, found kind "Namespace"'
expect_eq "-f with Namespaces changed nothing" "$(suspended_set)" "$before"
run_capture bash -c "echo '{not json' | kubectl dr suspend migrationschedule -f -"
expect_eq "-f with broken JSON exits 1" "$RC" 1
expect_contains "-f with broken JSON: a parse error" "$ERR" "error parsing -"

# --- --all in one namespace, --all -A, re-runs.
run_capture kubectl dr suspend migrationschedule --all -n ns-00004
expect_eq "--all -n exits 0" "$RC" 0
expect_eq "--all -n: storkctl's message" "$OUT" "MigrationSchedule migrationschedule suspended successfully"
expect_eq "--all -n: suspended" "$(suspend_of ns-00004 migrationschedule)" "true"
run_capture kubectl dr resume migrationschedule --all -A
expect_eq "resume --all -A exits 0" "$RC" 0
expect_eq "resume --all -A: a message per schedule" "$(grep -c 'resumed successfully' <<<"$OUT")" "$total"
expect_eq "resume --all -A: none suspended" "$(suspended_set | grep -c '=true$' || true)" "0"
run_capture kubectl dr resume migrationschedule --all -A
expect_eq "resume re-run exits 0" "$RC" 0
expect_eq "resume re-run: still none suspended" "$(suspended_set | grep -c '=true$' || true)" "0"

# --- -c / --cluster-pair: that pair's schedules only.
run_capture kubectl dr suspend migrationschedule -c remotecluster -A
expect_eq "-c remotecluster -A exits 0" "$RC" 0
expect_eq "-c remotecluster: every remotecluster schedule suspended" "$(suspended_set | grep -c '=true$')" "$((total - 1))"
expect_eq "-c remotecluster: the westpair schedule left running" "$(suspend_of ns-00001 to-west)" "false"
run_capture kubectl dr suspend migrationschedule --cluster-pair westpair -n ns-00001
expect_eq "--cluster-pair westpair -n exits 0" "$RC" 0
expect_eq "--cluster-pair westpair: storkctl's message" "$OUT" "MigrationSchedule to-west suspended successfully"
run_capture kubectl dr suspend migrationschedule --cluster-pair westpair -n ns-00001
expect_eq "already suspended: exit 0" "$RC" 0
expect_eq "already suspended: still suspended" "$(suspend_of ns-00001 to-west)" "true"
run_capture kubectl dr suspend migrationschedule -c nopair -A
expect_eq "-c of an unknown pair: exit 0" "$RC" 0
expect_eq "-c of an unknown pair: storkctl's line" "$ERR" "No resources found."

# --- one namespace refused (403) among many: the rest are still suspended, the refusal reported, exit 1.
kubectl dr resume migrationschedule --all -A >/dev/null
emulator_admin dst POST /emulator/deny '{"add":["patch:migrationschedules:ns-00002"]}' >/dev/null
run_capture kubectl dr suspend migrationschedule --all -A
expect_eq "one namespace refused: exit 1" "$RC" 1
expect_eq "one namespace refused: the one Forbidden line" "$(grep -c . <<<"$ERR")/$(grep -c '^Error from server (Forbidden): migrationschedules.stork.libopenstorage.org "migrationschedule" is forbidden: ' <<<"$ERR")" "1/1"
expect_eq "one namespace refused: a message for each of the others" "$(grep -c 'suspended successfully' <<<"$OUT")" "$((total - 1))"
expect_eq "one namespace refused: all but ns-00002 suspended" "$(suspended_set | grep '=false$')" "ns-00002/migrationschedule=false"
emulator_admin dst DELETE /emulator/deny >/dev/null
kubectl dr suspend migrationschedule migrationschedule -n ns-00002 >/dev/null

# --- -o json / -o name: the patched objects, parseable.
run_capture kubectl dr resume migrationschedule migrationschedule -n ns-00008 -o json
expect_eq "-o json exits 0" "$RC" 0
check "-o json: the patched schedule" jq -e \
  '.kind == "MigrationSchedule" and .metadata.name == "migrationschedule" and .metadata.namespace == "ns-00008" and .spec.suspend == false' <<<"$OUT"
run_capture kubectl dr suspend migrationschedule --all -A -o json
check "-o json of several: a List of every schedule, all suspended" jq -e \
  --argjson n "$total" '.kind == "List" and (.items | length) == $n and all(.items[]; .spec.suspend == true)' <<<"$OUT"
run_capture kubectl dr resume migrationschedule migrationschedule -n ns-00009 -o name
expect_eq "-o name: kubectl's form" "$OUT" "migrationschedule.stork.libopenstorage.org/migrationschedule"
run_capture kubectl dr suspend migrationschedule migrationschedule -n ns-00009 -o yaml
printf '%s\n' "$OUT" >"$E2E_TMP/out.yaml"
expect_eq "-o yaml: kubectl parses it back as the suspended schedule" \
  "$(kubectl create --dry-run=client -f "$E2E_TMP/out.yaml" -o json | jq -c '[.kind, .metadata.namespace, .spec.suspend]')" \
  '["MigrationSchedule","ns-00009",true]'

# --- dry runs change nothing.
before="$(suspended_set)"
run_capture kubectl dr resume migrationschedule --all -A --dry-run=client
expect_eq "client dry run exits 0" "$RC" 0
expect_contains "client dry run says so" "$OUT" "resumed successfully (dry run)"
run_capture kubectl dr resume migrationschedule --all -A --dry-run=server
expect_eq "server dry run exits 0" "$RC" 0
expect_contains "server dry run says so" "$OUT" "resumed successfully (server dry run)"
expect_eq "dry runs changed nothing" "$(suspended_set)" "$before"

# --- usage errors: one line, a hint, exit 1, nothing changed.
usage() {  # usage NAME ARGS...: the command must fail as a usage error
  local name="$1"; shift
  run_capture kubectl dr "$@"
  expect_eq "$name: exit 1" "$RC" 1
  expect_eq "$name: one error line and the hint" "$(grep -c '^error: ' <<<"$ERR")/$(grep -c "^See 'kubectl dr" <<<"$ERR")" "1/1"
  expect_eq "$name: nothing on stdout" "$OUT" ""
}
usage "no schedule chosen" suspend migrationschedule -n ns-00001
usage "names and --all" suspend migrationschedule migrationschedule --all -n ns-00001
usage "names and -c" resume migrationschedule migrationschedule -c remotecluster -n ns-00001
usage "--all and -f" suspend migrationschedule --all -f "$E2E_TMP/two.yaml"
usage "a name with -A" suspend migrationschedule migrationschedule -A
usage "not a migrationschedule" suspend clusterpair remotecluster -n ns-00001
# -f DIRECTORY (and -R for its subdirectories) reads the manifests in it; an object's namespace that
# disagrees with an explicit -n is refused, as kubectl refuses it.
manifests="$E2E_TMP/manifests"
mkdir -p "$manifests/nested/deeper"
kubectl get migrationschedule migrationschedule -n ns-00004 -o yaml >"$manifests/a.yaml"
kubectl get migrationschedule migrationschedule -n ns-00005 -o json >"$manifests/nested/deeper/b.json"
run_capture kubectl dr resume migrationschedule -f "$manifests"
expect_eq "-f DIR: exit 0" "$RC" 0
expect_eq "-f DIR: its file only, not the subdirectory's" "$(suspend_of ns-00004 migrationschedule)/$(suspend_of ns-00005 migrationschedule)" \
  "false/true"
run_capture kubectl dr resume migrationschedule -f "$manifests" -R
expect_eq "-f DIR -R: exit 0" "$RC" 0
expect_eq "-f DIR -R: the subdirectories too" "$(suspend_of ns-00005 migrationschedule)" "false"
run_capture kubectl dr suspend migrationschedule -f "$manifests/a.yaml" -n ns-00006
expect_eq "-f with another -n: exit 1" "$RC" 1
expect_contains "-f with another -n: kubectl's words" "$ERR" \
  'the namespace from the provided object "ns-00004" does not match the namespace "ns-00006"'
expect_eq "-f with another -n: nothing changed" "$(suspend_of ns-00004 migrationschedule)" "false"
kubectl dr suspend migrationschedule -f "$manifests" -R >/dev/null

usage "no resource word" resume
usage "unknown flag" suspend migrationschedule --all --bogus
expect_eq "usage errors changed nothing" "$(suspended_set)" "$before"

finish
