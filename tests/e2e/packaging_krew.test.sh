#!/usr/bin/env bash
# scripts/package.sh: the release archive and the rendered krew manifest pass krew's validation
# (the rules of krew's internal/index/validation), and installing them the way
# `kubectl krew install --manifest=dr.yaml --archive=ARCHIVE` does gives a working `kubectl dr`.
#
# By default the archive is made from this build's binaries (package.sh --prebuilt): a Release
# build takes minutes on a small machine. The strict shared-library check (glibc only)
# therefore runs only when those binaries are release-like: this build was configured with
# -DDR_STATIC_DEPS=ON, or DR_PACKAGE_RELEASE_BUILD=1 makes the test run package.sh's real Release
# build (give ctest a longer --timeout). package.sh itself refuses a release whose binaries need
# more, so every real release is checked when it is made.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

root="${DR_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
build_dir="$(cd "$DR_BIN_DIR/.." && pwd)"
dist="$E2E_TMP/dist"
version="v$(sed -n 's/^project(kubectl-dr VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
arch="$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')"
archive="$dist/kubectl-dr_${version}_linux_${arch}.tar.gz"
manifest="$dist/dr.yaml"

strict=false
if [ "${DR_PACKAGE_RELEASE_BUILD:-0}" == 1 ]; then
  run_capture bash "$root/scripts/package.sh" --out "$dist" --build-dir "$E2E_TMP/build"
  strict=true
else
  run_capture bash "$root/scripts/package.sh" --out "$dist" --prebuilt "$DR_BIN_DIR"
  grep -q '^DR_STATIC_DEPS:BOOL=ON$' "$build_dir/CMakeCache.txt" && strict=true
fi
expect_eq "package.sh exits 0" "$RC" 0
[ "$RC" -eq 0 ] || { echo "$ERR" >&2; finish; exit 1; }
check "the archive is named kubectl-dr_<version>_<os>_<arch>.tar.gz" test -f "$archive"
check "the manifest is rendered" test -f "$manifest"
echo "archive: $(du -h "$archive" | cut -f1) $archive"

# The archive: regular files only (krew extracts files and directories, nothing else), flat.
members="$(tar -tzf "$archive" | sort | tr '\n' ' ')"
expect_eq "archive members" "$members" \
  "LICENSE README.md kubectl-dr kubectl-dr-activate kubectl-dr-deactivate kubectl-dr-failback kubectl-dr-failover kubectl-dr-perform kubectl-dr-resume kubectl-dr-status kubectl-dr-suspend kubectl_complete-dr "
expect_eq "archive holds regular files only" "$(tar -tvzf "$archive" | cut -c1 | sort -u | tr -d '\n')" "-"
expect_eq "executables are 0755" "$(tar -tvzf "$archive" | awk '$6 ~ /^kubectl/ {print $1}' | sort -u)" "-rwxr-xr-x"
lacks() { ! grep -qE "$1" <<<"$2"; }  # lacks REGEX TEXT
check "no absolute or .. paths" lacks '^/|\.\.' "$(tar -tzf "$archive")"

# The manifest, read by kubectl's own YAML decoder (sigs.k8s.io/yaml, as krew reads it).
json="$(KUBECONFIG=/dev/null kubectl label --local -f "$manifest" e2e=1 -o json | jq 'del(.metadata.labels)')"
q() { jq -r "$1" <<<"$json"; }
# jq_check NAME FILTER: the filter is true of the manifest.
jq_true() { jq -e "$1" <<<"$json" >/dev/null; }
jq_check() { check "$1" jq_true "$2"; }
jq_check "the manifest parses" .
expect_eq "apiVersion" "$(q .apiVersion)" "krew.googlecontainertools.github.com/v1alpha2"
expect_eq "kind" "$(q .kind)" "Plugin"
expect_eq "metadata.name is dr" "$(q .metadata.name)" "dr"
check "name is safe (^[\\w-]+\$)" grep -Eq '^[A-Za-z0-9_-]+$' <<<"$(q .metadata.name)"
expect_eq "the manifest file is named after the plugin" "$(basename "$manifest")" "$(q .metadata.name).yaml"
expect_eq "spec.version is the release version" "$(q .spec.version)" "$version"
check "spec.version is semver with a leading v" \
  grep -Eq '^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$' <<<"$(q .spec.version)"
short="$(q .spec.shortDescription)"
check "shortDescription is set" test -n "$short"
expect_eq "shortDescription has no line break" "$(q '.spec.shortDescription | test("[\r\n]")')" "false"
check "shortDescription has no trailing period" lacks '\.$' "$short"
check "shortDescription is short (<= 60 characters)" test "${#short}" -le 60
check "description is set" test -n "$(q '.spec.description // ""')"
check "homepage is an https URL" grep -Eq '^https://' <<<"$(q '.spec.homepage // ""')"
check "caveats: the glibc it needs" grep -Eq 'glibc [0-9]+\.[0-9]+ or newer' <<<"$(q .spec.caveats)"
expect_contains "caveats: completion needs kubectl 1.26" "$(q .spec.caveats)" "kubectl 1.26"
expect_contains "caveats: the completion link" "$(q .spec.caveats)" "store/dr/$version/kubectl_complete-dr"
check "no template placeholder left" lacks '@[A-Z]+@' "$(jq -r tostring <<<"$json")"
expect_eq "one platform per archive" "$(q '.spec.platforms | length')" "$(find "$dist" -name '*.tar.gz' | wc -l)"

for i in $(seq 0 $(($(q '.spec.platforms | length') - 1))); do
  p() { jq -r ".spec.platforms[$i]$1" <<<"$json"; }
  jq_check "platform $i: selector set" ".spec.platforms[$i].selector.matchLabels | length > 0"
  expect_eq "platform $i: selector keys are os/arch only" \
    "$(p '.selector | [(.matchLabels // {} | keys[]), (.matchExpressions // [] | .[].key)] | map(select(. != "os" and . != "arch")) | length')" "0"
  p_os="$(p .selector.matchLabels.os)"
  p_arch="$(p .selector.matchLabels.arch)"
  p_archive="$dist/kubectl-dr_${version}_${p_os}_${p_arch}.tar.gz"
  check "platform $i: uri is set, https, and ends with the archive name" \
    grep -Eq "^https://.*/$version/$(basename "$p_archive")\$" <<<"$(p .uri)"
  check "platform $i: sha256 is 64 lowercase hex" grep -Eq '^[a-f0-9]{64}$' <<<"$(p .sha256)"
  expect_eq "platform $i: sha256 matches the archive" "$(p .sha256)" "$(sha256sum "$p_archive" | cut -d' ' -f1)"
  expect_eq "platform $i: bin is kubectl-dr" "$(p .bin)" "kubectl-dr"
  jq_check "platform $i: files is non-empty" ".spec.platforms[$i].files | length > 0"
  expect_eq "platform $i: every file has from and to" \
    "$(p '.files | map(select((.from // "") == "" or (.to // "") == "")) | length')" "0"
done

# Install as krew does (internal/installation): verify the sha256, extract into a staging dir,
# move each `files` entry into $KREW_ROOT/store/dr/<version>/, link `bin` as bin/kubectl-dr.
KREW_ROOT="$E2E_TMP/krew"
platform="$(jq -c --arg a "$arch" '.spec.platforms[] | select(.selector.matchLabels.os == "linux" and .selector.matchLabels.arch == $a)' <<<"$json")"
check "a platform matches linux/$arch" test -n "$platform"
expect_eq "krew install: the archive's sha256 is the manifest's" \
  "$(sha256sum "$archive" | cut -d' ' -f1)" "$(jq -r .sha256 <<<"$platform")"
staging="$E2E_TMP/krew-staging"
mkdir -p "$staging"
tar -xzf "$archive" -C "$staging"
install_dir="$KREW_ROOT/store/dr/$version"
mkdir -p "$install_dir" "$KREW_ROOT/bin"
while IFS=$'\t' read -r from to; do
  check "files: $from is in the archive" test -e "$staging/$from"
  if [ "$to" == "." ]; then
    mv "$staging/$from" "$install_dir/$(basename "$from")"
  else
    mkdir -p "$(dirname "$install_dir/$to")"
    mv "$staging/$from" "$install_dir/$to"
  fi
done < <(jq -r '.files[] | [.from, .to] | @tsv' <<<"$platform")
bin="$install_dir/$(jq -r .bin <<<"$platform")"
check "bin exists after extraction" test -x "$bin"
ln -s "$bin" "$KREW_ROOT/bin/kubectl-dr"
check "every executable is installed next to kubectl-dr" \
  test -x "$install_dir/kubectl-dr-status" -a -x "$install_dir/kubectl-dr-activate" -a -x "$install_dir/kubectl_complete-dr"

KREW_PATH="$KREW_ROOT/bin:/usr/bin:/bin"
run_capture env PATH="$KREW_PATH" kubectl dr version
expect_eq "kubectl dr version through the krew link exits 0" "$RC" 0
expect_contains "kubectl dr version through the krew link" "$OUT" "kubectl-dr version $version ("
run_capture env PATH="$KREW_PATH" kubectl dr status --help
expect_eq "kubectl dr status --help through the krew link exits 0" "$RC" 0
expect_contains "kubectl dr status --help reaches kubectl-dr-status" "$OUT" $'Usage:\n  kubectl dr status'
run_capture env PATH="$KREW_PATH" kubectl plugin list
expect_eq "kubectl plugin list: no warning" "$RC:$ERR" "0:"
# The caveat's completion link, as a user would make it.
ln -s "$install_dir/kubectl_complete-dr" "$KREW_ROOT/bin/kubectl_complete-dr"
run_capture env PATH="$KREW_PATH" kubectl __complete dr sus
expect_eq "completion after the caveat's link" "$(cut -f1 <<<"$OUT" | tr '\n' ' ')" "suspend :4 "

# Shared libraries the installed binaries need.
allowed='^(libc\.so\.6|libm\.so\.6|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'
# libssl/libcrypto: the server certificate's names are checked with OpenSSL beside a shared libcurl.
lax='^(libstdc\+\+\.so\.6|libgcc_s\.so\.1|libyaml-cpp\.so\.[0-9.]+|libcurl\.so\.4|libssl\.so\.3|libcrypto\.so\.3)$'
needed="$(for f in "$install_dir"/kubectl*; do readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done | sort -u)"
echo "NEEDED: $(tr '\n' ' ' <<<"$needed")"
unexpected="$(grep -Ev "$allowed" <<<"$needed" || true)"
if $strict; then
  expect_eq "release binaries need only glibc" "$unexpected" ""
else
  echo "note: strict library check skipped (configure with -DDR_STATIC_DEPS=ON or set DR_PACKAGE_RELEASE_BUILD=1)"
  expect_eq "binaries need only glibc and what DR_STATIC_DEPS links statically" \
    "$(grep -Ev "$lax" <<<"$unexpected" || true)" ""
fi
# DR_STATIC_CURL (on in releases and in scripts/test.sh's build) links libcurl in.
if $strict || grep -q '^DR_STATIC_CURL:BOOL=ON$' "$build_dir/CMakeCache.txt"; then
  check "libcurl.so.4 is not needed (linked in)" lacks '^libcurl\.so\.4$' "$needed"
else
  check "libcurl.so.4 is needed (a shared-libcurl build)" grep -qx 'libcurl.so.4' <<<"$needed"
fi

finish
