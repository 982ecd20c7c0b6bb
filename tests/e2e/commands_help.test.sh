#!/usr/bin/env bash
# --help of every command, through kubectl: exit 0, on stdout, kubectl's layout (description,
# Examples, Options, Usage), examples that are real `kubectl dr` command lines of that verb; and the
# exit code and one-line form of flag errors. No cluster is needed for any of it.
source "$(dirname "$0")/lib.sh"

for verb in activate deactivate status suspend resume; do
  run_capture kubectl dr "$verb" --help
  expect_eq "$verb --help exits 0" "$RC" 0
  expect_eq "$verb --help: nothing on stderr" "$ERR" ""
  check "$verb --help has an Examples section" grep -q '^Examples:$' <<<"$OUT"
  check "$verb --help has Options and Usage" bash -c "grep -q '^Options:$' <<<\"\$1\" && grep -q '^Usage:$' <<<\"\$1\"" _ "$OUT"
  examples="$(sed -n '/^Examples:$/,/^Options:$/p' <<<"$OUT")"
  check "$verb --help: at least two examples" test "$(grep -c "^  kubectl dr $verb " <<<"$examples")" -ge 2
  check "$verb --help: every example is commented" test "$(grep -c '^  # ' <<<"$examples")" -ge "$(grep -c '^  kubectl dr ' <<<"$examples")"
  check "$verb --help: the usage line names the verb" grep -q "^  kubectl dr $verb " <<<"$(sed -n '/^Usage:$/,$p' <<<"$OUT")"
  check "$verb --help lists the kubectl flags" grep -q -- '--kubeconfig' <<<"$OUT"
  expect_eq "$verb -h = --help" "$(kubectl dr "$verb" -h)" "$OUT"
done
run_capture kubectl dr activate migration --help
check "activate migration --help: the activate help" grep -q 'kubectl dr activate migration -n zookeeper' <<<"$OUT"
run_capture kubectl dr deactivate --help
check "deactivate --help documents apps" grep -q 'kubectl dr deactivate apps -n zookeeper' <<<"$OUT"
run_capture kubectl dr suspend --help
check "suspend --help shows the jq pipeline" grep -q "kubectl get migrationschedules -A -o json | jq .* | kubectl dr suspend migrationschedule -f -" <<<"$OUT"
run_capture kubectl dr --help
expect_eq "kubectl dr --help exits 0" "$RC" 0
for verb in activate deactivate status suspend resume; do
  check "kubectl dr --help lists $verb" grep -q "^  $verb " <<<"$OUT"
done

# Flag errors: kubectl's one-line form, the hint, exit 1 (not 2, not 0).
for verb in activate deactivate status suspend resume; do
  run_capture kubectl dr "$verb" --bogus
  expect_eq "$verb --bogus: exit 1" "$RC" 1
  expect_eq "$verb --bogus: kubectl's line" "$(head -1 <<<"$ERR")" "error: unknown flag: --bogus"
  expect_eq "$verb --bogus: the hint" "$(sed -n 2p <<<"$ERR")" "See 'kubectl dr $verb --help' for usage."
  expect_eq "$verb --bogus: nothing on stdout" "$OUT" ""
done
run_capture kubectl dr status -o
expect_eq "-o without a value: exit 1" "$RC" 1
expect_contains "-o without a value: names the flag" "$ERR" "error: flag needs an argument"
run_capture kubectl dr activate migration --dry-run=maybe
expect_eq "--dry-run=maybe: exit 1" "$RC" 1
expect_contains "--dry-run=maybe: kubectl's wording" "$ERR" "Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\"."

finish
