#!/usr/bin/env bash
# Shell completion through the real kubectl (`kubectl __complete dr ...`, what the shells run) in the
# krew layout: kubectl-dr and kubectl_complete-dr on PATH. Live names come from the emulator; an
# unreachable or slow cluster gives no names, no noise, quickly. Every flag completed is one the verb has.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

link_dir="$E2E_TMP/bin"
mkdir -p "$link_dir"
ln -s "$DR_BIN_DIR/kubectl-dr" "$link_dir/kubectl-dr"
ln -s "$DR_BIN_DIR/kubectl_complete-dr" "$link_dir/kubectl_complete-dr"
KREW_PATH="$link_dir:/usr/bin:/bin"

# complete WORDS...: the candidates kubectl offers for `kubectl dr WORDS...` (values only, one line),
# then the directive.
complete() {
  env PATH="$KREW_PATH" kubectl __complete dr "$@" 2>/dev/null | cut -f1 | tr '\n' ' ' | sed 's/ $//'
}

expect_eq "verbs" "$(complete "")" "deactivate status suspend activate resume perform failover failback version help :4"
expect_eq "verbs by prefix" "$(complete s)" "status suspend :4"
expect_eq "activate's resources" "$(complete activate "")" "clusterdomain migration :4"
expect_eq "deactivate's resources" "$(complete deactivate "")" "clusterdomain migration apps :4"
expect_eq "status' resources" "$(complete status "")" \
  "clusterdomains clusterdomainupdates migrationschedules migrations apps :4"
expect_eq "suspend's resource" "$(complete suspend "")" "migrationschedule :4"
expect_eq "resume's resource" "$(complete resume mig)" "migrationschedule :4"
expect_eq "unknown verb: nothing, no files" "$(complete frobnicate "")" ":4"

# Live names from the current context (us-east-1a) or the one given.
expect_eq "namespaces" "$(complete status -n "")" "default kube-node-lease kube-public kube-system zookeeper :4"
expect_eq "namespaces by prefix, --namespace=" "$(complete status --namespace=z)" "--namespace=zookeeper :4"
expect_eq "cluster domains" "$(complete deactivate clusterdomain "")" "us-east-1a us-east-1b :4"
raw="$(env PATH="$KREW_PATH" kubectl __complete dr activate clusterdomain us-east-1 2>/dev/null)"
expect_contains "cluster domains carry their state" "$raw" $'us-east-1a\tActive'
expect_eq "schedules of -n" "$(complete suspend migrationschedule -n zookeeper "")" "migrationschedule :4"
expect_eq "schedules of -n, other context" \
  "$(complete --context us-east-1b resume migrationschedule -n zookeeper "")" "$(
    kubectl --context us-east-1b get migrationschedules -n zookeeper -o name | sed 's|.*/||' | tr '\n' ' ')"":4"
expect_eq "no schedules in an empty namespace" "$(complete suspend migrationschedule -n default "")" ":4"
expect_eq "contexts" "$(complete status --context "")" "us-east-1a us-east-1b :4"
expect_eq "output formats of status" "$(complete status -o "")" "json yaml name wide :4"
expect_eq "a file flag leaves it to the shell" "$(complete status --kubeconfig "")" ":0"

# Offline: a kubeconfig whose server accepts no connection. No names, directive 4, nothing on
# stderr, and quick.
port="$(jq -r '.clusters["us-east-1a"].port' <<<"$EMU_INFO")"
sed "s|127.0.0.1:$port|127.0.0.1:9|" "$KUBECONFIG" >"$E2E_TMP/offline.yaml"
start=$(date +%s%N)
run_capture env PATH="$KREW_PATH" KUBECONFIG="$E2E_TMP/offline.yaml" kubectl_complete-dr status -n ""
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "offline: directive 4 only" "$OUT" ":4"
expect_eq "offline: nothing on stderr" "$ERR" ""
check "offline: answered within 2.5 s (took ${elapsed_ms} ms)" test "$elapsed_ms" -lt 2500
run_capture env PATH="$KREW_PATH" KUBECONFIG="$E2E_TMP/missing.yaml" kubectl_complete-dr deactivate clusterdomain ""
expect_eq "no kubeconfig: directive 4, silent" "$OUT:$ERR" ":4:"

# No drift: every flag completion offers for a verb is one that verb's --help documents.
for verb in activate deactivate status suspend resume; do
  help="$("$DR_BIN_DIR/kubectl-dr-$verb" --help 2>&1)"
  missing=""
  for flag in $(env PATH="$KREW_PATH" kubectl_complete-dr "$verb" -- | cut -f1 | grep '^--'); do
    # Documented as "    --name=default:" (single letters as "-v=0:", which kubectl also spells --v).
    grep -qE -e "^ *(-[a-zA-Z], )?--?${flag#--}=" <<<"$help" || missing+=" $flag"
  done
  expect_eq "every --flag completed for $verb is in its --help" "$missing" ""
  for flag in $(env PATH="$KREW_PATH" kubectl_complete-dr "$verb" - | cut -f1 | grep -E '^-[a-zA-Z]$'); do
    grep -qE -e "^ *$flag(, |=)" <<<"$help" || missing+=" $flag"
  done
  expect_eq "every shorthand completed for $verb is in its --help" "$missing" ""
done

# A cluster that answers too slowly (the emulator delays every answer by 5 s): still bounded.
# Last, because the delay stays on us-east-1b.
emulator_admin us-east-1b POST /emulator/faults '{"latency_ms": 5000}' >/dev/null
start=$(date +%s%N)
run_capture env PATH="$KREW_PATH" kubectl_complete-dr --context us-east-1b deactivate clusterdomain ""
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "slow server: directive 4 only, silent" "$OUT:$ERR" ":4:"
check "slow server: answered within 2.5 s (took ${elapsed_ms} ms)" test "$elapsed_ms" -lt 2500

finish
