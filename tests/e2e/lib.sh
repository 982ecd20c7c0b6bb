# Shared helpers for the end-to-end tests. Source it from a *.test.sh script.
# CTest sets DR_BIN_DIR (the plugins), KUBE_EMULATOR (the emulator binary) and DR_SOURCE_DIR.
# The backend: DR_E2E_BACKEND=emulator (default) or real: a real control plane started by
# DR_CONTROL_PLANE (default: DR_SOURCE_DIR/scripts/control-plane.sh), which takes the same
# --clusters/--seed arguments (scripts/test-real.sh runs the scripts that make sense there).
set -euo pipefail
DR_E2E_BACKEND="${DR_E2E_BACKEND:-emulator}"

: "${DR_BIN_DIR:?run through ctest (DR_BIN_DIR not set)}"
: "${KUBE_EMULATOR:?run through ctest (KUBE_EMULATOR not set)}"
command -v kubectl >/dev/null || { echo "FAIL: kubectl is not installed" >&2; exit 1; }
command -v jq >/dev/null || { echo "FAIL: jq is not installed" >&2; exit 1; }

E2E_TMP="$(mktemp -d)"
E2E_EMULATOR_PID=""
export PATH="$DR_BIN_DIR:$PATH"
# A test must never touch the developer's own clusters.
export HOME="$E2E_TMP/home"
mkdir -p "$HOME"
unset KUBECONFIG

e2e_cleanup() {
  if [ -n "$E2E_EMULATOR_PID" ] && kill -0 "$E2E_EMULATOR_PID" 2>/dev/null; then
    kill -TERM "$E2E_EMULATOR_PID" 2>/dev/null || true
    wait "$E2E_EMULATOR_PID" 2>/dev/null || true
  fi
  rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT

# start_emulator [kube-emulator args...]: starts it with a fresh state dir, waits for its JSON
# ready line, exports KUBECONFIG and EMU_INFO (the ready line). Default clusters: us-east-1a,us-east-1b.
start_emulator() {
  local state="$E2E_TMP/state"
  mkdir -p "$state"
  if [ "$DR_E2E_BACKEND" = real ]; then
    start_real_control_plane "$state" "$@"
    return 0
  fi
  "$KUBE_EMULATOR" --state-dir "$state" "$@" >"$E2E_TMP/emulator.out" 2>"$E2E_TMP/emulator.err" &
  E2E_EMULATOR_PID=$!
  # Bounded, not timed: seeding 10,000 workloads takes seconds on a busy machine.
  await_ready_line "${DR_E2E_START_TIMEOUT:-120}" "kube-emulator"
}

# await_ready_line SECONDS WHAT: waits (at most SECONDS) for the backend started as E2E_EMULATOR_PID
# to print its JSON ready line; exports KUBECONFIG and EMU_INFO. Fails the script if it exits or
# the time runs out.
await_ready_line() {
  local limit=$((SECONDS + $1)) what="$2"
  while [ $SECONDS -lt $limit ]; do
    if [ -s "$E2E_TMP/emulator.out" ] && head -1 "$E2E_TMP/emulator.out" | jq -e . >/dev/null 2>&1; then
      EMU_INFO="$(head -1 "$E2E_TMP/emulator.out")"
      export KUBECONFIG
      KUBECONFIG="$(jq -r .kubeconfig <<<"$EMU_INFO")"
      return 0
    fi
    kill -0 "$E2E_EMULATOR_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: $what did not start" >&2
  tail -40 "$E2E_TMP/emulator.err" >&2
  exit 1
}

# emulator_url CLUSTER: the https://127.0.0.1:PORT base URL of one emulated cluster.
emulator_url() { jq -r --arg c "$1" '.clusters[$c].server' <<<"$EMU_INFO"; }

# emulator_admin CLUSTER METHOD PATH [JSON]: calls the emulator's admin API (/emulator/...).
emulator_admin() {
  local cluster="$1" method="$2" path="$3" body="${4:-}"
  if [ "$DR_E2E_BACKEND" = real ]; then
    real_admin "$cluster" "$method" "$path" "$body"
    return
  fi
  local dir; dir="$(jq -r '.state_dir' <<<"$EMU_INFO")"
  curl -sS --fail-with-body -X "$method" --cacert "$dir/ca.crt" --cert "$dir/admin.crt" --key "$dir/admin.key" \
    ${body:+-H 'Content-Type: application/json' --data "$body"} "$(emulator_url "$cluster")$path"
}

# --- the real backend -------------------------------------------------------------------------
# start_real_control_plane STATE ARGS...: scripts/control-plane.sh with the emulator's arguments;
# waits (bounded: DR_E2E_REAL_TIMEOUT seconds, default 600) for its ready line.
start_real_control_plane() {
  local state="$1" launcher="${DR_CONTROL_PLANE:-${DR_SOURCE_DIR:-}/scripts/control-plane.sh}"
  shift
  [ -x "$launcher" ] || { echo "FAIL: the real control plane's launcher $launcher is not executable" >&2; exit 1; }
  KUBE_EMULATOR="$KUBE_EMULATOR" "$launcher" --state-dir "$state" "$@" >"$E2E_TMP/emulator.out" 2>"$E2E_TMP/emulator.err" &
  E2E_EMULATOR_PID=$!
  await_ready_line "${DR_E2E_REAL_TIMEOUT:-600}" "the real control plane"
}

# real_admin CLUSTER METHOD PATH [JSON]: the emulator's admin API where the real backend has an
# equivalent: POST /emulator/sim/migrate goes to the Stork simulation (storksim). Anything else is
# emulator-only: it fails, so a script that needs it fails loudly on the real backend.
real_admin() {
  local cluster="$1" method="$2" path="$3" body="${4:-}" dir
  dir="$(jq -r '.state_dir' <<<"$EMU_INFO")"
  case "$method $path" in
    "POST /emulator/sim/migrate")
      curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' --data "$body" \
        "$(cat "$dir/storksim.url")/migrate?cluster=$cluster";;
    *) echo "emulator_admin $method $path: kube-emulator only (DR_E2E_BACKEND=real)" >&2; return 1;;
  esac
}

# set_domain_state DOMAIN Active|Inactive: what Stork does to the (first) ClusterDomainsStatus after
# an update, for tests that play Stork's part themselves.
set_domain_state() {
  local cds infos
  cds="$(kubectl get clusterdomainsstatuses -o json | jq -r '.items[0].metadata.name')"
  infos="$(kubectl get clusterdomainsstatus "$cds" -o json |
    jq -c --arg d "$1" --arg s "$2" '[.status.clusterDomainInfos[] | if .name == $d then .state = $s else . end]')"
  kubectl patch clusterdomainsstatus "$cds" --type merge -p "{\"status\":{\"clusterDomainInfos\":$infos}}" >/dev/null
}

FAILURES=0
CHECKS=0
# check NAME COMMAND...: runs the command, counts a failure when it exits non-zero.
check() {
  local name="$1"; shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then echo "ok - $name"; else echo "not ok - $name" >&2; FAILURES=$((FAILURES + 1)); fi
}
# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
  CHECKS=$((CHECKS + 1))
  if [ "$2" == "$3" ]; then echo "ok - $1"; else
    printf 'not ok - %s\n--- expected\n%s\n--- actual\n%s\n' "$1" "$3" "$2" >&2; FAILURES=$((FAILURES + 1)); fi
}
# expect_contains NAME HAYSTACK NEEDLE
expect_contains() {
  CHECKS=$((CHECKS + 1))
  if [[ "$2" == *"$3"* ]]; then echo "ok - $1"; else
    printf 'not ok - %s\n--- expected to contain\n%s\n--- actual\n%s\n' "$1" "$3" "$2" >&2; FAILURES=$((FAILURES + 1)); fi
}
# run_capture CMD...: runs CMD, sets OUT, ERR and RC without failing the script.
run_capture() {
  local o="$E2E_TMP/run.out" e="$E2E_TMP/run.err"
  set +e; "$@" >"$o" 2>"$e"; RC=$?; set -e
  OUT="$(cat "$o")"; ERR="$(cat "$e")"
}
# finish: prints the summary and exits non-zero when any check failed.
finish() {
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
