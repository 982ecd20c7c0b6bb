#!/usr/bin/env bash
# TLS verification is on unless asked otherwise. A certificate from an unknown authority, an expired
# one, one for another host, no CA at all, and one from an authority the system trusts when the
# kubeconfig names its own are each refused with a line naming the cause; nothing is written. --insecure-skip-tls-verify (flag or kubeconfig) connects and warns exactly once.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:2:5
URL="$(emulator_url dst)"
PKI="$E2E_TMP/pki"
mkdir -p "$PKI/db"
# s_server runs in a command substitution (a subshell), so its listeners' pids go to files.
# SYSTEM_CA_LINK: a test authority linked into the system's CA directory, below, while it is there.
SYSTEM_CA_LINK=""
cleanup() {
  [ -n "$SYSTEM_CA_LINK" ] && rm -f "$SYSTEM_CA_LINK"
  for f in "$E2E_TMP"/s_server.*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  e2e_cleanup
}
trap cleanup EXIT

# An authority of our own and server certificates from it, made with the openssl CLI.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" \
  -subj /CN=dr-test-ca -days 2 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/server.key" -out "$PKI/server.csr" \
  -subj /CN=127.0.0.1 2>/dev/null
: >"$PKI/db/index"
echo 01 >"$PKI/db/serial"
cat >"$PKI/ca.cnf" <<EOF
[ca]
default_ca = dr
[dr]
database = $PKI/db/index
serial = $PKI/db/serial
new_certs_dir = $PKI/db
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
[right_host]
subjectAltName = IP:127.0.0.1
[wrong_host]
subjectAltName = DNS:api.elsewhere.example
EOF
sign() {  # sign OUT EXTENSIONS [openssl ca date flags...]
  local out="$1" ext="$2"; shift 2
  openssl ca -batch -config "$PKI/ca.cnf" -cert "$PKI/ca.crt" -keyfile "$PKI/ca.key" -in "$PKI/server.csr" \
    -out "$out" -extensions "$ext" -notext "$@" 2>/dev/null
}
sign "$PKI/expired.crt" right_host -startdate 20200101000000Z -enddate 20200102000000Z
sign "$PKI/wrong-host.crt" wrong_host -days 1
sign "$PKI/good.crt" right_host -days 1

# s_server CERT: an openssl TLS listener on 127.0.0.1 presenting CERT; prints its port.
s_server() {
  local log="$E2E_TMP/s_server.$(basename "$1")"
  openssl s_server -accept 127.0.0.1:0 -cert "$1" -key "$PKI/server.key" -www -naccept 50 >"$log" 2>&1 &
  echo "$!" >"$log.pid"
  local i
  for i in $(seq 1 100); do grep -q '^ACCEPT' "$log" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$log" | head -1
}

# What a write of ours would change (spec, so the generation, and annotations), not resourceVersion:
# on a real cluster the controllers keep updating the workloads' status.
fingerprint() {
  kubectl get statefulsets,deployments,cronjobs -A -o json |
    jq -c '[.items[] | [.metadata.namespace, .metadata.name, .metadata.generation, .metadata.annotations, .spec]]'
}
before="$(fingerprint)"
refused() {  # refused NAME CAUSE: the last run failed on TLS verification with one line naming CAUSE
  expect_eq "$1: exit 1" "$RC" 1
  expect_eq "$1: one line on stderr" "$(grep -c . <<<"$ERR")" 1
  expect_contains "$1: says verification failed" "$ERR" "tls: failed to verify certificate: "
  expect_contains "$1: names the cause" "$ERR" "$2"
}

# --- on by default: the emulator's own CA works
run_capture kubectl dr status clusterdomains
expect_eq "verified connection: exit 0" "$RC" 0
check "verified connection: no insecure warning" bash -c '! grep -qi insecure <<<"$1"' _ "$ERR"

# --- an authority the kubeconfig does not trust
run_capture kubectl dr activate migration -A --certificate-authority "$PKI/ca.crt"
refused "unknown authority" "x509: certificate signed by unknown authority"
expect_contains "unknown authority: says which CA was used" "$ERR" "$PKI/ca.crt"

# --- no CA in the kubeconfig: the system trust store does not know the emulator's CA either
kubectl config set-cluster no-ca --server="$URL" >/dev/null
kubectl config set-context no-ca --cluster=no-ca --user=dst >/dev/null
run_capture kubectl dr status --context no-ca
refused "no CA configured" "certificate signed by unknown authority"
expect_contains "no CA configured: says the system trust store was used" "$ERR" "system trust store"

# --- expired and wrong-host certificates from an authority we do trust
port="$(s_server "$PKI/expired.crt")"
run_capture kubectl dr activate migration -A --server "https://127.0.0.1:$port" --certificate-authority "$PKI/ca.crt"
refused "expired certificate" "expired"
port="$(s_server "$PKI/wrong-host.crt")"
run_capture kubectl dr activate migration -A --server "https://127.0.0.1:$port" --certificate-authority "$PKI/ca.crt"
refused "wrong-host certificate" \
  "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"
# by name: the names the certificate is valid for are named, as Go's x509 does
run_capture kubectl dr activate migration -A --server "https://localhost:$port" --certificate-authority "$PKI/ca.crt"
refused "wrong-host certificate, by name" "x509: certificate is valid for api.elsewhere.example, not localhost"
# the same listener with a good certificate gets past TLS (and fails later: it is not an API server)
port="$(s_server "$PKI/good.crt")"
run_capture kubectl dr status clusterdomains --server "https://127.0.0.1:$port" --certificate-authority "$PKI/ca.crt"
expect_eq "good certificate on the test listener: still exit 1" "$RC" 1
check "good certificate on the test listener: not a TLS error" bash -c '! grep -q "failed to verify" <<<"$1"' _ "$ERR"

# --- the kubeconfig's authority is the only one trusted: one the system trusts is not enough
# (libcurl would also search its built-in CA directory). Needs a writable system CA directory: the
# test authority is linked into it under its hash name for these runs only.
SYSTEM_CA_DIR=/etc/ssl/certs
if [ -w "$SYSTEM_CA_DIR" ]; then
  hash="$(openssl x509 -hash -noout -in "$PKI/ca.crt")"
  n=0
  while [ -e "$SYSTEM_CA_DIR/$hash.$n" ]; do n=$((n + 1)); done
  SYSTEM_CA_LINK="$SYSTEM_CA_DIR/$hash.$n"
  ln -s "$PKI/ca.crt" "$SYSTEM_CA_LINK"
  port="$(s_server "$PKI/good.crt")"
  # Without a CA of its own the system's is used, so the link is in effect (past TLS, as kubectl).
  run_capture kubectl dr status clusterdomains --context no-ca --server "https://127.0.0.1:$port"
  check "system authority: trusted when the kubeconfig names none" \
    bash -c '! grep -q "failed to verify" <<<"$1"' _ "$ERR"
  # The kubeconfig's cluster names the emulator's CA: kubectl refuses the listener, and so do we.
  run_capture kubectl get clusterdomainsstatuses --server "https://127.0.0.1:$port"
  expect_contains "system authority: kubectl refuses it beside the kubeconfig's" "$ERR" \
    "certificate signed by unknown authority"
  run_capture kubectl dr status clusterdomains --server "https://127.0.0.1:$port"
  refused "system authority beside the kubeconfig's" "x509: certificate signed by unknown authority"
  expect_contains "system authority beside the kubeconfig's: names the kubeconfig's CA" "$ERR" \
    "certificate-authority from"
  rm -f "$SYSTEM_CA_LINK"
  SYSTEM_CA_LINK=""
else
  echo "ok - system authority beside the kubeconfig's: SKIPPED ($SYSTEM_CA_DIR is not writable here)"
fi

expect_eq "refused connections wrote nothing" "$(fingerprint)" "$before"

# --- --insecure-skip-tls-verify: connects despite the wrong CA, warns once (even over many requests)
run_capture kubectl dr activate migration -A --dry-run=server --insecure-skip-tls-verify --server "$URL"
expect_eq "insecure flag: exit 0" "$RC" 0
expect_eq "insecure flag: warned exactly once" "$(grep -ci 'insecure' <<<"$ERR")" 1
expect_contains "insecure flag: the warning says what is not checked" "$ERR" "Warning:"
run_capture kubectl dr status --insecure-skip-tls-verify --server "$URL" -v=6
expect_eq "insecure flag at -v=6: exit 0" "$RC" 0
expect_eq "insecure flag at -v=6: still one warning" "$(grep -ci 'insecure' <<<"$ERR")" 1
kubectl config set-cluster insecure --server="$URL" --insecure-skip-tls-verify=true >/dev/null
kubectl config set-context insecure --cluster=insecure --user=dst >/dev/null
run_capture kubectl dr status clusterdomains --context insecure
expect_eq "insecure kubeconfig: exit 0" "$RC" 0
expect_eq "insecure kubeconfig: warned once" "$(grep -ci 'insecure' <<<"$ERR")" 1
run_capture kubectl dr status clusterdomains --context insecure -o json
check "insecure kubeconfig: the warning stays off stdout" jq -e . <<<"$OUT"
check "insecure kubeconfig: -o json stdout has no warning" bash -c '! grep -qi insecure <<<"$1"' _ "$OUT"

finish
