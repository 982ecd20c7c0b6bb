#!/bin/sh
# A stand-in exec credential plugin for the unit tests. What it does is chosen by PLUGIN_* variables,
# which the tests set through the kubeconfig's exec env list:
#   PLUGIN_MODE          token (default) | cert | v1beta1 | fail | badjson | wrongversion | nothing | onlycert
#   PLUGIN_COUNTER_FILE  one line is appended per run; the token is "token-<run number>"
#   PLUGIN_EXPIRY        status.expirationTimestamp to return
#   PLUGIN_INFO_FILE     where to save $KUBERNETES_EXEC_INFO
#   PLUGIN_ARGS_FILE     where to save the arguments, one per line
run=1
if [ -n "$PLUGIN_COUNTER_FILE" ]; then
  echo run >> "$PLUGIN_COUNTER_FILE"
  run=$(wc -l < "$PLUGIN_COUNTER_FILE" | tr -d ' ')
fi
if [ -n "$PLUGIN_INFO_FILE" ]; then printf '%s' "$KUBERNETES_EXEC_INFO" > "$PLUGIN_INFO_FILE"; fi
if [ -n "$PLUGIN_ARGS_FILE" ]; then printf '%s\n' "$@" > "$PLUGIN_ARGS_FILE"; fi

expiry=""
if [ -n "$PLUGIN_EXPIRY" ]; then expiry=",\"expirationTimestamp\":\"$PLUGIN_EXPIRY\""; fi
v1=client.authentication.k8s.io/v1

case "${PLUGIN_MODE:-token}" in
  token)
    printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"token-%s"%s}}\n' "$v1" "$run" "$expiry" ;;
  v1beta1)
    printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"beta-token"}}\n' "${v1}beta1" ;;
  cert)
    printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\\nEXEC-CERT\\n-----END CERTIFICATE-----\\n","clientKeyData":"-----BEGIN PRIVATE KEY-----\\nEXEC-KEY\\n-----END PRIVATE KEY-----\\n"%s}}\n' "$v1" "$expiry" ;;
  onlycert)
    printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"CERT"}}\n' "$v1" ;;
  nothing)
    printf '{"apiVersion":"%s","kind":"ExecCredential","status":{}}\n' "$v1" ;;
  wrongversion)
    printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"secret-in-wrong-version"}}\n' "${v1}beta1" ;;
  badjson)
    printf '{"apiVersion": "%s", "status": {"token": "secret-in-bad-json"\n' "$v1" ;;
  fail)
    echo "plugin-stderr: login required" >&2
    exit 1 ;;
  *)
    echo "unknown PLUGIN_MODE $PLUGIN_MODE" >&2
    exit 2 ;;
esac
