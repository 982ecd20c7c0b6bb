#!/usr/bin/env bash
# A server (or a proxy in front of it) that echoes the credential it was sent back in its answer
# (issue 25, item 6): the token, the basic password and its base64 form never reach stdout,
# stderr or an -o json report, at -v=0 as at -v=9, and the error line says <masked> where the
# secret was. The echoing server is a few lines of Python, as no API server does this on purpose.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "FAIL: python3 is not installed" >&2; exit 1; }

TOKEN="tok-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BASIC_B64="$(printf 'alice:%s' "$PASSWORD" | base64 -w0)"
MODE="$E2E_TMP/mode"
cat >"$E2E_TMP/echo.py" <<'PY'
import base64, http.server, json, sys
mode_file, port_file = sys.argv[1], sys.argv[2]
class Echo(http.server.BaseHTTPRequestHandler):
    def answer(self):
        auth = self.headers.get("Authorization", "")
        secret = auth.split(" ", 1)[1] if " " in auth else auth
        if auth.startswith("Basic "):
            secret += " (" + base64.b64decode(secret).decode() + ")"
        mode = open(mode_file).read().strip()
        status = int(mode[:3])
        if mode.endswith("text"):  # a proxy's plain-text page, which becomes the error's message
            body, kind = ("credential " + secret + " is not accepted here").encode(), "text/plain"
        else:
            body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": status,
                               "reason": "Unauthorized" if status == 401 else "Forbidden",
                               "message": "credential " + secret + " is not accepted here"}).encode()
            kind = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_PATCH = do_PUT = do_POST = do_DELETE = answer
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
open(port_file, "w").write(str(server.server_address[1]))
server.serve_forever()
PY
echo 401 >"$MODE"
python3 "$E2E_TMP/echo.py" "$MODE" "$E2E_TMP/port" &
ECHO_PID=$!
trap 'kill "$ECHO_PID" 2>/dev/null || true; e2e_cleanup' EXIT
for _ in $(seq 1 200); do [ -s "$E2E_TMP/port" ] && break; sleep 0.05; done
[ -s "$E2E_TMP/port" ] || { echo "FAIL: the echoing server did not start" >&2; exit 1; }

export KUBECONFIG="$E2E_TMP/kubeconfig"
kubectl config set-cluster echo --server "http://127.0.0.1:$(cat "$E2E_TMP/port")" >/dev/null
kubectl config set-credentials token --token "$TOKEN" >/dev/null
kubectl config set-credentials basic --username alice --password "$PASSWORD" >/dev/null
for user in token basic; do kubectl config set-context "as-$user" --cluster echo --user "$user" >/dev/null; done

COMMANDS=("status" "status migrationschedules -A -o json" "activate migration -A -o json"
          "suspend migrationschedule s1 -n ns1 -o json" "deactivate apps -n ns1")
n=0
for status in 401 403 403text; do
  echo "$status" >"$MODE"
  for user in token basic; do
    for verbosity in 0 9; do
      for cmd in "${COMMANDS[@]}"; do
        n=$((n + 1))
        # shellcheck disable=SC2086
        kubectl dr $cmd --context "as-$user" -v="$verbosity" --request-timeout 20s \
          >"$E2E_TMP/out.$n" 2>"$E2E_TMP/err.$n" || true
        printf '%s\n' "$status as-$user -v=$verbosity: $cmd" >"$E2E_TMP/what.$n"
      done
    done
  done
done
check "every command failed with an answer that echoed a credential (the secret was masked there)" \
  bash -c 'for f in "$1"/err.*; do grep -q "<masked>" "$f" || { cat "${f/err/what}" "$f"; exit 1; }; done' _ "$E2E_TMP"
for secret in "$TOKEN" "$PASSWORD" "$BASIC_B64"; do
  check "no output holds the secret ${secret:0:6}..." \
    bash -c '! grep -rlF -- "$1" "$2"/out.* "$2"/err.*' _ "$secret" "$E2E_TMP"
done
run_capture kubectl dr status --context as-token
echo 403 >"$MODE"
run_capture kubectl dr status --context as-token
expect_contains "the error line says where the token was" "$ERR" "credential <masked> is not accepted here"
finish
