#!/usr/bin/env bash
# Connections the way kube-apiserver (Go's net and crypto/tls) takes them: a listen backlog as deep
# as the kernel allows, so a client opening its whole connection pool at once is not left waiting
# out a SYN retransmit; TLS sessions resumed on a later connection with the client certificate
# still required, where OpenSSL without a session context answers "internal error"; and one TLS 1.3
# session ticket per connection, as Go sends (OpenSSL's default is two, each one more copy of the
# session, the client's certificate decoded again, on every client's first request).
source "$(dirname "$0")/lib.sh"
start_emulator --clusters dst --seed scale:2:5
PORT="$(jq -r '.clusters.dst.port' <<<"$EMU_INFO")"
DIR="$(jq -r '.state_dir' <<<"$EMU_INFO")"

# ss's Send-Q of a listening socket is its backlog; cpp-httplib alone would give 5.
somaxconn="$(cat /proc/sys/net/core/somaxconn)"
backlog="$(ss -Hltn "sport = :$PORT" | awk '{ print $3 }')"
expect_eq "the listener's backlog is the kernel's somaxconn" "$backlog" "$somaxconn"

# s_client SESSION_FLAG FILE [FLAG...]: one TLS connection with the admin certificate, one request
# that needs it (anonymous gets 401); prints s_client's report, the answer included.
s_client() {
  local flag="$1" file="$2"
  shift 2
  printf 'GET /api/v1/namespaces?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' |
    openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$DIR/ca.crt" -cert "$DIR/admin.crt" \
      -key "$DIR/admin.key" -ign_eof "$flag" "$file" "$@" 2>&1 || true  # its exit code says nothing here
}
first="$(s_client -sess_out "$E2E_TMP/session.pem" -msg)"
expect_contains "the first connection is a full handshake" "$first" "New, TLSv1.3"
expect_eq "one session ticket per connection, as Go's crypto/tls sends" \
  "$(grep -c 'NewSessionTicket' <<<"$first")" 1
expect_contains "and is answered" "$first" "HTTP/1.1 200 OK"
check "the server handed out a session ticket" test -s "$E2E_TMP/session.pem"
second="$(s_client -sess_in "$E2E_TMP/session.pem")"
expect_contains "the next connection resumes the session" "$second" "Reused, TLSv1.3"
expect_contains "and is answered as the certificate's user, not refused with an internal error" "$second" "HTTP/1.1 200 OK"
check "no alert on resumption" bash -c '! grep -qi "alert" <<<"$1"' _ "$second"

finish
