#!/usr/bin/env bash
# The cluster is unreachable: down (connection refused), a server name that does not resolve, a
# listener that is not TLS, an API server that accepts and never answers, and one that answers too
# slowly. Each is one clear kubectl-style line within --request-timeout, exit 1, nothing written.
# Then the cluster goes down in the middle of a run: what was written is reported as written, what
# was not is reported as failed, and a re-run after it is back finishes the job.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters src,dst --seed scale:10:10
command -v python3 >/dev/null || { echo "FAIL: python3 is needed for the test listeners" >&2; exit 1; }
DST=(--context dst)
PORT="$(jq -r '.clusters.dst.port' <<<"$EMU_INFO")"

# listener runs inside $(...), a subshell, so its PIDs go to files rather than a shell variable.
stop_listeners() {
  local f
  for f in "$E2E_TMP"/listener.*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  return 0
}
trap 'stop_listeners; e2e_cleanup' EXIT
# listener MODE: a python3 TCP listener on 127.0.0.1; prints its port. MODE hang = accept and never
# answer; MODE plain = answer every connection with a plain-text HTTP error (not TLS).
listener() {
  python3 -u -c '
import socket, sys, threading
mode = sys.argv[1]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64); print(s.getsockname()[1])
held = []
while True:
    c, _ = s.accept()
    if mode == "plain":
        try:
            c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
        c.close()
    else:
        held.append(c)
' "$1" >"$E2E_TMP/listener.$1" 2>/dev/null </dev/null &
  echo $! >"$E2E_TMP/listener.$1.pid"
  local i
  for i in $(seq 1 100); do [ -s "$E2E_TMP/listener.$1" ] && break; sleep 0.05; done
  head -1 "$E2E_TMP/listener.$1"
}

fingerprint() { kubectl "${DST[@]}" get statefulsets,deployments,cronjobs -A -o json | jq -c '[.items[] | [.metadata.name, .metadata.namespace, .metadata.resourceVersion]]'; }
before="$(fingerprint)"
# one_line NAME EXPECTED-SUBSTRING: the last run failed with exactly one stderr line containing it
one_line() {
  expect_eq "$1: exit 1" "$RC" 1
  expect_eq "$1: one line on stderr" "$(grep -c . <<<"$ERR")" 1
  expect_contains "$1: names the cause" "$ERR" "$2"
  expect_eq "$1: nothing on stdout" "$OUT" ""
}
timed() { local t0; t0="$(date +%s%3N)"; run_capture timeout 120 "$@"; ELAPSED_MS=$(($(date +%s%3N) - t0)); }
FIGURES=""

# --- connection refused
emulator_admin src POST '/emulator/down?cluster=dst' '{}' >/dev/null
for i in $(seq 1 100); do
  curl -sk -o /dev/null "https://127.0.0.1:$PORT/healthz" 2>/dev/null || break
  sleep 0.05
done
refused="The connection to the server 127.0.0.1:$PORT was refused - did you specify the right host or port?"
for cmd in "activate migration -A" "deactivate apps -n ns-00001" "status" "suspend migrationschedule --all -n ns-00001"; do
  # shellcheck disable=SC2086
  timed kubectl dr $cmd "${DST[@]}" --request-timeout 5s
  one_line "down: $cmd" "$refused"
  FIGURES+="refused($cmd)=${ELAPSED_MS}ms "
done
emulator_admin src POST '/emulator/up?cluster=dst' '{}' >/dev/null
for i in $(seq 1 100); do
  kubectl "${DST[@]}" get ns default -o name >/dev/null 2>&1 && break
  sleep 0.1
done
expect_eq "down: nothing was written" "$(fingerprint)" "$before"

# --- DNS failure
kubectl config set-cluster nowhere --server=https://kube-api.dr-test.invalid:6443 >/dev/null
kubectl config set-context nowhere --cluster=nowhere --user=dst >/dev/null
timed kubectl dr activate migration -A --context nowhere --request-timeout 5s
one_line "dns" "Unable to connect to the server: dial tcp: lookup kube-api.dr-test.invalid: no such host"
FIGURES+="dns=${ELAPSED_MS}ms "

# --- a listener that does not speak TLS
plain="$(listener plain)"
timed kubectl dr activate migration -A "${DST[@]}" --server "https://127.0.0.1:$plain" --request-timeout 5s
one_line "not TLS" "Unable to connect to the server: TLS handshake with 127.0.0.1:$plain failed"
FIGURES+="not-tls=${ELAPSED_MS}ms "

# --- accepts, never answers (the TLS handshake never completes)
hang="$(listener hang)"
for cmd in "activate migration -A" "status"; do
  # shellcheck disable=SC2086
  timed kubectl dr $cmd "${DST[@]}" --server "https://127.0.0.1:$hang" --request-timeout 2s
  one_line "hang: $cmd" "context deadline exceeded"
  expect_contains "hang: $cmd: names the limit" "$ERR" "--request-timeout=2s"
  FIGURES+="hang($cmd)=${ELAPSED_MS}ms "
done

# --- the API server itself answers too late
emulator_admin dst PUT /emulator/faults '{"latency_ms":3000}' >/dev/null
timed kubectl dr activate migration -A "${DST[@]}" --request-timeout 1s
one_line "slow server" "--request-timeout=1s"
FIGURES+="slow=${ELAPSED_MS}ms "
emulator_admin dst DELETE /emulator/faults >/dev/null
expect_eq "none of these wrote anything" "$(fingerprint)" "$before"

# --- down in the middle of a run
emulator_admin dst PUT /emulator/faults '{"latency_ms":40}' >/dev/null
annotated() {
  kubectl "${DST[@]}" get statefulsets,deployments -A -o json | jq -c '[.items[] | select(.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"])
    | {kind, namespace: .metadata.namespace, name: .metadata.name, replicas: .spec.replicas,
       count: ((.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // .metadata.annotations["stork.openstorage.org/migrationReplicas"]) | tonumber)}]'
}
kubectl-dr-activate migration -A "${DST[@]}" --max-inflight 2 --request-timeout 5s -o json >"$E2E_TMP/mid.out" 2>"$E2E_TMP/mid.err" &
pid=$!
for i in $(seq 1 200); do
  emulator_admin dst GET '/emulator/log?limit=200' | jq -e '[.[] | select(.method == "PATCH" and .status == 200)] | length >= 6' >/dev/null && break
  sleep 0.05
done
emulator_admin src POST '/emulator/down?cluster=dst' '{}' >/dev/null
set +e; wait "$pid"; RC=$?; set -e
emulator_admin src POST '/emulator/up?cluster=dst' '{}' >/dev/null
for i in $(seq 1 100); do kubectl "${DST[@]}" get ns default -o name >/dev/null 2>&1 && break; sleep 0.1; done
emulator_admin dst DELETE /emulator/faults >/dev/null
report="$(cat "$E2E_TMP/mid.out")"
expect_eq "down mid-run: exit 1" "$RC" 1
check "down mid-run: the report is valid JSON" jq -e '.summary' <<<"$report"
state="$(annotated)"
updated="$(jq -c '[.items[] | select(.outcome == "updated" and .field == "spec.replicas") | [.kind, .namespace, .name]] | sort' <<<"$report")"
at_count="$(jq -c '[.[] | select(.replicas == .count) | [.kind, .namespace, .name]] | sort' <<<"$state")"
check "down mid-run: some writes landed before the outage" jq -e 'length > 0' <<<"$updated"
expect_eq "down mid-run: everything reported updated is at its count" \
  "$(jq -n --argjson u "$updated" --argjson a "$at_count" '$u - $a | length')" 0
unexplained="$(jq -n --argjson a "$at_count" --argjson s "$state" --argjson r "$report" '
  [$s[] | select(.replicas != .count) | [.kind, .namespace, .name]] as $pending
  | [$r.items[] | select(.outcome == "failed") | [.kind, .namespace, .name]] as $failed
  | if ($r.errors | length) > 0 then [] else $pending - $failed end | length')"
expect_eq "down mid-run: every workload not done is named as failed, or a failed list is reported" "$unexplained" 0
check "down mid-run: the cause is named" grep -q "was refused" "$E2E_TMP/mid.err"
# With -o json the per-object failures are only in the report: stderr says why, once.
expect_eq "down mid-run: one error line, however many writes it cost" "$(grep -c '^error: ' "$E2E_TMP/mid.err")" 1
check "down mid-run: the summary counts the failures" grep -q "failed) in" "$E2E_TMP/mid.err"
extra="$(jq -n --argjson u "$updated" --argjson a "$at_count" '$a - $u | length')"
check "down mid-run: at most the in-flight writes landed unreported ($extra)" test "$extra" -le 2
run_capture kubectl dr activate migration -A "${DST[@]}"
expect_eq "after the outage: re-run exits 0" "$RC" 0
expect_eq "after the outage: every workload at its count" "$(annotated | jq '[.[] | select(.replicas != .count)] | length')" 0

echo "figures: $FIGURES"
finish
