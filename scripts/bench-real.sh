#!/usr/bin/env bash
# The benchmark's three workloads against a real kube-apiserver and etcd (scripts/control-plane.sh
# --apiserver-only) instead of the emulator: kubectl-dr's activation, storkctl's request pattern and
# a kubectl scale loop, each with its requests, wall time, its own CPU and the server's CPU. Run by
# hand (`scripts/bench.sh --real ...` execs this); the figures go into docs/performance.md. Nothing
# here is a CI test and nothing asserts a time.
#
#   scripts/bench-real.sh [--seed scale:N:M] [--runs N] [--scenarios activate,storkctl,kubectl]
#                         [--storkctl-ns N] [--storkctl-patterns all,per-namespace]
#                         [--kubectl-subset N] [--build-dir DIR] [--no-build]
#                         [--markdown] [--keep-logs DIR]
#
#   activate   kubectl-dr-activate migration -A over --seed (default scale:1000:10), a fresh control
#              plane per run (each run activates for real)
#   storkctl   storkctl's sequential pattern (tests/bench/storkctl_pattern.cpp), -a and per-namespace,
#              each on a fresh scale:<storkctl-ns>:M (default 50), extrapolated linearly to N
#   kubectl    `kubectl scale` once per workload over --kubectl-subset (default 100) workloads,
#              extrapolated linearly to the seed's writes
#
# How it differs from the emulator's run (scripts/bench.sh): no added latency (the server's own);
# only etcd and kube-apiserver run (no controller-manager, scheduler, kwok or Stork: pods for
# thousands of activated workloads would compete for the CPU being measured, and nothing the
# activation does needs a controller); the clients authenticate as an ordinary user bound to
# cluster-admin, not as system:masters, which API Priority and Fairness exempts: so every measured
# request goes through APF's default configuration (FlowSchema global-default) as a real user's
# would. Requests are counted by APF (apiserver_flowcontrol_dispatched_requests_total and
# _rejected_requests_total of every non-exempt priority level: the server's own loopback traffic
# and the scrapes are exempt); server CPU is utime+stime of the kube-apiserver and etcd processes
# (/proc/PID/stat) across the measured command.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build-bench"
SEED="scale:1000:10"
RUNS=1
SCENARIOS="activate,storkctl,kubectl"
STORKCTL_NS=50
STORKCTL_PATTERNS="all,per-namespace"
KUBECTL_SUBSET=100
BUILD_FIRST=1
MARKDOWN=0
KEEP_LOGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --storkctl-ns) STORKCTL_NS="$2"; shift ;;
    --storkctl-patterns) STORKCTL_PATTERNS="$2"; shift ;;
    --kubectl-subset) KUBECTL_SUBSET="$2"; shift ;;
    --build-dir) BUILD="$2"; shift ;;
    --no-build) BUILD_FIRST=0 ;;
    --markdown) MARKDOWN=1 ;;
    --keep-logs) KEEP_LOGS="$2"; shift ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown flag $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$SEED" =~ ^scale:([0-9]+):([0-9]+)$ ]] || { echo "error: --seed wants scale:N:M" >&2; exit 2; }
SEED_NS="${BASH_REMATCH[1]}"
SEED_PER_NS="${BASH_REMATCH[2]}"
for tool in jq curl kubectl openssl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

if [ "$BUILD_FIRST" = 1 ]; then
  echo "building (Release) in $BUILD ..." >&2
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
    -DDR_STATIC_DEPS=ON -DDR_WERROR=ON ${CCACHE_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CCACHE_LAUNCHER} >/dev/null
  cmake --build "$BUILD" -j2 --target bench >/dev/null
fi
export KUBE_EMULATOR="${KUBE_EMULATOR:-$BUILD/tests/emulator/kube-emulator}"  # the seeds come from it
STORKCTL_PATTERN="$BUILD/tests/bench/storkctl-pattern"
TIMED_RUN="$BUILD/tests/bench/timed-run"
for bin in "$KUBE_EMULATOR" "$STORKCTL_PATTERN" "$TIMED_RUN" "$BUILD/plugins/kubectl-dr-activate"; do
  [ -x "$bin" ] || { echo "error: $bin is not built (drop --no-build)" >&2; exit 1; }
done
bash "$ROOT/scripts/control-plane.sh" build >/dev/null

TMP="$(mktemp -d)"
CP_PID=""
stop_control_plane() {
  if [ -n "$CP_PID" ]; then
    kill -TERM "$CP_PID" 2>/dev/null || true
    wait "$CP_PID" 2>/dev/null || true
    CP_PID=""
  fi
}
keep_logs() {
  [ -n "$KEEP_LOGS" ] && [ -n "${CP_DIR:-}" ] && mkdir -p "$KEEP_LOGS" &&
    cp -r "$CP_DIR/logs" "$KEEP_LOGS/$(basename "$CP_DIR")" 2>/dev/null || true
}
trap 'stop_control_plane; keep_logs; rm -rf "$TMP"' EXIT
export PATH="$BUILD/plugins:$PATH"
export HOME="$TMP/home"  # kubectl's discovery cache, never the user's clusters
mkdir -p "$HOME"
unset KUBECONFIG

# start_control_plane SEED: a fresh one-cluster control plane, seeded, and the benchmark's user;
# sets CP_DIR, SERVER, KUBECONFIG (the user's), SEED_SECONDS.
start_control_plane() {
  stop_control_plane
  keep_logs
  CP_DIR="$TMP/cp.$RANDOM$RANDOM"
  mkdir -p "$CP_DIR"
  local t0=$SECONDS
  bash "$ROOT/scripts/control-plane.sh" --clusters dst --state-dir "$CP_DIR" --seed "$1" --apiserver-only \
    >"$CP_DIR.out" 2>"$CP_DIR.err" &
  CP_PID=$!
  # bounded, not timed: seeding 13,000 objects through kubectl takes minutes on a busy machine
  local limit=$((SECONDS + ${DR_BENCH_START_TIMEOUT:-1800}))
  until [ -s "$CP_DIR.out" ] && head -1 "$CP_DIR.out" | jq -e . >/dev/null 2>&1; do
    if ! kill -0 "$CP_PID" 2>/dev/null || [ $SECONDS -ge $limit ]; then
      echo "error: the control plane did not start" >&2; tail -20 "$CP_DIR.err" >&2; exit 1
    fi
    sleep 0.5
  done
  SEED_SECONDS=$((SECONDS - t0))
  SERVER="$(head -1 "$CP_DIR.out" | jq -r '.clusters.dst.server')"
  add_bench_user
}

admin_curl() { curl -sS --fail --cacert "$CP_DIR/ca.crt" --cert "$CP_DIR/admin.crt" --key "$CP_DIR/admin.key" "$SERVER$1"; }

# add_bench_user: a client certificate for the user dr-bench (no group: not system:masters, so
# APF classifies its requests as anyone's), bound to cluster-admin, in a kubeconfig of its own.
add_bench_user() {
  local pki="$CP_DIR/pki"
  openssl req -newkey rsa:2048 -nodes -keyout "$CP_DIR/bench.key" -out "$CP_DIR/bench.csr" -subj "/CN=dr-bench" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$CP_DIR/bench.ext"
  openssl x509 -req -in "$CP_DIR/bench.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -out "$CP_DIR/bench.crt" -days 2 -extfile "$CP_DIR/bench.ext" 2>/dev/null
  kubectl --kubeconfig "$CP_DIR/kubeconfig" create clusterrolebinding dr-bench --clusterrole cluster-admin \
    --user dr-bench >/dev/null
  export KUBECONFIG="$CP_DIR/bench.kubeconfig"
  kubectl config set-cluster dst --server "$SERVER" --certificate-authority "$CP_DIR/ca.crt" --embed-certs >/dev/null
  kubectl config set-credentials dr-bench --client-certificate "$CP_DIR/bench.crt" \
    --client-key "$CP_DIR/bench.key" --embed-certs >/dev/null
  kubectl config set-context dst --cluster dst --user dr-bench >/dev/null
  kubectl config use-context dst >/dev/null
  # RBAC's authorizer sees the binding once its informer has it (bounded wait)
  local _
  for _ in $(seq 1 120); do
    [ "$(kubectl auth can-i patch deployments -A 2>/dev/null)" = yes ] && return 0
    sleep 0.5
  done
  echo "error: the binding of dr-bench to cluster-admin did not take effect" >&2; exit 1
}

# apf_counts: "DISPATCHED REJECTED WAIT_SECONDS_SUM FLOW_SCHEMAS" over every non-exempt priority level.
apf_counts() {
  admin_curl /metrics | awk '
    function label(l, k,   r) { r = l; if (!match(r, k "=\"[^\"]*\"")) return ""; r = substr(r, RSTART + length(k) + 2, RLENGTH - length(k) - 3); return r }
    /^apiserver_flowcontrol_(dispatched|rejected)_requests_total\{/ || /^apiserver_flowcontrol_request_wait_duration_seconds_sum\{/ {
      split($0, parts, " "); name = parts[1]; value = parts[2]
      if (label(name, "priority_level") == "exempt") next
      if (name ~ /^apiserver_flowcontrol_dispatched/) { d += value; if (value > 0) fs[label(name, "flow_schema")] = 1 }
      else if (name ~ /^apiserver_flowcontrol_rejected/) r += value
      else w += value
    }
    END { s = ""; for (f in fs) s = s (s == "" ? "" : ",") f; printf "%d %d %.3f %s\n", d, r, w, (s == "" ? "-" : s) }'
}
# request_counts: apiserver_request_total as "VERB RESOURCE/SUBRESOURCE CODE COUNT" lines (every
# client's: besides the measured one, only the API server's own loopback traffic, a few leases)
request_counts() {
  admin_curl /metrics | awk '/^apiserver_request_total\{/ {
    split($0, parts, " "); l = parts[1]; v = ""; r = ""; sr = ""; c = ""
    if (match(l, /verb="[^"]*"/)) v = substr(l, RSTART + 6, RLENGTH - 7)
    if (match(l, /[{,]resource="[^"]*"/)) r = substr(l, RSTART + 11, RLENGTH - 12)
    if (match(l, /subresource="[^"]*"/)) sr = substr(l, RSTART + 13, RLENGTH - 14)
    if (match(l, /code="[^"]*"/)) c = substr(l, RSTART + 6, RLENGTH - 7)
    n[v " " (r == "" ? "-" : r) (sr == "" ? "" : "/" sr) " " c] += parts[2] }
    END { for (k in n) print k, n[k] }' | sort
}
# server_ticks: utime+stime of kube-apiserver and of etcd, in clock ticks: "APISERVER ETCD".
server_ticks() {
  local name pid
  for name in dst-apiserver etcd; do
    pid="$(cat "$CP_DIR/pids/$name")"
    # the fields after the command name (which may hold spaces): utime is the 12th, stime the 13th
    sed 's/^.*) //' "/proc/$pid/stat" | awk '{ printf "%d ", $12 + $13 }'
  done
  echo
}
CLK_TCK="$(getconf CLK_TCK)"

# measure LABEL CMD...: runs CMD under timed-run between two readings of APF's counters and the
# server's CPU; sets WALL RSS CPU REQS REJECTED APF_WAIT FLOWS API_CPU ETCD_CPU.
measure() {
  local label="$1" a0 e0 a1 e1 d0 r0 w0 d1 r1 w1 _
  shift
  request_counts >"$TMP/requests.before"
  read -r d0 r0 w0 _ <<<"$(apf_counts)"
  read -r a0 e0 <<<"$(server_ticks)"
  if ! "$TIMED_RUN" -o "$TMP/time" -- "$@" >"$TMP/out" 2>"$TMP/err"; then
    echo "error: $label failed: $*" >&2; tail -5 "$TMP/err" >&2; exit 1
  fi
  read -r a1 e1 <<<"$(server_ticks)"
  read -r d1 r1 w1 FLOWS <<<"$(apf_counts)"
  request_counts >"$TMP/requests.after"
  read -r WALL RSS CPU <"$TMP/time"
  REQS=$((d1 - d0 + r1 - r0))
  REJECTED=$((r1 - r0))
  APF_WAIT="$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.3f", b - a }')"
  API_CPU="$(awk -v a="$a0" -v b="$a1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
  ETCD_CPU="$(awk -v a="$e0" -v b="$e1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
  echo "  $label: ${WALL}s, $REQS requests ($REJECTED rejected by APF, ${APF_WAIT}s queued, flow schemas: $FLOWS)," \
    "client CPU ${CPU}s, kube-apiserver CPU ${API_CPU}s, etcd CPU ${ETCD_CPU}s" >&2
  # by verb, resource and status (the API server's own few requests included)
  join -a2 -e0 -o 0,1.2,2.2 <(awk '{ print $1 "|" $2 "|" $3, $4 }' "$TMP/requests.before") \
    <(awk '{ print $1 "|" $2 "|" $3, $4 }' "$TMP/requests.after") |
    awk '$3 - $2 > 0 { split($1, k, "|"); printf "    %s %s %s: %d\n", k[1], k[2], k[3], $3 - $2 }' >&2
}

RESULTS="$TMP/results.tsv"  # scenario, factor, wall, requests, client cpu, apiserver cpu, etcd cpu, rejected, rss, note
: >"$RESULTS"
# record SCENARIO FACTOR NOTE: the last measure's figures, times FACTOR (an extrapolation) or 1.
record() {
  awk -v s="$1" -v f="$2" -v n="$3" -v w="$WALL" -v q="$REQS" -v c="$CPU" -v a="$API_CPU" -v e="$ETCD_CPU" -v r="$REJECTED" \
    -v m="$RSS" 'BEGIN { printf "%s\t%.3f\t%.3f\t%d\t%.2f\t%.2f\t%.2f\t%d\t%.1f\t%s\n", s, f, w * f, q * f, c * f, a * f, e * f, r * f, m / 1024, n }' >>"$RESULTS"
}

# the writes an activation needs: one per workload with a recorded count, one per suspended
# CronJob (what bench.sh's loop is extrapolated to, from patch-loadgen --minimum)
activation_writes() {
  kubectl get statefulsets,deployments,cronjobs -A -o json | jq '[.items[] | select(((.metadata.annotations // {}) |
    has("stork.libopenstorage.org/migrationReplicas") or has("stork.openstorage.org/migrationReplicas"))
    or (.kind == "CronJob" and .spec.suspend == true))] | length'
}

if want activate; then
  for r in $(seq 1 "$RUNS"); do
    echo "activate -A on $SEED, run $r: seeding ..." >&2
    start_control_plane "$SEED"
    echo "  seeded in ${SEED_SECONDS}s (control plane start included)" >&2
    measure "activate run $r" kubectl-dr-activate migration -A
    left="$(kubectl get statefulsets,deployments -A -o json | jq '[.items[] | (.metadata.annotations // {}) as $a |
      ($a["stork.libopenstorage.org/migrationReplicas"] // $a["stork.openstorage.org/migrationReplicas"]) as $c |
      select($c != null and .spec.replicas != ($c | tonumber))] | length')"
    [ "$left" = 0 ] || { echo "error: $left workloads not at their count after the activation" >&2; exit 1; }
    record "activate" 1 "$SEED, run $r; every workload at its count"
  done
fi

if want storkctl; then
  factor="$(awk -v n="$STORKCTL_NS" -v t="$SEED_NS" 'BEGIN { printf "%.4f", t / n }')"
  for pattern in ${STORKCTL_PATTERNS//,/ }; do
    echo "storkctl's pattern ($pattern) on scale:$STORKCTL_NS:$SEED_PER_NS ..." >&2
    start_control_plane "scale:$STORKCTL_NS:$SEED_PER_NS"
    measure "storkctl -$pattern" "$STORKCTL_PATTERN" --pattern "$pattern"
    record "storkctl-$pattern" "$factor" "measured on $STORKCTL_NS ns, x$factor"
  done
fi

if want kubectl; then
  # enough namespaces for the subset (4 replica counts per 10 workloads in the scale seed)
  ns_needed=$(( (KUBECTL_SUBSET * 10 / (4 * SEED_PER_NS)) + 1 ))
  echo "kubectl scale loop on $KUBECTL_SUBSET workloads (scale:$ns_needed:$SEED_PER_NS) ..." >&2
  start_control_plane "scale:$ns_needed:$SEED_PER_NS"
  kubectl get statefulsets,deployments -A -o json | jq -r --argjson n "$KUBECTL_SUBSET" '[.items[] |
    ((.metadata.annotations // {}) | (.["stork.libopenstorage.org/migrationReplicas"] //
      .["stork.openstorage.org/migrationReplicas"])) as $c | select($c != null) |
    "\(.metadata.namespace) \(.kind | ascii_downcase)/\(.metadata.name) \($c)"] | .[:$n][]' >"$TMP/loop"
  done_n=$(wc -l <"$TMP/loop")
  total_writes="$(awk -v w="$(activation_writes)" -v n="$ns_needed" -v t="$SEED_NS" 'BEGIN { printf "%d", w / n * t }')"
  cat >"$TMP/loop.sh" <<'EOF'
while read -r ns obj count; do kubectl scale -n "$ns" "$obj" --replicas="$count" >/dev/null; done <"$1"
EOF
  measure "kubectl loop" bash "$TMP/loop.sh" "$TMP/loop"
  factor="$(awk -v n="$done_n" -v t="$total_writes" 'BEGIN { printf "%.4f", t / n }')"
  record "kubectl-scale-loop" "$factor" "measured on $done_n workloads, extrapolated to $total_writes writes"
fi
stop_control_plane

# ---- the table ----
act_wall="$(awk -F'\t' '$1 == "activate" { print $3; exit }' "$RESULTS")"
{
  if [ "$MARKDOWN" = 1 ]; then
    echo "| scenario | requests | wall (s) | client CPU (s) | kube-apiserver CPU (s) | etcd CPU (s) | APF rejected | client peak RSS (MiB) | notes |"
    echo "|---|---|---|---|---|---|---|---|---|"
  else
    printf '%-24s %9s %9s %8s %9s %8s %6s %8s  %s\n' scenario requests wall "cli CPU" "apisv CPU" "etcd CPU" "429s" "RSS MiB" notes
  fi
  while IFS=$'\t' read -r s f w q c a e r m note; do
    [ -n "$act_wall" ] && [ "$s" != activate ] && note+="; $(awk -v b="$w" -v o="$act_wall" 'BEGIN { printf "%.1fx the activation'"'"'s time", b / o }')"
    if [ "$MARKDOWN" = 1 ]; then
      printf '| %s | %s | %.3f | %.2f | %.2f | %.2f | %s | %s | %s |\n' "$s" "$q" "$w" "$c" "$a" "$e" "$r" "$m" "$note"
    else
      printf '%-24s %9s %9.3f %8.2f %9.2f %8.2f %6s %8s  %s\n' "$s" "$q" "$w" "$c" "$a" "$e" "$r" "$m" "$note"
    fi
  done <"$RESULTS"
}
