#!/usr/bin/env bash
# scripts/demo.sh for real, on the binaries CTest built: the whole runbook succeeds and shows its key
# lines; nothing it started outlives it, after success, after Ctrl-C, and after --keep once stopped.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

: "${DR_SOURCE_DIR:?run through ctest (DR_SOURCE_DIR not set)}"
demo="$DR_SOURCE_DIR/scripts/demo.sh"

# The demo makes its temporary directory under TMPDIR: a private one shows what it leaves behind.
demo_tmp="$E2E_TMP/demo-tmp"
mkdir -p "$demo_tmp"

# emulators_of DIR: pids of the kube-emulator processes whose state dir is under DIR. Builtins only:
# it runs in polling loops, and a fork per process would make each pass take seconds.
emulators_of() {
  local p args a
  for p in /proc/[0-9]*; do
    args=()
    { mapfile -d '' -t args <"$p/cmdline"; } 2>/dev/null || continue
    [[ "${args[0]:-}" == *kube-emulator ]] || continue
    for a in "${args[@]}"; do
      if [[ "$a" == "$1/"* ]]; then
        echo "${p#/proc/}"
        break
      fi
    done
  done
  return 0
}
leftovers() { ls -A "$demo_tmp"; }
# group_members PGID: pids of the live processes in that process group.
group_members() {
  local p stat fields
  for p in /proc/[0-9]*; do
    { read -r stat <"$p/stat"; } 2>/dev/null || continue
    read -r -a fields <<<"${stat##*) }"  # after "pid (comm) ": state ppid pgrp ...
    [ "${fields[2]}" == "$1" ] && [ "${fields[0]}" != Z ] && echo "${p#/proc/}"
  done
  return 0
}

# 1. The whole demo, started as the README starts it.
check "scripts/demo.sh is executable" test -x "$demo"
run_capture env TMPDIR="$demo_tmp" "$demo"
expect_eq "demo exits 0" "$RC" 0
[ "$RC" -eq 0 ] || printf '%s\n--- stderr\n%s\n' "$OUT" "$ERR" >&2
expect_contains "prints each command" "$OUT" "$ kubectl dr deactivate clusterdomain us-east-1a --context us-east-1b"
expect_contains "deactivate clusterdomain: storkctl's message" "$OUT" \
  "Cluster Domain deactivate operation started successfully for us-east-1a"
check "status shows us-east-1a inactive on us-east-1b" \
  grep -Eq '^px-dr-cluster +us-east-1b +us-east-1b \([A-Za-z]+\) +us-east-1a \([A-Za-z]+\)' <<<"$OUT"
expect_contains "suspend: storkctl's message" "$OUT" "MigrationSchedule migrationschedule suspended successfully"
check "status migrationschedules shows the schedule suspended" \
  grep -Eq '^migrationschedule +default-migration-policy +remotecluster +true ' <<<"$OUT"
expect_contains "activate migration: storkctl's message" "$OUT" "Updated replicas for statefulset zookeeper/zk to 3"
expect_contains "activate migration marks the schedule" "$OUT" \
  "Setting the ApplicationActivated status in the MigrationSchedule zookeeper/migrationschedule to true"
expect_contains "activate clusterdomain: storkctl's message" "$OUT" \
  "Cluster Domain activate operation started successfully for us-east-1a"
expect_contains "resume: storkctl's message" "$OUT" "MigrationSchedule migrationschedule resumed successfully"
expect_contains "one-command failover: the plan first" "$OUT" "statefulset zookeeper/zk: spec.replicas 3 -> 0"
expect_contains "one-command failover succeeds" "$OUT" "failover Succeeded"
expect_contains "one-command failback succeeds" "$OUT" "failback Succeeded"
# kubectl get pods runs four times: on the destination after each failover, on the source after each
# failback (step by step, then one command each).
for pod in zk-0 zk-1 zk-2; do
  expect_eq "$pod Running after every failover and failback" \
    "$(grep -cE "^$pod +1/1 +Running " <<<"$OUT")" 4
done
no_escapes() { [[ "$1" != *$'\e'* ]]; }
check "no colour codes without a TTY" no_escapes "$OUT"
expect_eq "no kube-emulator left running" "$(emulators_of "$demo_tmp")" ""
expect_eq "its temporary directory is gone" "$(leftovers)" ""

# 2. Ctrl-C mid-way. --pause keeps it inside the runbook long enough to be interrupted there. Job
# control gives it its own process group, as a terminal does, and keeps SIGINT from being ignored
# (what a non-interactive shell does to its background jobs); Ctrl-C signals the whole group.
out_file="$E2E_TMP/interrupted.out"
set -m
env TMPDIR="$demo_tmp" bash "$demo" --pause 30 >"$out_file" 2>"$E2E_TMP/interrupted.err" &
demo_pid=$!
set +m
for _ in $(seq 1 600); do
  [ -n "$(emulators_of "$demo_tmp")" ] && grep -q "Two emulated clusters are up" "$out_file" && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.1
done
running="$(emulators_of "$demo_tmp")"
check "the interrupted demo had started its emulator" test -n "$running"
kill -INT -- "-$demo_pid"
rc=0
wait "$demo_pid" || rc=$?
expect_eq "Ctrl-C: exit 130" "$rc" 130
expect_contains "Ctrl-C: says the clusters are gone" "$(cat "$E2E_TMP/interrupted.err")" "the emulated clusters are gone"
for pid in $running; do
  check "Ctrl-C: kube-emulator $pid stopped" bash -c "! kill -0 $pid 2>/dev/null"
done
expect_eq "Ctrl-C: no kube-emulator left running" "$(emulators_of "$demo_tmp")" ""
expect_eq "Ctrl-C: nothing of the demo's left running (its process group is empty)" "$(group_members "$demo_pid")" ""
expect_eq "Ctrl-C: its temporary directory is gone" "$(leftovers)" ""

# 3. --keep: the clusters stay up and the printed KUBECONFIG reaches them.
run_capture env TMPDIR="$demo_tmp" bash "$demo" --keep
expect_eq "--keep exits 0" "$RC" 0
kubeconfig="$(sed -n 's/^ *export KUBECONFIG=//p' <<<"$OUT")"
check "--keep prints an export KUBECONFIG line" test -n "$kubeconfig"
stop_line="$(sed -n 's/^ *\(kill [0-9][0-9]* && rm -rf .*\)$/\1/p' <<<"$OUT")"
check "--keep prints how to stop the clusters" test -n "$stop_line"
kept="$(emulators_of "$demo_tmp")"
check "--keep leaves kube-emulator running" test -n "$kept"
run_capture env KUBECONFIG="$kubeconfig" kubectl dr status --context us-east-1b
expect_eq "the printed KUBECONFIG works with kubectl dr" "$RC" 0
expect_contains "it reaches the demo's clusters" "$OUT" "px-dr-cluster   us-east-1b"
run_capture env KUBECONFIG="$kubeconfig" kubectl get pods -n zookeeper --context us-east-1a --no-headers
expect_eq "the printed KUBECONFIG works with kubectl" "$(grep -c Running <<<"$OUT")" 3
run_capture bash -c "$stop_line"
expect_eq "the printed stop command works" "$RC" 0
for _ in $(seq 1 100); do
  [ -z "$(emulators_of "$demo_tmp")" ] && break
  sleep 0.1
done
expect_eq "--keep: stopped as told, nothing left running" "$(emulators_of "$demo_tmp")" ""
expect_eq "--keep: stopped as told, nothing left behind" "$(leftovers)" ""
for pid in $kept; do kill -KILL "$pid" 2>/dev/null || true; done

finish
