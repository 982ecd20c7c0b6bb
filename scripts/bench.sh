#!/usr/bin/env bash
# Benchmark of kubectl-dr at scale against the emulator (TLS), with its baselines. Run by hand; its
# numbers go into docs/performance.md. Nothing here is a CI test and nothing asserts a time.
#
#   scripts/bench.sh [--quick] [--runs N] [--scenarios a,b,...] [--sizes W1,W2,...]
#                    [--build-dir DIR] [--no-build] [--markdown]
#
# Scenarios (default: all):
#   activate   kubectl-dr-activate migration -A (what `kubectl dr activate` execs), 1,000 ns x 10
#              workloads, at --latency-ms 5 and 0
#   storkctl   baseline (a): storkctl's sequential pattern (tests/bench/storkctl_pattern.cpp), -a and
#              per-namespace, on 50 namespaces at 5 ms, extrapolated linearly to 1,000
#   kubectl    baseline (b): a shell loop of `kubectl scale` per workload, on a subset at 5 ms,
#              extrapolated linearly to the 5,000 writes
#   loadgen    baseline (c): plain parallel PATCHes (tests/bench/patch_loadgen.cpp) at 0 ms, the
#              workloads' and the schedules', byte for byte the activation's: the emulator's
#              saturation write rate. With activate, a round at each of 8, 16, 32, 64 in
#              flight follows every 0 ms activation on the same emulator (paired in time)
#   single     kubectl dr status vs kubectl get clusterdomainsstatuses, kubectl dr suspend vs
#              kubectl patch (paired runs, 0 ms)
#   scaling    activate -A at 100, 1,000, 10,000, 50,000 workloads (--sizes), 5 ms
# --quick: fewer runs and smaller subsets. Default run: about 4 minutes on 2 cores, after the build.
# --real [flags]: the activation, storkctl and kubectl workloads against a real kube-apiserver and
#   etcd instead (scripts/bench-real.sh, which lists its own flags: --real --help).
# --failover [flags]: the one-command failover against its stages run alone on two emulated clusters
#   (scripts/bench-failover.sh, which lists its own flags: --failover --help).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ " $* " == *" --failover "* ]]; then
  args=()
  for a in "$@"; do [ "$a" = --failover ] || args+=("$a"); done
  exec bash "$ROOT/scripts/bench-failover.sh" ${args[@]+"${args[@]}"}
fi
if [[ " $* " == *" --real "* ]]; then
  args=()
  for a in "$@"; do [ "$a" = --real ] || args+=("$a"); done
  exec bash "$ROOT/scripts/bench-real.sh" ${args[@]+"${args[@]}"}
fi
BUILD="$ROOT/build-bench"
RUNS=5
SCENARIOS="activate,storkctl,kubectl,loadgen,single,scaling"
SIZES="100,1000,10000,50000"
BUILD_FIRST=1
MARKDOWN=0
QUICK=0
RUNS_GIVEN=0
STORKCTL_NS=50      # namespaces the storkctl pattern runs on (x10 workloads)
KUBECTL_SUBSET=100  # workloads the kubectl loop scales
SCALING_RUNS=3
SINGLE_RUNS=20

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS="$2"; RUNS_GIVEN=1; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --sizes) SIZES="$2"; shift ;;
    --build-dir) BUILD="$2"; shift ;;
    --no-build) BUILD_FIRST=0 ;;
    --markdown) MARKDOWN=1 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown flag $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  [ "$RUNS_GIVEN" = 1 ] || RUNS=3
  STORKCTL_NS=20; KUBECTL_SUBSET=30; SCALING_RUNS=1; SINGLE_RUNS=5; SIZES="${SIZES/,50000/}"
fi
for tool in jq curl kubectl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

if [ "$BUILD_FIRST" = 1 ]; then
  echo "building (Release) in $BUILD ..." >&2
  # What ships (package.sh): static libstdc++ and yaml-cpp, which also start faster.
  # -O2: GCC 12's -O3 raises a false -Wrestrict inside libstdc++ (the project builds with -Werror).
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
    -DDR_STATIC_DEPS=ON -DDR_WERROR=ON ${CCACHE_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CCACHE_LAUNCHER} >/dev/null
  cmake --build "$BUILD" -j2 --target bench >/dev/null
fi
EMULATOR="$BUILD/tests/emulator/kube-emulator"
STORKCTL_PATTERN="$BUILD/tests/bench/storkctl-pattern"
LOADGEN="$BUILD/tests/bench/patch-loadgen"
TIMED_RUN="$BUILD/tests/bench/timed-run"
for bin in "$EMULATOR" "$STORKCTL_PATTERN" "$LOADGEN" "$TIMED_RUN" "$BUILD/plugins/kubectl-dr-activate"; do
  [ -x "$bin" ] || { echo "error: $bin is not built (drop --no-build)" >&2; exit 1; }
done

TMP="$(mktemp -d)"
EMU_PID=""
stop_emulator() {
  if [ -n "$EMU_PID" ]; then
    kill -TERM "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
    EMU_PID=""
  fi
}
trap 'stop_emulator; rm -rf "$TMP"' EXIT
export PATH="$BUILD/plugins:$PATH"
export HOME="$TMP/home"  # kubectl's discovery cache, never the user's clusters
mkdir -p "$HOME"
unset KUBECONFIG

# start_emulator SEED LATENCY_MS: a fresh single-cluster emulator; sets KUBECONFIG, EMU_SERVER, EMU_DIR.
start_emulator() {
  stop_emulator
  EMU_DIR="$TMP/state.$RANDOM$RANDOM"
  mkdir -p "$EMU_DIR"
  # No workload controller: pods and ReplicaSets it would create compete for the same two cores
  # and are not part of what is measured (the API traffic of an activation).
  "$EMULATOR" --clusters "${EMU_CLUSTERS:-dst}" --state-dir "$EMU_DIR" --seed "$1" --latency-ms "$2" \
    --no-workload-controller >"$EMU_DIR/out" 2>"$EMU_DIR/err" &
  EMU_PID=$!
  local _
  for _ in $(seq 1 1200); do
    if [ -s "$EMU_DIR/out" ] && head -1 "$EMU_DIR/out" | jq -e . >/dev/null 2>&1; then
      export KUBECONFIG; KUBECONFIG="$(head -1 "$EMU_DIR/out" | jq -r .kubeconfig)"
      # The scale seed fills the last cluster.
      EMU_SERVER="$(head -1 "$EMU_DIR/out" | jq -r '[.clusters[]] | last | .server')"
      return 0
    fi
    kill -0 "$EMU_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "error: kube-emulator did not start" >&2; cat "$EMU_DIR/err" >&2; exit 1
}
admin() {  # admin METHOD PATH
  curl -sS --fail-with-body -X "$1" --cacert "$EMU_DIR/ca.crt" --cert "$EMU_DIR/admin.crt" \
    --key "$EMU_DIR/admin.key" "$EMU_SERVER$2"
}
reset_requests() { admin DELETE /emulator/stats >/dev/null; }
# API requests since the last reset (the admin calls themselves left out).
count_requests() { admin GET /emulator/stats | jq '.total - (.by_verb.admin // 0)'; }
minimum() { "$LOADGEN" --server "$EMU_SERVER" --cacert "$EMU_DIR/ca.crt" --cert "$EMU_DIR/admin.crt" \
  --key "$EMU_DIR/admin.key" --minimum; }

# measure CMD...: runs it once under timed-run; sets WALL (seconds, µs resolution) and RSS (peak, KiB).
# Output is kept in $TMP/out and $TMP/err.
measure() {
  if ! "$TIMED_RUN" -o "$TMP/time" -- "$@" >"$TMP/out" 2>"$TMP/err"; then
    echo "error: failed: $*" >&2; tail -5 "$TMP/err" >&2; exit 1
  fi
  read -r WALL RSS CPU <"$TMP/time"
}
# emulator_ticks: the emulator's utime+stime in clock ticks (compared with the real server's in
# bench-real.sh)
emulator_ticks() { sed 's/^.*) //' "/proc/$EMU_PID/stat" | awk '{ print $12 + $13 }'; }
# stats V1 V2 ...: "median min max"
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.4f %.4f %.4f", m, v[1], v[NR] }'; }
max_of() { printf '%s\n' "$@" | sort -g | tail -1; }

# record's median/min/max come word-split on purpose from $(stats ...) ("median min max").
RESULTS="$TMP/results.tsv"  # scenario, requests, median, min, max, rss KiB, note
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }
median_of() { awk -F'\t' -v s="$1" '$1 == s { print $3 }' "$RESULTS" | head -1; }
requests_of() { awk -F'\t' -v s="$1" '$1 == s { print $2 }' "$RESULTS" | head -1; }

LOADGEN_PARALLEL="8,16,32,64"
# loadgen_rounds RUN: one round per in-flight count on the running emulator, appended to
# $TMP/loadgen as JSON lines tagged with the run.
loadgen_rounds() {
  "$LOADGEN" --server "$EMU_SERVER" --cacert "$EMU_DIR/ca.crt" --cert "$EMU_DIR/admin.crt" \
    --key "$EMU_DIR/admin.key" --parallel "$LOADGEN_PARALLEL" | jq -c --argjson run "$1" '. + {run: $run}' \
    | tee -a "$TMP/loadgen" | sed 's/^/    loadgen /' >&2
}
: >"$TMP/loadgen"
: >"$TMP/activate-walls"

# activate_runs SEED LATENCY LABEL RUNS [loadgen]: fresh emulator per run (each run activates for
# real); with "loadgen", the load generator's rounds follow each run on the same emulator, so the
# two are measured in the same minute of a noisy machine.
activate_runs() {
  local seed="$1" latency="$2" label="$3" runs="$4" with_loadgen="${5:-}" walls=() rss=() reqs="" min="" r
  for r in $(seq 1 "$runs"); do
    start_emulator "$seed" "$latency"
    [ -n "$min" ] || min="$(minimum | jq .minimum)"
    reset_requests
    local emu_ticks; emu_ticks="$(emulator_ticks)"
    # The plugin binary kubectl execs: its own peak RSS (kubectl's process would report kubectl's
    # before the exec); kubectl's lookup adds a constant, measured in the single-command rows.
    measure kubectl-dr-activate migration -A
    emu_ticks=$(($(emulator_ticks) - emu_ticks))
    walls+=("$WALL"); rss+=("$RSS")
    reqs="$(count_requests)"
    echo "  $label run $r: ${WALL}s, $reqs requests (minimum $min), peak RSS ${RSS} KiB," \
      "client CPU ${CPU}s, emulator CPU $(awk -v t="$emu_ticks" -v h="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / h }')s" >&2
    printf '%s\t%s\t%s\t%s\n' "$label" "$r" "$WALL" "$min" >>"$TMP/activate-walls"
    [ "$with_loadgen" = loadgen ] && loadgen_rounds "$r"
  done
  stop_emulator
  record "$label" "$reqs" $(stats "${walls[@]}") "$(max_of "${rss[@]}")" \
    "minimum $min; ratio $(awk -v a="$reqs" -v b="$min" 'BEGIN { printf "%.3f", a / b }')x"
}

SCALE_SEED="scale:1000:10"
if want activate; then
  echo "activate -A, 1,000 ns x 10 workloads ..." >&2
  activate_runs "$SCALE_SEED" 5 "activate-5ms" "$RUNS"
  activate_runs "$SCALE_SEED" 0 "activate-0ms" "$RUNS" "$(want loadgen && echo loadgen)"
fi

if want storkctl; then
  echo "baseline (a): storkctl's pattern on $STORKCTL_NS namespaces, 5 ms ..." >&2
  factor=$(awk -v n="$STORKCTL_NS" 'BEGIN { printf "%.4f", 1000 / n }')
  for pattern in all per-namespace; do
    walls=(); reqs=""
    for r in $(seq 1 $(( RUNS < 3 ? RUNS : 3 ))); do
      start_emulator "scale:$STORKCTL_NS:10" 5
      reset_requests
      measure "$STORKCTL_PATTERN" --pattern "$pattern"
      walls+=("$(awk -v w="$WALL" -v f="$factor" 'BEGIN { printf "%.4f", w * f }')")
      reqs="$(count_requests)"
      echo "  storkctl -$pattern run $r: ${WALL}s for $STORKCTL_NS ns, $reqs requests" >&2
    done
    record "storkctl-$pattern-5ms" "$(awk -v q="$reqs" -v f="$factor" 'BEGIN { printf "%d", q * f }')" \
      $(stats "${walls[@]}") "$RSS" "measured on $STORKCTL_NS ns, x$factor"
  done
  stop_emulator
fi

if want kubectl; then
  echo "baseline (b): kubectl scale loop on $KUBECTL_SUBSET workloads, 5 ms ..." >&2
  walls=(); reqs=""
  for r in $(seq 1 $(( RUNS < 3 ? RUNS : 3 ))); do
    start_emulator "$SCALE_SEED" 5
    total_writes="$(minimum | jq .writes)"
    # What a user scripts by hand: the recorded count of each annotated workload (read untimed).
    kubectl get statefulsets,deployments -A -o json | jq -r --argjson n "$KUBECTL_SUBSET" '[.items[] |
      ((.metadata.annotations // {}) | (.["stork.libopenstorage.org/migrationReplicas"] //
        .["stork.openstorage.org/migrationReplicas"])) as $c | select($c != null) |
      "\(.metadata.namespace) \(.kind | ascii_downcase)/\(.metadata.name) \($c)"] | .[:$n][]' >"$TMP/loop"
    cat >"$TMP/loop.sh" <<'EOF'
while read -r ns obj count; do kubectl scale -n "$ns" "$obj" --replicas="$count" >/dev/null; done <"$1"
EOF
    reset_requests
    measure bash "$TMP/loop.sh" "$TMP/loop"
    done_n=$(wc -l <"$TMP/loop")
    walls+=("$(awk -v w="$WALL" -v n="$done_n" -v t="$total_writes" 'BEGIN { printf "%.4f", w / n * t }')")
    reqs="$(count_requests)"
    echo "  kubectl loop run $r: ${WALL}s for $done_n workloads, $reqs requests" >&2
  done
  stop_emulator
  record "kubectl-scale-loop-5ms" "$(awk -v q="$reqs" -v n="$done_n" -v t="$total_writes" 'BEGIN { printf "%d", q / n * t }')" \
    $(stats "${walls[@]}") "$RSS" "measured on $done_n workloads, extrapolated to $total_writes"
fi

if want loadgen; then
  if ! want activate; then
    echo "baseline (c): parallel PATCH load generator, 0 ms ..." >&2
    for r in $(seq 1 "$RUNS"); do
      start_emulator "$SCALE_SEED" 0
      loadgen_rounds "$r"
    done
    stop_emulator
  fi
  # Saturation: the in-flight count whose median round is fastest, and that median (the same
  # statistic as the activation's wall time). The best single round is reported beside it.
  sat="$(jq -s 'group_by(.parallel) | map(sort_by(.seconds) | {parallel: .[0].parallel, writes: .[0].writes,
      rounds: length, median: (if length % 2 == 1 then .[length / 2 | floor].seconds
        else (.[length / 2 - 1].seconds + .[length / 2].seconds) / 2 end),
      min: .[0].seconds, max: .[-1].seconds}) | map(. + {rate: (.writes / .median)}) | max_by(.rate)' "$TMP/loadgen")"
  best="$(jq -s 'max_by(.writesPerSecond)' "$TMP/loadgen")"
  record "loadgen-0ms" "$(jq .writes <<<"$sat")" "$(jq .median <<<"$sat")" "$(jq .min <<<"$sat")" \
    "$(jq .max <<<"$sat")" "-" \
    "saturation $(jq '.rate | round' <<<"$sat") writes/s at $(jq .parallel <<<"$sat") in flight (median of $(jq .rounds <<<"$sat") rounds; best single round $(jq '.writesPerSecond | round' <<<"$best") writes/s at $(jq .parallel <<<"$best"))"
  # Paired: each 0 ms activation against the best round of the load generator right after it.
  if want activate; then
    PAIRED="$(awk -F'\t' '$1 == "activate-0ms" { print $2, $3, $4 }' "$TMP/activate-walls" | while read -r r w m; do
      jq -s --argjson r "$r" --argjson w "$w" --argjson m "$m" \
        '[.[] | select(.run == $r) | .writesPerSecond] | max | 100 * $m / $w / .' "$TMP/loadgen"
    done | sort -g | awk '{ v[NR] = $1 } END { printf "%.0f%% (runs: %.0f-%.0f%%)", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }')"
  fi
fi

if want single; then
  echo "single commands, paired runs, 0 ms ..." >&2
  EMU_CLUSTERS=us-east-1a,us-east-1b start_emulator "zookeeper-failover" 0
  # The emulator's kubeconfig names the destination cluster first: use the context with the schedule.
  sched_ns=zookeeper; sched=migrationschedule
  ctx="$(kubectl config get-contexts -o name | while read -r c; do
    kubectl --context "$c" get migrationschedule "$sched" -n "$sched_ns" >/dev/null 2>&1 && { echo "$c"; break; }; done)"
  [ -n "$ctx" ] || { echo "error: no cluster with migrationschedule $sched_ns/$sched" >&2; exit 1; }
  kubectl config use-context "$ctx" >/dev/null
  ctx_server="$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  declare -A W
  for r in $(seq 1 "$SINGLE_RUNS"); do
    measure kubectl get clusterdomainsstatuses; W[kget]+="$WALL "
    # The floor under both: libcurl and OpenSSL doing one GET, nothing else.
    measure "$LOADGEN" --server "$ctx_server" --cacert "$EMU_DIR/ca.crt" --cert "$EMU_DIR/admin.crt" \
      --key "$EMU_DIR/admin.key" --get /apis/stork.libopenstorage.org/v1alpha1/clusterdomainsstatuses
    W[floor]+="$WALL "
    measure kubectl-dr-status; W[drstatus]+="$WALL "; status_rss=$RSS
    measure kubectl dr status; W[kdrstatus]+="$WALL "
    unsuspend() { kubectl patch migrationschedule "$sched" -n "$sched_ns" --type merge -p '{"spec":{"suspend":false}}' >/dev/null; }
    unsuspend; measure kubectl patch migrationschedule "$sched" -n "$sched_ns" --type merge -p '{"spec":{"suspend":true}}'
    W[kpatch]+="$WALL "
    unsuspend; measure kubectl-dr-suspend migrationschedule "$sched" -n "$sched_ns"; W[drsuspend]+="$WALL "; suspend_rss=$RSS
    unsuspend; measure kubectl dr suspend migrationschedule "$sched" -n "$sched_ns"; W[kdrsuspend]+="$WALL "
  done
  stop_emulator
  # shellcheck disable=SC2086
  record "kubectl-get-cds" "-" $(stats ${W[kget]}) "-" "baseline"
  # shellcheck disable=SC2086
  record "libcurl-one-get" "-" $(stats ${W[floor]}) "-" "the floor: a process, a TLS handshake, one GET"
  # shellcheck disable=SC2086
  record "kubectl-dr-status" "-" $(stats ${W[drstatus]}) "$status_rss" "the plugin binary"
  # shellcheck disable=SC2086
  record "kubectl dr status" "-" $(stats ${W[kdrstatus]}) "-" "through kubectl's plugin lookup"
  # shellcheck disable=SC2086
  record "kubectl-patch-suspend" "-" $(stats ${W[kpatch]}) "-" "baseline"
  # shellcheck disable=SC2086
  record "kubectl-dr-suspend" "-" $(stats ${W[drsuspend]}) "$suspend_rss" "the plugin binary"
  # shellcheck disable=SC2086
  record "kubectl dr suspend" "-" $(stats ${W[kdrsuspend]}) "-" "through kubectl's plugin lookup"
fi

if want scaling; then
  echo "scaling, 5 ms ..." >&2
  for size in ${SIZES//,/ }; do
    activate_runs "scale:$(( size / 10 )):10" 5 "scaling-$size" "$SCALING_RUNS"
  done
fi

# ---- the table ----
ratio() {  # ratio BASELINE_SCENARIO OUR_MEDIAN: how many times faster
  local b; b="$(median_of "$1")"
  [ -n "$b" ] && [ -n "$2" ] && awk -v b="$b" -v o="$2" 'BEGIN { printf "%.1fx", b / o }' || printf -- "-"
}
{
  if [ "$MARKDOWN" = 1 ]; then
    echo "| scenario | requests | wall median (s) | min–max (s) | peak RSS (MiB) | ratios / notes |"
    echo "|---|---|---|---|---|---|"
  else
    printf '%-26s %10s %10s %-19s %9s  %s\n' scenario requests median min-max "RSS MiB" "ratios / notes"
  fi
  while IFS=$'\t' read -r s q m lo hi rss note; do
    extra=""
    case "$s" in
      activate-5ms)
        extra="; vs storkctl -a $(ratio storkctl-all-5ms "$m"), vs storkctl -n loop $(ratio storkctl-per-namespace-5ms "$m"), vs kubectl loop $(ratio kubectl-scale-loop-5ms "$m")" ;;
      activate-0ms)
        lg="$(awk -F'\t' '$1 == "loadgen-0ms" { print $2 / $3 }' "$RESULTS")"
        w="$(awk -F'\t' '$1 == "activate-0ms" { split($7, a, " "); print a[2] }' "$RESULTS")"
        # The same writes the load generator sends, counted alone (the lists and discovery not).
        writes="$(awk -F'\t' '$1 == "loadgen-0ms" { print $2 }' "$RESULTS")"
        [ -n "$lg" ] && extra="; $(awk -v w="$w" -v m="$m" -v lg="$lg" -v n="$writes" 'BEGIN {
          printf "%.0f writes+lists/s = %.0f%% of saturation (medians; its %d writes alone: %.1f%%)", w / m, 100 * w / m / lg, n, 100 * n / m / lg }')"
        [ -n "${PAIRED:-}" ] && extra+="; paired with the best loadgen round after each run: median $PAIRED" ;;
      libcurl-one-get|kubectl-dr-status|"kubectl dr status") extra="; $(awk -v b="$(median_of kubectl-get-cds)" -v o="$m" 'BEGIN { printf "%.2fx the time of kubectl get", o / b }')" ;;
      kubectl-dr-suspend|"kubectl dr suspend") extra="; $(awk -v b="$(median_of kubectl-patch-suspend)" -v o="$m" 'BEGIN { printf "%.2fx the time of kubectl patch", o / b }')" ;;
      scaling-*) extra="; $(awk -v m="$m" -v s="${s#scaling-}" 'BEGIN { printf "%.1f us per workload", m / s * 1e6 }')" ;;
    esac
    mib="$rss"; [ "$rss" != "-" ] && mib="$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
    if [ "$MARKDOWN" = 1 ]; then
      printf '| %s | %s | %.3f | %.3f–%.3f | %s | %s%s |\n' "$s" "$q" "$m" "$lo" "$hi" "$mib" "$note" "$extra"
    else
      printf '%-26s %10s %10.3f %8.3f-%-10.3f %9s  %s%s\n' "$s" "$q" "$m" "$lo" "$hi" "$mib" "$note" "$extra"
    fi
  done <"$RESULTS"
}
