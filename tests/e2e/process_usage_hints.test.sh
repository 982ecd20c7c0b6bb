#!/usr/bin/env bash
# What the command line says about how it was called, through kubectl as a user runs it: kubectl's
# deprecation warnings for --dry-run=true|false and a bare --dry-run (the run still happens, as a
# client dry run or none), and cobra's "Did you mean this?" after a mistyped verb or resource word.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover
DST=(--context us-east-1b)
schedule_suspended() {
  kubectl --context us-east-1a get migrationschedules -n zookeeper -o json | jq -c '[.items[].spec.suspend]'
}
klog_warning='^W[0-9]{4} [0-9:.]+ +[0-9]+ kubectl-dr\] '

# --- --dry-run spellings kubectl deprecates: warned about on stderr, and the run still does what
# the value means (nothing is written)
before="$(schedule_suspended)"
run_capture kubectl dr suspend migrationschedule --all -n zookeeper --context us-east-1a --dry-run=true
expect_eq "--dry-run=true: runs" "$RC" 0
check "--dry-run=true: kubectl's warning, as a klog W line" grep -Eq \
  "${klog_warning}--dry-run=true is deprecated \(boolean value\) and can be replaced with --dry-run=client\.\$" <<<"$ERR"
expect_contains "--dry-run=true: a client dry run" "$OUT" "(dry run)"
expect_eq "--dry-run=true: wrote nothing" "$(schedule_suspended)" "$before"
run_capture kubectl dr suspend migrationschedule --all -n zookeeper --context us-east-1a --dry-run
check "bare --dry-run: kubectl's warning" grep -Eq \
  "${klog_warning}--dry-run is deprecated and can be replaced with --dry-run=client\.\$" <<<"$ERR"
expect_eq "bare --dry-run: wrote nothing" "$(schedule_suspended)" "$before"
# (a schedule that is not there: only the warning matters here, and nothing may change)
run_capture kubectl dr suspend migrationschedule no-such-schedule -n zookeeper --context us-east-1a --dry-run=false
check "--dry-run=false: kubectl's warning" grep -Eq \
  "${klog_warning}--dry-run=false is deprecated \(boolean value\) and can be replaced with --dry-run=none\.\$" <<<"$ERR"
run_capture kubectl dr suspend migrationschedule --all -n zookeeper --context us-east-1a --dry-run=client
check "--dry-run=client: no warning" bash -c '! grep -q deprecated <<<"$1"' _ "$ERR"

# --- typos: cobra's words, the suggestion, exit 1, nothing run
run_capture kubectl dr activte migration -n zookeeper "${DST[@]}"
expect_eq "activte: exit 1" "$RC" 1
expect_eq "activte: cobra's unknown command with the suggestion" "$ERR" \
  $'error: unknown command "activte" for "kubectl dr"\n\nDid you mean this?\n\tactivate\n\nRun \'kubectl dr --help\' for usage.'
run_capture kubectl dr get apps
expect_eq "get: exit 1" "$RC" 1
expect_contains "get: points to status" "$ERR" $'Did you mean this?\n\tstatus\n'
run_capture kubectl dr status migrationshedules -n zookeeper "${DST[@]}"
expect_eq "status migrationshedules: exit 1" "$RC" 1
expect_contains "status migrationshedules: the suggestion" "$ERR" $'Did you mean this?\n\tmigrationschedules\n'
expect_contains "status migrationshedules: and the usage hint" "$ERR" "See 'kubectl dr status -h' for help and examples"
run_capture kubectl dr status pods "${DST[@]}"
check "status pods: nothing close, no suggestion" bash -c '! grep -q "Did you mean" <<<"$1"' _ "$ERR"

finish
