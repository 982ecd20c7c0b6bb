#!/usr/bin/env bash
# Server certificates are checked by Go's rule for names (issue 25, item 5): a certificate that
# names its server only in the Common Name, without subjectAltNames, is refused before any request
# (the token is never sent), in kubectl's words; the same server with a SAN certificate is accepted.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "FAIL: python3 is not installed" >&2; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl is not installed" >&2; exit 1; }

TOKEN="tok-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cd "$E2E_TMP"
# A CA, and two server certificates it signs for localhost: one with a SAN, one with the CN only.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=dr-test-ca 2>/dev/null
printf 'basicConstraints=CA:FALSE\n' >cn-only.ext
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\n' >san.ext
for kind in cn-only san; do
  openssl req -newkey rsa:2048 -nodes -keyout "$kind.key" -out "$kind.csr" -subj /CN=localhost 2>/dev/null
  openssl x509 -req -in "$kind.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile "$kind.ext" \
    -out "$kind.crt" 2>/dev/null
done
check "the CN-only certificate has no subjectAltName" bash -c '! openssl x509 -in cn-only.crt -noout -text | grep -q "Subject Alternative Name"'

cat >serve.py <<'PY'
import http.server, ssl, sys
cert, key, seen, port_file = sys.argv[1:5]
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(seen, "a").write(self.path + " " + self.headers.get("Authorization", "-") + "\n")
        body = b'{"kind":"Status","status":"Failure","code":404,"reason":"NotFound","message":"not here"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_PATCH = do_PUT = do_POST = do_GET
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
open(port_file, "w").write(str(server.server_address[1]))
server.serve_forever()
PY
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; e2e_cleanup' EXIT
for kind in cn-only san; do
  : >"$kind.seen"
  python3 serve.py "$kind.crt" "$kind.key" "$kind.seen" "$kind.port" &
  PIDS+=($!)
  for _ in $(seq 1 200); do [ -s "$kind.port" ] && break; sleep 0.05; done
  [ -s "$kind.port" ] || { echo "FAIL: the $kind server did not start" >&2; exit 1; }
done
export KUBECONFIG="$E2E_TMP/kubeconfig"
for kind in cn-only san; do
  kubectl config set-cluster "$kind" --server "https://localhost:$(cat "$kind.port")" --certificate-authority ca.crt >/dev/null
  kubectl config set-context "$kind" --cluster "$kind" --user u >/dev/null
done
kubectl config set-credentials u --token "$TOKEN" >/dev/null

run_capture kubectl dr suspend migrationschedule s1 -n ns1 --context cn-only
expect_eq "CN only: exit 1" "$RC" 1
expect_contains "CN only: Go's reason, kubectl's words" "$ERR" \
  "error: Unable to connect to the server: tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead"
expect_eq "CN only: no request reached the server (no token sent)" "$(cat cn-only.seen)" ""

run_capture kubectl dr suspend migrationschedule s1 -n ns1 --context san
check "SAN: the handshake is accepted (no TLS error)" bash -c '! grep -q "x509\|tls:" <<<"$1"' _ "$ERR"
check "SAN: the request carried the token" grep -qF "Bearer $TOKEN" san.seen
finish
