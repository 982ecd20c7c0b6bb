#!/usr/bin/env bash
# The differential fidelity test (DR_E2E_BACKEND=real; skipped otherwise): kube-emulator and the
# real control plane, both with the zookeeper-failover seed, get the same requests (those the
# plugins and kubectl send); the status codes, the Status reasons and messages, and the shape of
# the answers (the set of JSON paths, values left out) are compared. Every difference is printed;
# the test fails on a difference not listed in fidelity-known.txt (so new drift is caught) and
# says which listed ones have gone (so the list can shrink). docs/emulator-fidelity.md explains
# each listed difference. DR_FIDELITY_REPORT=FILE keeps the full report.
source "$(dirname "$0")/../e2e/lib.sh"
if [ "$DR_E2E_BACKEND" != real ]; then echo "SKIP: needs the real control plane (DR_E2E_BACKEND=real)"; finish; exit 0; fi
HERE="$(cd "$(dirname "$0")" && pwd)"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
REAL_INFO="$EMU_INFO"

# the emulator, beside it
EMU_STATE="$E2E_TMP/emu"
mkdir -p "$EMU_STATE"
"$KUBE_EMULATOR" --clusters us-east-1a,us-east-1b --seed zookeeper-failover --state-dir "$EMU_STATE" \
  >"$E2E_TMP/emu.out" 2>"$E2E_TMP/emu.err" &
EMU_PID=$!
trap 'kill -TERM $EMU_PID 2>/dev/null; wait $EMU_PID 2>/dev/null; e2e_cleanup' EXIT
for _ in $(seq 1 600); do [ -s "$E2E_TMP/emu.out" ] && head -1 "$E2E_TMP/emu.out" | jq -e . >/dev/null 2>&1 && break; sleep 0.1; done
EMU_ONLY_INFO="$(head -1 "$E2E_TMP/emu.out")"
[ -n "$EMU_ONLY_INFO" ] && jq -e '.clusters["us-east-1b"].server' >/dev/null 2>&1 <<<"$EMU_ONLY_INFO" ||
  { echo "FAIL: kube-emulator did not start: $EMU_ONLY_INFO" >&2; cat "$E2E_TMP/emu.err" >&2; exit 1; }
echo "# emulator: $EMU_ONLY_INFO"
echo "# real: $REAL_INFO"

OUTDIR="$E2E_TMP/fidelity"
mkdir -p "$OUTDIR/emulator" "$OUTDIR/real"
REPORT="${DR_FIDELITY_REPORT:-$E2E_TMP/fidelity-report.txt}"
: >"$REPORT"

# call BACKEND NAME METHOD PATH [CONTENT-TYPE BODY [HEADER...]]: one request to us-east-1b of that backend.
call() {
  local backend="$1" name="$2" method="$3" path="$4" ctype="${5:-}" body="${6:-}" info dir url
  shift 6 2>/dev/null || shift $#
  info="$([ "$backend" = real ] && echo "$REAL_INFO" || echo "$EMU_ONLY_INFO")"
  dir="$(jq -r .state_dir <<<"$info")"
  url="$(jq -r '.clusters["us-east-1b"].server' <<<"$info")"
  local args=(-sS -o "$OUTDIR/$backend/$name.body" -w '%{http_code}' -X "$method" --cacert "$dir/ca.crt"
    --cert "$dir/admin.crt" --key "$dir/admin.key" -H 'Accept: application/json' -H 'User-Agent: kubectl-dr/fidelity')
  [ -n "$ctype" ] && args+=(-H "Content-Type: $ctype" --data-binary "$body")
  local h
  for h in "$@"; do args+=(-H "$h"); done
  if ! curl "${args[@]}" "$url$path" >"$OUTDIR/$backend/$name.code" 2>"$OUTDIR/$backend/$name.err"; then
    echo 000 >"$OUTDIR/$backend/$name.code"
    echo "# $backend $name: $(head -c 300 "$OUTDIR/$backend/$name.err")" >&2
  fi
}

# normalise: the values that differ by nature (names, times, versions, UIDs, ports) become placeholders
norm() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UID/g; s/[0-9]+/N/g'; }
# shape FILE: the JSON paths of a body (array indices folded, four levels deep at most, managedFields'
# contents left out), one a line; "(not JSON)" otherwise. A watch answers a stream: its events' paths.
shape() {
  jq -r '[paths | map(if type == "number" then "[]" else tostring end) | .[:4]
          | select(index("managedFields") == null or index("managedFields") == (length - 1)) | join(".")] | unique | .[]' \
    "$1" 2>/dev/null | sort -u || echo "(not JSON)"
}

DIFFS=0
# compare NAME [shape-root]: codes, Status fields, shapes. Shape comparison is limited to paths under
# ROOT (a jq-style prefix such as "metadata" or "items.[].metadata") when given, "" for all.
compare() {
  local name="$1" root="${2-}" ec rc
  ec="$(cat "$OUTDIR/emulator/$name.code" 2>/dev/null || echo none)"
  rc="$(cat "$OUTDIR/real/$name.code" 2>/dev/null || echo none)"
  diff_line() { echo "$name $1 | emulator: $2 | real: $3" >>"$REPORT"; DIFFS=$((DIFFS + 1)); }
  [ "$ec" = "$rc" ] || diff_line code "$ec" "$rc"
  local ek rk
  ek="$(jq -r 'select(type == "object") | .kind // empty' "$OUTDIR/emulator/$name.body" 2>/dev/null || true)"
  rk="$(jq -r 'select(type == "object") | .kind // empty' "$OUTDIR/real/$name.body" 2>/dev/null || true)"
  if [ "$ek" = Status ] || [ "$rk" = Status ]; then
    local f e r
    for f in reason message details.name details.kind details.group 'details.causes'; do
      e="$( (jq -c ".$f // null" "$OUTDIR/emulator/$name.body" 2>/dev/null || echo '(not JSON)') | norm)"
      r="$( (jq -c ".$f // null" "$OUTDIR/real/$name.body" 2>/dev/null || echo '(not JSON)') | norm)"
      [ "$e" = "$r" ] || diff_line "status.$f" "$e" "$r"
    done
    return
  fi
  local es rs only
  es="$(shape "$OUTDIR/emulator/$name.body" | grep -E "^${root//./\\.}" || true)"
  rs="$(shape "$OUTDIR/real/$name.body" | grep -E "^${root//./\\.}" || true)"
  only="$(comm -23 <(sort <<<"$es") <(sort <<<"$rs") | tr '\n' ' ')"
  [ -z "$only" ] || diff_line "shape.emulator-only" "${only% }" "-"
  only="$(comm -13 <(sort <<<"$es") <(sort <<<"$rs") | tr '\n' ' ')"
  [ -z "$only" ] || diff_line "shape.real-only" "-" "${only% }"
}

# req NAME [SHAPE-ROOT] -- METHOD PATH [CONTENT-TYPE BODY [HEADER...]]: the same request to both, compared.
req() {
  local name="$1" root=""
  shift
  if [ "$1" != -- ]; then root="$1"; shift; fi
  shift
  call emulator "$name" "$@"
  call real "$name" "$@"
  compare "$name" "$root"
}

NS=/api/v1/namespaces/zookeeper
STS=/apis/apps/v1/namespaces/zookeeper/statefulsets
ST=/apis/stork.libopenstorage.org/v1alpha1
MERGE=application/merge-patch+json
JSON=application/json

# discovery, as kubectl and the plugins read it
req discovery-api -- GET /api
req discovery-apis-stork 'groups' -- GET /apis
req discovery-stork-resources -- GET $ST
req version-shape -- GET /version
# reads
req get-sts 'metadata' -- GET $STS/zk
req get-sts-spec 'spec' -- GET $STS/zk
req get-sts-notfound -- GET $STS/nope
req get-ns-notfound -- GET /api/v1/namespaces/nope
req get-in-missing-namespace -- GET /apis/apps/v1/namespaces/nope/statefulsets/zk
req get-unknown-resource -- GET /apis/apps/v1/namespaces/zookeeper/foos/x
req get-unknown-group -- GET /apis/nope.example.com/v1/foos
req list-sts-page 'metadata' -- GET "$STS?limit=1"
# the items of a built-in kind's list: a real server leaves out their apiVersion and kind
req list-sts-items 'items' -- GET "$STS?limit=1"
req list-sts-all-namespaces 'metadata' -- GET "/apis/apps/v1/statefulsets?limit=500"
req list-bad-label-selector -- GET "$STS?labelSelector=app%20in%20(zk"
req list-bad-field-selector -- GET "$STS?fieldSelector=spec.nope%3Dx"
req list-bad-continue -- GET "$STS?limit=1&continue=garbage"
req list-table 'columnDefinitions' -- GET "$STS" '' '' 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
req get-schedule 'status' -- GET $ST/namespaces/zookeeper/migrationschedules/migrationschedule
req get-cds 'status' -- GET $ST/clusterdomainsstatuses/px-dr-cluster
req get-crd-status-subresource -- GET $ST/namespaces/zookeeper/migrationschedules/migrationschedule/status
req list-migrations 'metadata' -- GET "$ST/namespaces/zookeeper/migrations"
req get-scale -- GET $STS/zk/scale
# writes (dry run where the object must stay as seeded)
req patch-sts-dryrun 'metadata' -- PATCH "$STS/zk?dryRun=All&fieldManager=kubectl-dr" $MERGE '{"spec":{"replicas":3}}'
req patch-sts-bad-json -- PATCH "$STS/zk" $MERGE '{"spec":'
req patch-sts-bad-type -- PATCH "$STS/zk" $MERGE '{"spec":{"replicas":"three"}}'
req patch-sts-negative -- PATCH "$STS/zk?dryRun=All" $MERGE '{"spec":{"replicas":-1}}'
req patch-sts-stale-rv -- PATCH "$STS/zk" $MERGE '{"metadata":{"resourceVersion":"1"},"spec":{"replicas":0}}'
req patch-sts-notfound -- PATCH "$STS/nope" $MERGE '{"spec":{"replicas":1}}'
req patch-unsupported-type -- PATCH "$STS/zk" text/plain 'x'
req patch-sts-strategic 'metadata' -- PATCH "$STS/zk?dryRun=All" application/strategic-merge-patch+json '{"spec":{"replicas":3}}'
req patch-sts-json-patch 'metadata' -- PATCH "$STS/zk?dryRun=All" application/json-patch+json '[{"op":"replace","path":"/spec/replicas","value":3}]'
req patch-sts-json-patch-test-fails -- PATCH "$STS/zk" application/json-patch+json '[{"op":"test","path":"/spec/replicas","value":7}]'
req patch-sts-bad-dryrun -- PATCH "$STS/zk?dryRun=Maybe" $MERGE '{"spec":{"replicas":3}}'
req patch-scale-dryrun -- PATCH "$STS/zk/scale?dryRun=All" $MERGE '{"spec":{"replicas":3}}'
req create-exists -- POST /api/v1/namespaces $JSON '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"zookeeper"}}'
req create-invalid-name -- POST /api/v1/namespaces $JSON '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"Not_Valid"}}'
req create-deploy-no-selector -- POST "/apis/apps/v1/namespaces/zookeeper/deployments?dryRun=All" $JSON \
  '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}'
req create-kind-mismatch -- POST "$NS/configmaps?dryRun=All" $JSON '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}'
req create-namespace-mismatch -- POST "$NS/configmaps?dryRun=All" $JSON '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}'
req create-cdu 'metadata' -- POST "$ST/clusterdomainupdates?dryRun=All" $JSON \
  '{"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainUpdate","metadata":{"name":"fidelity"},"spec":{"clusterdomain":"us-east-1a","active":false}}'
req create-cdu-generate-name 'metadata' -- POST "$ST/clusterdomainupdates?dryRun=All" $JSON \
  '{"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainUpdate","metadata":{"generateName":"fidelity-"},"spec":{"clusterdomain":"us-east-1a","active":false}}'
req patch-schedule-suspend 'spec' -- PATCH "$ST/namespaces/zookeeper/migrationschedules/migrationschedule?dryRun=All" $MERGE '{"spec":{"suspend":true}}'
req delete-notfound -- DELETE "$NS/configmaps/nope"
req delete-dryrun 'metadata' -- DELETE "$NS/services/zk-cs?dryRun=All"
# authorization: impersonating a user without any binding
req impersonated-forbidden -- GET "$STS" '' '' 'Impersonate-User: nobody'
req impersonated-forbidden-patch -- PATCH "$STS/zk?dryRun=All" $MERGE '{"spec":{"replicas":3}}' 'Impersonate-User: nobody'
# watch: the first event of a bounded watch
req watch-sts -- GET "$STS?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dzk"
req watch-too-old -- GET "$STS?watch=1&resourceVersion=1&timeoutSeconds=1"

echo "# $DIFFS differences (report: $REPORT)"
sed 's/^/#   /' "$REPORT"

# every difference must be a known one: "NAME ASPECT" in fidelity-known.txt
known="$(grep -v '^#' "$HERE/fidelity-known.txt" | awk 'NF { print $1, $2 }' | sort -u)"
found="$(awk '{ print $1, $2 }' "$REPORT" | sort -u)"
new="$(comm -13 <(echo "$known") <(echo "$found") | sed '/^$/d')"
gone="$(comm -23 <(echo "$known") <(echo "$found") | sed '/^$/d')"
expect_eq "no difference beyond the known ones (fidelity-known.txt, docs/emulator-fidelity.md)" "$new" ""
[ -z "$gone" ] || printf '# listed but no longer seen (the emulator or the real server changed; shrink the list):\n%s\n' "$gone"
check "both backends answered every request" bash -c "! grep -l '^000$' '$OUTDIR'/*/*.code"
finish
