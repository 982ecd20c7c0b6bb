#!/usr/bin/env bash
# Every example in README.md is run here. An example is an indented line "    $ kubectl dr ..." (or
# "$ kubectl __complete dr ..."); the indented lines after it, up to a blank line, are what it
# prints (stdout and stderr, in the README's order). They run in README order against the
# zookeeper-failover seed, which is what the README was captured from. A trailing "# exit code N"
# is the exit code expected (else 0), any other "# ..." a comment; a last output line "..." means
# the rest is left out.
# What differs from run to run is masked on both sides: generated names (UUIDs, timestamps in
# migration names), dates, durations and request counts, the version's commit, and column padding.
source "$(dirname "$0")/lib.sh"
README="${DR_SOURCE_DIR:?run through ctest}/README.md"
start_emulator --clusters us-east-1a,us-east-1b --seed zookeeper-failover

normalize() {
  sed -E \
    -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uid>/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}/<stamp>/g' \
    -e 's/[0-9]{2} [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} UTC/<date>/g' \
    -e 's/in [0-9.]+m?s, [0-9]+ requests?/in <t>, <n> requests/g' \
    -e 's/\((Volumes|Resources) \([0-9.]+m?s\)/\1 (<t>)/g; s/(Volumes|Resources) \([0-9.hms]+\)/\1 (<t>)/g' \
    -e 's/(commit |"gitCommit": ")[0-9a-f]+/\1<commit>/g; s/v[0-9]+\.[0-9]+\.[0-9]+[^ ",]*/<version>/g' \
    -e 's/[ \t]+/ /g; s/ $//'
}

# The examples: "COMMAND<TAB>EXPECTED-EXIT" then the expected lines, each block ended by a line "@@".
extract() {
  awk '
    function close_block() { if (open) { print "@@"; open = 0 } }
    /^    \$ kubectl (dr|__complete dr) / {
      close_block()
      line = substr($0, 7); code = 0
      if (match(line, /# exit code [0-9]+ *$/)) { code = substr(line, RSTART + 12) + 0; line = substr(line, 1, RSTART - 1) }
      sub(/ +#.*$/, "", line)
      sub(/ +$/, "", line)
      print line "\t" code; open = 1; next
    }
    open && /^    / { print substr($0, 5); next }
    { close_block() }
    END { close_block() }' "$README"
}

# `kubectl __complete dr` runs in the krew layout (kubectl-dr and kubectl_complete-dr on PATH, as
# the README's install gives), and what kubectl adds on stderr (its debug lines) is not compared,
# as the README says.
link_dir="$E2E_TMP/bin"
mkdir -p "$link_dir"
ln -s "$DR_BIN_DIR/kubectl-dr" "$link_dir/kubectl-dr"
ln -s "$DR_BIN_DIR/kubectl_complete-dr" "$link_dir/kubectl_complete-dr"
ln -s "$(command -v kubectl)" "$link_dir/kubectl"
run_example() {
  if [ "$1 $2" = "kubectl __complete" ]; then
    PATH="$link_dir:/usr/bin:/bin" "$@" 2>/dev/null
  else
    "$@" 2>&1
  fi
}
count=0
command_line="" expected_code=0 expected=""
while IFS= read -r line; do
  if [ "$line" != "@@" ] && [ -z "$command_line" ]; then
    command_line="${line%$'\t'*}"; expected_code="${line##*$'\t'}"; expected=""; continue
  fi
  if [ "$line" != "@@" ]; then expected+="$line"$'\n'; continue; fi
  count=$((count + 1))
  # The README's words, split as the shell would (no quoting beyond "" is used there).
  eval "words=($command_line)"
  set +e; actual="$(run_example "${words[@]}")"; rc=$?; set -e
  expect_eq "README: $command_line: exit $expected_code" "$rc" "$expected_code"
  if [ -n "$expected" ]; then
    want="$(normalize <<<"${expected%$'\n'}")"
    got="$(normalize <<<"$actual")"
    if [ "$(tail -n 1 <<<"$want")" = "..." ]; then
      want="$(sed '$d' <<<"$want")"
      got="$(head -n "$(wc -l <<<"$want")" <<<"$got")"
    fi
    # stdout and stderr interleave differently through a pipe than on the terminal the README was
    # captured on: the lines are compared, not their order between the two streams.
    expect_eq "README: $command_line: prints what the README shows" "$(sort <<<"$got")" "$(sort <<<"$want")"
  fi
  command_line=""
done < <(extract)
check "README has examples ($count run)" test "$count" -ge 15

finish
