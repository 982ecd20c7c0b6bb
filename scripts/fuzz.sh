#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, -DDR_FUZZ=ON, ASan+UBSan) and fuzzes each for a
# bounded time on a scratch copy of its seed corpus. Reports executions, CPU time and any crash,
# leak, timeout or out-of-memory artifact; exits 1 when a target found something.
# Usage: scripts/fuzz.sh [--seconds N] [target...]     targets: see tests/fuzz/CMakeLists.txt
# Environment: DR_FUZZ_BUILD_DIR (default build-fuzz), CXX (default clang++).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds=300
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a value}"; shift 2 ;;
    --seconds=*) seconds="${1#--seconds=}"; shift ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown flag \"$1\"" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "error: --seconds must be a positive whole number" >&2; exit 2; }

all_targets=()
for corpus in "$root"/tests/fuzz/corpus/*/; do all_targets+=("$(basename "$corpus")"); done
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [ -d "$root/tests/fuzz/corpus/$t" ] || { echo "error: unknown fuzz target \"$t\" (have: ${all_targets[*]})" >&2; exit 2; }
done

cxx="${CXX:-clang++}"
case "$cxx" in *clang*) ;; *) cxx=clang++ ;; esac
command -v "$cxx" >/dev/null || { echo "error: $cxx not found (Debian package clang)" >&2; exit 1; }
# A build directory already configured with DR_FUZZ (scripts/test.sh's sanitizer build) keeps its
# settings; otherwise a fuzz-only configuration is made.
if ! grep -q '^DR_FUZZ:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDR_FUZZ=ON \
    -DDR_BUILD_TESTS=OFF -DDR_WERROR="${DR_WERROR:-ON}" >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target fuzz_targets >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
out="$build/fuzz-out"
mkdir -p "$out"
findings=0
printf '%-20s %8s %12s %9s %8s %8s  %s\n' target seconds executions exec/s cpu_s corpus findings
for t in "${targets[@]}"; do
  work="$out/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/corpus/" 2>/dev/null || true
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GiB is unbounded memory for a parser.
  set +e
  TIMEFORMAT='%U %S'
  { time "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
      "$work/corpus" >"$work/log" 2>&1; } 2>"$work/time"
  rc=$?
  set -e
  read -r user sys <"$work/time" || { user=0; sys=0; }
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  size=$(find "$work/corpus" -type f | wc -l)
  artifacts=$(find "$work/artifacts" -type f | sort)
  result="none"
  if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
    findings=$((findings + 1))
    result="exit $rc: ${artifacts:-no artifact} (log: $work/log)"
  fi
  printf '%-20s %8s %12s %9s %8s %8s  %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$cpu" "$size" "$result"
done
if ((findings)); then
  echo "error: $findings fuzz target(s) found a crash, leak, hang or out-of-memory; reproduce with" \
    "$build/tests/fuzz/fuzz_<target> <artifact>" >&2
  exit 1
fi
