#!/usr/bin/env bash
# `cmake --install` into a fresh prefix: every executable lands in bin/, kubectl sees each plugin
# without a warning, and `kubectl dr ...` works (and completes) from that prefix alone.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

build_dir="$(cd "$DR_BIN_DIR/.." && pwd)"
[ -f "$build_dir/CMakeCache.txt" ] || { echo "FAIL: no CMake build directory above $DR_BIN_DIR" >&2; exit 1; }

prefix="$E2E_TMP/prefix"
run_capture cmake --install "$build_dir" --prefix "$prefix"
expect_eq "cmake --install exits 0" "$RC" 0

for exe in kubectl-dr kubectl-dr-activate kubectl-dr-deactivate kubectl-dr-status kubectl-dr-suspend \
  kubectl-dr-resume kubectl-dr-perform kubectl-dr-failover kubectl-dr-failback kubectl_complete-dr; do
  check "bin/$exe is installed and executable" test -x "$prefix/bin/$exe"
done
for verb in activate deactivate status suspend resume perform failover failback; do
  expect_eq "bin/kubectl_complete-dr-$verb links to kubectl_complete-dr" \
    "$(readlink "$prefix/bin/kubectl_complete-dr-$verb")" "kubectl_complete-dr"
done

PREFIX_PATH="$prefix/bin:/usr/bin:/bin"
run_capture env PATH="$PREFIX_PATH" kubectl plugin list
expect_eq "kubectl plugin list exits 0" "$RC" 0
expect_eq "kubectl plugin list warns about nothing" "$ERR" ""
for exe in kubectl-dr kubectl-dr-activate kubectl-dr-deactivate kubectl-dr-status kubectl-dr-suspend kubectl-dr-resume kubectl-dr-perform kubectl-dr-failover kubectl-dr-failback; do
  check "kubectl plugin list shows $exe" grep -qxF "$prefix/bin/$exe" <<<"$OUT"
done
lacks() { ! grep -qE "$1" <<<"$2"; }  # lacks REGEX TEXT
check "kubectl plugin list does not take the completion helper for a plugin" lacks kubectl_complete "$OUT"

run_capture env PATH="$PREFIX_PATH" kubectl dr version
expect_eq "kubectl dr version exits 0" "$RC" 0
check "kubectl dr version names version, commit and platform" \
  grep -Eq '^kubectl-dr version v[0-9]+\.[0-9]+\.[0-9]+ \(commit [^,]+, [a-z]+/[a-z0-9]+\)$' <<<"$OUT"

run_capture env PATH="$PREFIX_PATH" kubectl dr status --help
expect_eq "kubectl dr status --help exits 0" "$RC" 0
expect_contains "kubectl dr status --help is the status command's help" "$OUT" $'Usage:\n  kubectl dr status'

# Completion through the real kubectl. With kubectl-dr-status on PATH kubectl treats `status` as a
# command of its own and asks kubectl_complete-dr-status; the verb list must not repeat the verbs
# kubectl already lists from the kubectl-dr-VERB files.
run_capture env PATH="$PREFIX_PATH" kubectl __complete dr status ""
expect_eq "kubectl completes status' resources (via kubectl_complete-dr-status)" \
  "$(cut -f1 <<<"$OUT" | tr '\n' ' ')" "clusterdomains clusterdomainupdates migrationschedules migrations clusterpairs apps failover failback :4 "
run_capture env PATH="$PREFIX_PATH" kubectl __complete dr ""
expect_eq "each verb is offered once" "$(cut -f1 <<<"$OUT" | grep -c -x -e activate -e deactivate -e status -e suspend -e resume -e perform -e failover -e failback)" 8
expect_contains "version is offered" "$OUT" $'\nversion\t'

finish
