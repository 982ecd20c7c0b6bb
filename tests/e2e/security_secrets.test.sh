#!/usr/bin/env bash
# No secret ever reaches an output: a broad set of commands runs at -v=0..9 as five users (bearer
# token, basic auth, client certificate, exec plugin returning a token, exec plugin returning a
# client certificate), every stdout and stderr is kept, and all of it is searched for the token,
# the password (and its base64 form), the client key and the exec plugin's output. The exec plugin
# gets client-go's environment, its stderr reaches the user, its stdout is never echoed. And
# nothing is written to disk: HOME, XDG dirs, TMPDIR and the working directory stay as they were.
source "$(dirname "$0")/lib.sh"
TOKEN="tok-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_emulator --clusters dst --seed scale:2:5 --token "$TOKEN"
STATE="$(jq -r .state_dir <<<"$EMU_INFO")"
URL="$(emulator_url dst)"
PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BASIC_B64="$(printf 'alice:%s' "$PASSWORD" | base64 -w0)"
KEY_B64="$(base64 -w0 <"$STATE/admin.key")"
# distinctive pieces of the key: its base64 body lines, and a chunk of its -data form
mapfile -t KEY_LINES < <(grep -v '^-----' "$STATE/admin.key" | awk 'length($0) >= 20')
SECRETS=("$TOKEN" "$PASSWORD" "$BASIC_B64" "${KEY_B64:40:40}" "${KEY_LINES[@]}")

# The exec plugin: records its environment, says something on stderr, prints an ExecCredential.
PLUGIN_DIR="$E2E_TMP/plugin"
mkdir -p "$PLUGIN_DIR"
cat >"$PLUGIN_DIR/dr-test-credential" <<'EOF'
#!/usr/bin/env bash
env >"$DR_TEST_ENV_DUMP.$$"
echo "dr-test-credential: looking up a credential (this line is for the user)" >&2
if [ "${1:-}" = cert ]; then
  jq -n --rawfile c "$DR_TEST_CERT" --rawfile k "$DR_TEST_KEY" \
    '{apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: {clientCertificateData: $c, clientKeyData: $k}}'
else
  jq -n --arg t "$DR_TEST_TOKEN" '{apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: {token: $t}}'
fi
EOF
chmod +x "$PLUGIN_DIR/dr-test-credential"
ENV_DUMP="$E2E_TMP/exec-env"
export DR_TEST_ENV_DUMP="$ENV_DUMP" DR_TEST_PARENT_VAR="from-the-parent"

# Users in the kubeconfig (written with kubectl config, as a user would).
kubectl config set-credentials basic --username alice --password "$PASSWORD" >/dev/null
kubectl config set-credentials cert --client-certificate "$STATE/admin.crt" --client-key "$STATE/admin.key" --embed-certs >/dev/null
for kind in token cert; do
  kubectl config set-credentials "exec-$kind" --exec-api-version client.authentication.k8s.io/v1 \
    --exec-command "$PLUGIN_DIR/dr-test-credential" --exec-arg "$kind" --exec-interactive-mode Never \
    --exec-env "DR_TEST_TOKEN=$TOKEN" --exec-env "DR_TEST_CERT=$STATE/admin.crt" --exec-env "DR_TEST_KEY=$STATE/admin.key" \
    --exec-env DR_TEST_FROM_KUBECONFIG=yes >/dev/null
done
for user in dst basic cert exec-token exec-cert; do
  kubectl config set-context "as-$user" --cluster dst --user "$user" >/dev/null
done
# provideClusterInfo is not settable with kubectl config: add it to the exec users with jq-free yaml edits
sed -i 's/^\(\s*\)interactiveMode: Never$/\1interactiveMode: Never\n\1provideClusterInfo: true/' "$KUBECONFIG"

COMMANDS=(
  "status"
  "status clusterdomains -o json"
  "status migrationschedules -A -o yaml"
  "status apps -n ns-00001"
  "activate migration -A --dry-run=client"
  "activate migration -A -o json"
  "deactivate migration -A --dry-run=server"
  "deactivate apps -n ns-00002 -o yaml"
  "suspend migrationschedule --all -n ns-00001"
  "resume migrationschedule --all -n ns-00001"
  "activate clusterdomain no-such-domain"
  "activate migration -n no-such-namespace"
)
OUTPUTS="$E2E_TMP/outputs"
mkdir -p "$OUTPUTS"
runs=0
# Below -v=6 nothing is logged (requests at 6, headers at 7, bodies at 8): 0 and 5 stand for 0-5
# in the full matrix, and the levels between are shown to print exactly what -v=0 prints below.
LEVELS=(0 5 6 7 8 9)
for user in dst basic cert exec-token exec-cert; do
  for level in "${LEVELS[@]}"; do
    for cmd in "${COMMANDS[@]}"; do
      runs=$((runs + 1))
      # shellcheck disable=SC2086
      kubectl dr $cmd --context "as-$user" -v="$level" >"$OUTPUTS/$runs.out" 2>"$OUTPUTS/$runs.err" || true
    done
  done
  # the credential given on the command line rather than in the kubeconfig
  runs=$((runs + 1))
  kubectl dr status --context as-basic --token "$TOKEN" -v=9 >"$OUTPUTS/$runs.out" 2>"$OUTPUTS/$runs.err" || true
  runs=$((runs + 1))
  kubectl dr status --context as-dst --username alice --password "$PASSWORD" -v=9 >"$OUTPUTS/$runs.out" 2>"$OUTPUTS/$runs.err" || true
done
same_below=0
for user in dst basic cert exec-token exec-cert; do
  for cmd in "status clusterdomains" "activate migration -n no-such-namespace"; do
    for level in 0 1 2 3 4; do
      runs=$((runs + 1))
      # shellcheck disable=SC2086
      kubectl dr $cmd --context "as-$user" -v="$level" >"$OUTPUTS/$runs.out" 2>"$OUTPUTS/$runs.err" || true
      if [ "$level" = 0 ]; then
        at_zero="$runs"
      elif cmp -s "$OUTPUTS/$at_zero.out" "$OUTPUTS/$runs.out" && cmp -s "$OUTPUTS/$at_zero.err" "$OUTPUTS/$runs.err"; then
        same_below=$((same_below + 1))
      fi
    done
  done
done
expect_eq "-v=1 to -v=4 print what -v=0 prints (so 0 and 5 stand for them above)" "$same_below" 40
check "the runs talked to the server ($runs runs)" grep -q "Updated replicas for" "$OUTPUTS"/*.out
check "-v=9 logged requests" grep -lq "Request Headers" "$OUTPUTS"/*.err
check "-v=9 logged bodies" grep -lq "Response Body" "$OUTPUTS"/*.err
check "basic auth was refused by the token-only server (an error path, logged)" grep -lq "Unauthorized" "$OUTPUTS"/*.err
check "exec users authenticated" bash -c 'grep -l "Updated replicas\|applicationActivated\|NAME" "$@" >/dev/null' _ "$OUTPUTS"/*.out
leaks=0
for secret in "${SECRETS[@]}"; do
  found="$(grep -rlF -- "$secret" "$OUTPUTS" | head -3 || true)"
  if [ -n "$found" ]; then
    leaks=$((leaks + 1))
    echo "secret ${secret:0:6}... found in: $found" >&2
  fi
done
expect_eq "no secret in any of $runs runs' stdout or stderr (${#SECRETS[@]} secrets searched)" "$leaks" 0
check "the Authorization header is logged masked" grep -rqE "Authorization: (Bearer|Basic) <masked>|Authorization: (Bearer|Basic) \*" "$OUTPUTS"

# --- the exec plugin's environment (client-go: our environment, the kubeconfig's env on top,
# KUBERNETES_EXEC_INFO with the cluster since provideClusterInfo is set), stdin not a terminal
rm -f "$ENV_DUMP".*
run_capture kubectl dr status clusterdomains --context as-exec-token
expect_eq "exec: command works" "$RC" 0
expect_contains "exec: the plugin's stderr reaches the user" "$ERR" "dr-test-credential: looking up a credential"
check "exec: the plugin's stdout is not echoed" bash -c '! grep -q ExecCredential <<<"$1$2"' _ "$OUT" "$ERR"
dump="$(cat "$ENV_DUMP".* 2>/dev/null | head -1000)"
expect_eq "exec: ran once for the whole command (cached in memory)" "$(ls "$ENV_DUMP".* | wc -l)" 1
expect_contains "exec: the kubeconfig's env" "$dump" "DR_TEST_FROM_KUBECONFIG=yes"
expect_contains "exec: the parent's environment" "$dump" "DR_TEST_PARENT_VAR=from-the-parent"
expect_contains "exec: PATH passed on" "$dump" "PATH=$PATH"
info="$(sed -n 's/^KUBERNETES_EXEC_INFO=//p' <<<"$dump")"
check "exec: KUBERNETES_EXEC_INFO is an ExecCredential" jq -e '.kind == "ExecCredential" and .apiVersion == "client.authentication.k8s.io/v1"' <<<"$info"
check "exec: not interactive (interactiveMode Never)" jq -e '.spec.interactive == false' <<<"$info"
check "exec: provideClusterInfo gives the server and its CA" \
  jq -e --arg url "$URL" '.spec.cluster.server == $url and (.spec.cluster["certificate-authority-data"] | length > 100)' <<<"$info"

# --- nothing written to disk: fresh HOME/XDG/TMPDIR/cwd, the kubeconfig itself unchanged
ROOT="$E2E_TMP/disk"
mkdir -p "$ROOT/home" "$ROOT/config" "$ROOT/cache" "$ROOT/data" "$ROOT/state" "$ROOT/tmp" "$ROOT/cwd" "$ROOT/runtime"
snapshot() { (find "$ROOT" -printf '%p %s %T@\n'; sha256sum "$KUBECONFIG") | sort; }
before="$(snapshot)"
for user in dst cert exec-token exec-cert; do
  for cmd in "status" "activate migration -A" "deactivate migration -A" "status apps -A -o json"; do
    verb="${cmd%% *}" args="${cmd#"${cmd%% *}"}"
    # shellcheck disable=SC2086
    (cd "$ROOT/cwd" && HOME="$ROOT/home" XDG_CONFIG_HOME="$ROOT/config" XDG_CACHE_HOME="$ROOT/cache" \
      XDG_DATA_HOME="$ROOT/data" XDG_STATE_HOME="$ROOT/state" XDG_RUNTIME_DIR="$ROOT/runtime" TMPDIR="$ROOT/tmp" \
      "kubectl-dr-$verb" $args --context "as-$user" -v=9 >/dev/null 2>&1) || true
  done
done
expect_eq "no file created or changed in HOME, XDG dirs, TMPDIR, cwd, or the kubeconfig" "$(snapshot)" "$before"

finish
