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
  "clusterdomains clusterdomainupdates migrationschedules migrations clusterpairs apps failover failback :4"
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
# stderr. (How quickly is not asserted: on a busy machine any wall-clock bound is a coin toss; that
# the answer comes without the server is, below.)
port="$(jq -r '.clusters["us-east-1a"].port' <<<"$EMU_INFO")"
sed "s|127.0.0.1:$port|127.0.0.1:9|" "$KUBECONFIG" >"$E2E_TMP/offline.yaml"
run_capture env PATH="$KREW_PATH" KUBECONFIG="$E2E_TMP/offline.yaml" kubectl_complete-dr status -n ""
expect_eq "offline: directive 4 only" "$OUT" ":4"
expect_eq "offline: nothing on stderr" "$ERR" ""
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

# A server that accepts the connection and never answers: completion answers ":4" all the same,
# so its own deadline ended the wait, not the server. The outer timeout only turns a hang into a
# failure; it bounds nothing the test asserts.
python3 -c '
import socket, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
print(listener.getsockname()[1], flush=True)
connections = []
while True:
    connections.append(listener.accept()[0])
    print("accepted", flush=True)' >"$E2E_TMP/silent.out" &
silent_pid=$!
for _ in $(seq 1 200); do [ -s "$E2E_TMP/silent.out" ] && break; sleep 0.05; done
sed "s|127.0.0.1:$port|127.0.0.1:$(head -n 1 "$E2E_TMP/silent.out")|" "$KUBECONFIG" >"$E2E_TMP/silent.yaml"
run_capture timeout 120 env PATH="$KREW_PATH" KUBECONFIG="$E2E_TMP/silent.yaml" \
  kubectl_complete-dr --context us-east-1a deactivate clusterdomain ""
check "server that never answers: completion did not wait for it (exit $RC)" test "$RC" -eq 0
expect_eq "server that never answers: directive 4 only, silent" "$OUT:$ERR" ":4:"
kill "$silent_pid" 2>/dev/null || true
wait "$silent_pid" 2>/dev/null || true

finish
