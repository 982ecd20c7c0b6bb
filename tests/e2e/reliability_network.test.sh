#!/usr/bin/env bash
# The network answers as kubectl meets them (issue 26, item 10): a refused connection is reported
# at once, without retries (counted in the -v=6 log, not timed); a wrong token is worded as kubectl
# words it (kubectl_auth.test.sh shows kubectl's own line).
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --token "right-token-$$"

# A port nothing listens on: one that was bound and released (the kernel does not hand it out
# again at once).
CLOSED_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
run_capture kubectl dr status --server "https://127.0.0.1:$CLOSED_PORT" --insecure-skip-tls-verify -v=6
expect_eq "refused: exit 1" "$RC" 1
expect_contains "refused: kubectl's message" "$ERR" \
  "error: The connection to the server 127.0.0.1:$CLOSED_PORT was refused - did you specify the right host or port?"
expect_eq "refused: not retried" "$(grep -c 'retrying in' <<<"$ERR" || true)" 0

run_capture kubectl dr status --token wrong-token
expect_eq "wrong token: exit 1" "$RC" 1
expect_eq "wrong token: kubectl's message" "$ERR" "error: You must be logged in to the server (Unauthorized)"
finish
