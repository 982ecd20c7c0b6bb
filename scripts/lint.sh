#!/usr/bin/env bash
# The lint gate: clang-format (every C++ file in the repository, .clang-format) and clang-tidy (every
# shipped source: common/ and plugins/, with the check set of .clang-tidy, warnings as errors).
# scripts/test.sh runs it first and stops on a finding; it needs no build, only a configured tree
# for clang-tidy's compile commands (made here, in seconds).
#
# Usage: scripts/lint.sh [--fix]     --fix rewrites the files clang-format would change
# Environment: DR_LINT_BUILD_DIR (default build-lint/), the configured tree clang-tidy reads.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
lint_build="${DR_LINT_BUILD_DIR:-$root/build-lint}"
fix=""
[ "${1:-}" = "--fix" ] && fix=1

bash "$root/scripts/deps.sh" || exit 1
failed=0

mapfile -t cxx_files < <(git ls-files '*.cpp' '*.hpp')
if [ -n "$fix" ]; then
  clang-format -i "${cxx_files[@]}"
fi
unformatted=()
for file in "${cxx_files[@]}"; do
  clang-format --dry-run --Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done
if ((${#unformatted[@]})); then
  echo "lint: clang-format would change ${#unformatted[@]} file(s); run scripts/lint.sh --fix:" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  failed=1
fi

# The compile commands of the sanitized clang build (the same flags clang-tidy must understand).
cmake -S "$root" -B "$lint_build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDR_BUILD_TESTS=OFF >/dev/null || exit 1
mapfile -t shipped < <(git ls-files 'common/*.cpp' 'plugins/*.cpp')
tidy_log="$(mktemp)"
trap 'rm -f "$tidy_log"' EXIT
printf '%s\0' "${shipped[@]}" |
  xargs -0 -P "$(nproc)" -n 4 clang-tidy -p "$lint_build" --quiet --warnings-as-errors='*' >"$tidy_log" 2>&1
tidy_rc=$?
if [ "$tidy_rc" -ne 0 ]; then
  grep -E "(warning|error):" "$tidy_log" | sort -u >&2
  echo "lint: clang-tidy found the above in shipped sources (.clang-tidy lists the checks and why)" >&2
  failed=1
fi
[ "$failed" -eq 0 ] && echo "lint: clang-format and clang-tidy clean (${#cxx_files[@]} files formatted, ${#shipped[@]} sources checked)" >&2
exit "$failed"
