#!/usr/bin/env bash
# The process around a command: SIGHUP (a closed terminal or SSH session) stops a run as cleanly
# as SIGINT/SIGTERM do, with the summary and exit 129; a stdout whose reader is gone (`| head`) is
# not a SIGPIPE death but a clean stop with the summary on stderr and exit 141; and a plugin holding
# credentials can leave no core file and cannot be read by its own user (RLIMIT_CORE 0, not dumpable).
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:20:10
STATE="$(jq -r .state_dir <<<"$EMU_INFO")"
LOG="$STATE/dst.requests.log"

observe() {
  kubectl get statefulsets,deployments -A -o json | jq -c '[.items[] | {
    replicas: .spec.replicas,
    count: (((.metadata.annotations // {}) | (.["stork.libopenstorage.org/migrationReplicas"] // .["stork.openstorage.org/migrationReplicas"])) | if . == null then null else tonumber end)}]'
}
activated() { observe | jq '[.[] | select(.count != null and .replicas == .count)] | length'; }
successful_patches() {  # by the plugin, since line $1 of the request log
  emulator_admin dst GET '/emulator/log?limit=1' >/dev/null
  tail -n +"$(($1 + 1))" "$LOG" | grep '"kubectl-dr/' | awk '$2 == "PATCH" && $4 ~ /^2/' | wc -l
}
log_lines() { emulator_admin dst GET '/emulator/log?limit=1' >/dev/null; wc -l <"$LOG"; }
total="$(observe | jq '[.[] | select(.count != null)] | length')"

# --- SIGHUP mid-run: once some writes have landed (a state of the cluster, not a time); at 200ms a
# request, two at a time, the rest take seconds of server time, so the signal lands mid-run.
emulator_admin dst PUT /emulator/faults '{"latency_ms":200}' >/dev/null
start="$(log_lines)"
kubectl-dr-activate migration -A --max-inflight 2 >"$E2E_TMP/hup.out" 2>"$E2E_TMP/hup.err" &
pid=$!
for _ in $(seq 1 400); do
  [ "$(successful_patches "$start")" -ge 5 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -HUP "$pid" 2>/dev/null || true
set +e; wait "$pid"; RC=$?; set -e
ERR="$(cat "$E2E_TMP/hup.err")"
expect_eq "SIGHUP: exit 129 (128 + SIGHUP), not killed" "$RC" 129
expect_contains "SIGHUP: the summary says it was interrupted" "$ERR" "Interrupted: Activated "
check "SIGHUP: stopped part-way" test "$(activated)" -lt "$total"
emulator_admin dst DELETE /emulator/faults >/dev/null

# --- stdout closed before the plugin writes a byte (the reader of `| head` gone): run under a
# parent whose pipe has no read end, so that the first write is EPIPE whatever the scheduling.
closed_stdout() {  # sets RC (negative: killed by that signal) and ERR
  set +e
  python3 -c '
import os, subprocess, sys
read_end, write_end = os.pipe()
os.close(read_end)
with open(sys.argv[1], "wb") as err:
    print(subprocess.run(sys.argv[2:], stdout=write_end, stderr=err).returncode)' "$E2E_TMP/closed.err" "$@" >"$E2E_TMP/closed.rc"
  set -e
  RC="$(cat "$E2E_TMP/closed.rc")"; ERR="$(cat "$E2E_TMP/closed.err")"
}
kubectl-dr-deactivate migration -A >/dev/null 2>&1
closed_stdout "$DR_BIN_DIR/kubectl-dr-activate" migration -A
expect_eq "closed stdout: exit 141 (what was printed is incomplete), not a SIGPIPE death (-13)" "$RC" 141
echo "# closed stdout, stderr: $ERR"
check "closed stdout: the summary on stderr" grep -Eq '^(Interrupted: )?Activated [0-9]+ workload' <<<"$ERR"
check "closed stdout: no error line per abandoned request" bash -c '! grep -q "^error: interrupted" <<<"$1"' _ "$ERR"
# A read-only command whose output fits the buffer: the work is done, the output is lost.
closed_stdout "$DR_BIN_DIR/kubectl-dr-status" apps -A
expect_eq "closed stdout, status: exit 141" "$RC" 141
expect_eq "closed stdout, status: nothing on stderr" "$ERR" ""
# Re-running finishes what the stop left.
run_capture kubectl dr activate migration -A
expect_eq "re-run: exit 0" "$RC" 0
expect_eq "re-run: everything activated" "$(activated)" "$total"

# --- the programs a plugin starts (exec credential plugins) get SIGPIPE's default action back: the
# plugin catches it rather than ignoring it, and an ignored signal would stay ignored across exec.
cat >"$E2E_TMP/credential.sh" <<'SH'
#!/bin/sh
grep '^SigIgn' /proc/$$/status | cut -f2 >"$(dirname "$0")/credential.sigign"
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"e2e-exec-token-123456"}}'
SH
chmod +x "$E2E_TMP/credential.sh"
cat >"$E2E_TMP/exec.yaml" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "$E2E_TMP/credential.sh", interactiveMode: Never}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
YAML
run_capture env KUBECONFIG="$E2E_TMP/exec.yaml" kubectl-dr-status
check "the exec credential plugin ran" test -s "$E2E_TMP/credential.sigign"
sigign="$(cat "$E2E_TMP/credential.sigign" 2>/dev/null || echo 0)"
check "the exec credential plugin does not ignore SIGPIPE (SigIgn $sigign)" \
  test $(( 0x$sigign & (1 << (13 - 1)) )) -eq 0

# --- no core file, not dumpable, while waiting with a token on a server that never answers
python3 -c '
import socket, sys, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
print(listener.getsockname()[1], flush=True)
connection, _ = listener.accept()
print("accepted", flush=True)
time.sleep(3600)' >"$E2E_TMP/silent.out" &
silent_pid=$!
# Bounded generously (2 min): on a busy machine python's start alone took more than 10 s, and the
# plugin then had no port to wait on.
for _ in $(seq 1 2400); do [ -s "$E2E_TMP/silent.out" ] && break; sleep 0.05; done
port="$(head -n 1 "$E2E_TMP/silent.out")"
# A non-dumpable process's /proc/PID/environ (and mem, maps...) belongs to root, not to its user,
# who cannot read it. As root, the plugin runs as another user so that the difference shows.
as_user=()
plugin_uid="$(id -u)"
if [ "$plugin_uid" = 0 ]; then
  plugin_uid=4242
  as_user=(setpriv --reuid="$plugin_uid" --regid="$plugin_uid" --clear-groups)
fi
"${as_user[@]}" env HOME=/ KUBECONFIG=/dev/null "$DR_BIN_DIR/kubectl-dr-status" clusterdomains \
  --server "http://127.0.0.1:$port" --token e2e-core-secret-token-123456 >/dev/null 2>&1 &
plugin_pid=$!
for _ in $(seq 1 2400); do grep -q accepted "$E2E_TMP/silent.out" && break; sleep 0.05; done
check "the plugin is waiting on the silent server" grep -q accepted "$E2E_TMP/silent.out"
expect_eq "RLIMIT_CORE is 0 (soft and hard)" \
  "$(awk '/^Max core file size/ {print $5, $6}' "/proc/$plugin_pid/limits")" "0 0"
check "not dumpable: /proc/PID/environ does not belong to the plugin's user $plugin_uid" \
  test "$(stat -c %u "/proc/$plugin_pid/environ")" != "$plugin_uid"
check "not dumpable: its own user cannot read its environment" \
  bash -c '! "$@" cat "/proc/$0/environ" >/dev/null 2>&1' "$plugin_pid" "${as_user[@]}"
check "the plugin runs as $plugin_uid" test "$(awk '/^Uid:/ {print $2}' "/proc/$plugin_pid/status")" = "$plugin_uid"
kill -TERM "$plugin_pid" "$silent_pid" 2>/dev/null || true
wait "$plugin_pid" "$silent_pid" 2>/dev/null || true

finish
