#!/usr/bin/env bash
# Issue 26 item 7: with -o json|yaml|name, stdout carries only the machine format in every path of
# every verb (real change, nothing to do, dry runs, --wait), so `| jq` never fails on English.
# json goes through jq, yaml through python's yaml (one document), name must be TYPE/NAME lines.
source "$(dirname "$0")/lib.sh"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

SRC=(--context us-east-1a)
DST=(--context us-east-1b)
yaml_ok() { python3 -c 'import sys, yaml; docs = list(yaml.safe_load_all(sys.stdin)); sys.exit(0 if len(docs) == 1 and isinstance(docs[0], dict) else 1)'; }
name_ok() { awk 'NF && !/^[a-z.]+\/[A-Za-z0-9._-]+$/ { bad = 1 } END { exit bad }'; }

# machine LABEL ARGS...: for each of $FORMATS (json yaml name), the command's stdout is only that format.
FORMATS="json yaml name"
machine() {
  local label="$1"; shift
  local format
  for format in $FORMATS; do
    run_capture kubectl dr "$@" -o "$format"
    check "$label -o $format: exit 0" test "$RC" -eq 0
    case "$format" in
      json) check "$label -o json: jq parses stdout" jq -e 'type == "object"' >/dev/null <<<"$OUT" ;;
      yaml) check "$label -o yaml: one YAML document" yaml_ok <<<"$OUT" ;;
      name) check "$label -o name: only TYPE/NAME lines" name_ok <<<"$OUT" ;;
    esac
  done
}

for view in clusterdomains clusterdomainupdates migrationschedules migrations clusterpairs apps; do
  machine "status $view" status "$view" -n zookeeper "${SRC[@]}"
done
machine "status migrationschedules, none matching" status migrationschedules -n zookeeper -l nope=1 "${SRC[@]}"
machine "status migrationschedules NAME" status migrationschedules migrationschedule -n zookeeper "${SRC[@]}"

machine "suspend migrationschedule" suspend migrationschedule migrationschedule -n zookeeper "${SRC[@]}"
machine "suspend, dry run" suspend migrationschedule migrationschedule -n zookeeper --dry-run=client "${SRC[@]}"
machine "suspend -c, none matching" suspend migrationschedule -c not-a-pair -n zookeeper "${SRC[@]}"
machine "resume -c, none matching" resume migrationschedule -c not-a-pair -n zookeeper "${SRC[@]}"

FORMATS="json yaml"  # activation reports refuse -o name (a usage error, by design)
machine "activate migration, dry run" activate migration -n zookeeper --dry-run=client "${DST[@]}"
machine "activate migration" activate migration -n zookeeper "${DST[@]}"
machine "activate migration, nothing to do" activate migration -n zookeeper "${DST[@]}"
machine "deactivate migration" deactivate migration -n zookeeper "${DST[@]}"
machine "deactivate apps, dry run" deactivate apps -n zookeeper --dry-run=client "${SRC[@]}"
FORMATS="json yaml name"

machine "activate clusterdomain, already active" activate clusterdomain us-east-1b "${DST[@]}"
machine "activate clusterdomain --all, none inactive" activate clusterdomain --all "${DST[@]}"
machine "deactivate clusterdomain, dry run" deactivate clusterdomain us-east-1a --dry-run=client "${DST[@]}"
run_capture kubectl dr deactivate clusterdomain us-east-1a --wait --timeout 60s -o json "${DST[@]}"
expect_eq "deactivate clusterdomain --wait -o json: exit 0" "$RC" 0
check "deactivate clusterdomain --wait -o json: stdout is only the update" jq -e '.kind == "ClusterDomainUpdate"' >/dev/null <<<"$OUT"
expect_contains "deactivate clusterdomain --wait -o json: success line on stderr" "$ERR" "updated successfully"

finish
