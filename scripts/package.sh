#!/usr/bin/env bash
# Builds the release archive kubectl-dr_<version>_<os>_<arch>.tar.gz and renders the krew manifest.
#
#   scripts/package.sh [--version v0.1.0] [--out dist] [--os linux] [--arch amd64]
#                      [--build-dir DIR] [--manifest FILE] [--prebuilt DIR] [--jobs N]
#
# Without --prebuilt it configures and builds a Release tree with -DDR_STATIC_DEPS=ON (libstdc++,
# libgcc, yaml-cpp, and libcurl with its own libraries, OpenSSL among them, linked statically; glibc
# stays shared) and refuses the result when a binary needs any other shared library. --prebuilt DIR
# packages the executables already in DIR (a build's plugins/ directory) as they are: quick, for
# tests; such an archive is only as static as that build was.
#
# Only the machine's own os/arch can be built (no cross compilation): run the script on each
# platform's machine into the same --out directory; the manifest gets one platform per archive of
# the version found there (kubectl-dr_<version>_<os>_<arch>.tar.gz).
#
# The release URLs point at DR_GITHUB_REPO's GitHub releases (set it, the default is a placeholder).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DR_GITHUB_REPO="${DR_GITHUB_REPO:-OWNER/kubectl-dr}"
release_base_url="https://github.com/${DR_GITHUB_REPO}/releases/download"
homepage="https://github.com/${DR_GITHUB_REPO}"

# Every executable an install needs; kubectl-dr is what krew links onto PATH.
executables=(kubectl-dr kubectl-dr-activate kubectl-dr-deactivate kubectl-dr-status kubectl-dr-suspend
  kubectl-dr-resume kubectl-dr-perform kubectl-dr-failover kubectl-dr-failback kubectl_complete-dr)
docs=(LICENSE README.md)
# Shared libraries a release binary may need: glibc and its loader.
allowed_needed_regex='^(libc\.so\.6|libm\.so\.6|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'

die() {
  echo "package.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

project_version="$(sed -n 's/^project(kubectl-dr VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
[ -n "$project_version" ] || die "cannot read the project version from CMakeLists.txt"

version="v$project_version"
out="$root/dist"
host_os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in
  x86_64 | amd64) host_arch=amd64 ;;
  aarch64 | arm64) host_arch=arm64 ;;
  *) host_arch="$(uname -m)" ;;
esac
os="$host_os"
arch="$host_arch"
build_dir=""
manifest=""
prebuilt=""
jobs="$(nproc 2>/dev/null || echo 2)"

while (($#)); do
  case "$1" in
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    --os) os="${2:?--os needs a value}"; shift 2 ;;
    --arch) arch="${2:?--arch needs a value}"; shift 2 ;;
    --build-dir) build_dir="${2:?--build-dir needs a value}"; shift 2 ;;
    --manifest) manifest="${2:?--manifest needs a value}"; shift 2 ;;
    --prebuilt) prebuilt="${2:?--prebuilt needs a value}"; shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a value}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# krew parses spec.version as semver with a leading v; the binaries report the project version.
[[ "$version" =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$ ]] ||
  die "version \"$version\" is not semver with a leading v (e.g. v$project_version)"
core="${version#v}"
core="${core%%[-+]*}"
[ "$core" == "$project_version" ] ||
  die "version $version does not match the project version $project_version (CMakeLists.txt); bump it first"
[[ "$os" =~ ^[a-z0-9]+$ && "$arch" =~ ^[a-z0-9]+$ ]] || die "--os and --arch are Go's GOOS/GOARCH words"
if [ -z "$prebuilt" ] && { [ "$os" != "$host_os" ] || [ "$arch" != "$host_arch" ]; }; then
  die "cannot build $os/$arch on this $host_os/$host_arch machine; run the script on a $os/$arch machine"
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
manifest="${manifest:-$out/dr.yaml}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. The binaries.
bin_dir=""
if [ -n "$prebuilt" ]; then
  bin_dir="$(cd "$prebuilt" && pwd)"
  echo "packaging prebuilt binaries from $bin_dir (not a release build)" >&2
else
  build_dir="${build_dir:-$work/build}"
  echo "configuring a Release build with static C++ runtime, yaml-cpp and libcurl in $build_dir" >&2
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DDR_STATIC_DEPS=ON -DDR_BUILD_TESTS=OFF \
    -DDR_WERROR=OFF >"$work/configure.log" || { cat "$work/configure.log" >&2; die "configure failed"; }
  cmake --build "$build_dir" -j "$jobs" --target "${executables[@]}" >"$work/build.log" 2>&1 ||
    { tail -50 "$work/build.log" >&2; die "build failed"; }
  bin_dir="$build_dir/plugins"
fi

stage="$work/stage"
mkdir -p "$stage"
for exe in "${executables[@]}"; do
  [ -x "$bin_dir/$exe" ] || die "$bin_dir/$exe is missing or not executable"
  # Regular files only: krew's tar extraction handles files and directories, not links.
  cp -L "$bin_dir/$exe" "$stage/$exe"
  strip --strip-unneeded "$stage/$exe" 2>/dev/null || true
  chmod 0755 "$stage/$exe"
done
for doc in "${docs[@]}"; do
  [ -f "$root/$doc" ] || die "$root/$doc is missing"
  install -m 0644 "$root/$doc" "$stage/$doc"
done

# 2. What the binaries need from the system.
glibc_needed=""
if [ "$os" == linux ] && command -v readelf >/dev/null; then
  bad=""
  for exe in "${executables[@]}"; do
    while read -r lib; do
      [[ "$lib" =~ $allowed_needed_regex ]] || bad+="  $exe needs $lib"$'\n'
    done < <(readelf -d "$stage/$exe" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p')
  done
  if [ -n "$bad" ]; then
    if [ -n "$prebuilt" ]; then
      printf 'warning: not release binaries, they need more shared libraries than a release may:\n%s' "$bad" >&2
    else
      printf 'package.sh: the release binaries need shared libraries beyond glibc:\n%s' "$bad" >&2
      exit 1
    fi
  fi
  glibc_needed="$(for exe in "${executables[@]}"; do readelf -V "$stage/$exe"; done |
    grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -1)"
fi

# 3. The archive: flat, deterministic (sorted names, fixed owner and time, gzip without a name).
archive_name="kubectl-dr_${version}_${os}_${arch}.tar.gz"
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
(cd "$stage" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --format=ustar \
  -cf - "${executables[@]}" "${docs[@]}") | gzip -9 -n >"$out/$archive_name"
echo "$out/$archive_name" >&2

# 4. The manifest: one platform per archive of this version in the output directory.
platforms=""
for archive in "$out"/kubectl-dr_"${version}"_*_*.tar.gz; do
  name="$(basename "$archive" .tar.gz)"
  rest="${name#kubectl-dr_"${version}"_}"
  p_os="${rest%%_*}"
  p_arch="${rest#*_}"
  sha="$(sha256sum "$archive" | cut -d' ' -f1)"
  platforms+="  - selector:"$'\n'"      matchLabels:"$'\n'"        os: $p_os"$'\n'"        arch: $p_arch"$'\n'
  platforms+="    uri: $release_base_url/$version/$(basename "$archive")"$'\n'
  platforms+="    sha256: $sha"$'\n'"    files:"$'\n'
  for f in "${executables[@]}" "${docs[@]}"; do
    platforms+="    - from: $f"$'\n'"      to: ."$'\n'
  done
  platforms+="    bin: kubectl-dr"$'\n'
done
platforms="${platforms%$'\n'}"

glibc_needed="${glibc_needed:-2.17}"
# The template's leading comment lines are about the template; the rest is copied with values.
DR_PLATFORMS="$platforms" awk -v version="$version" -v homepage="$homepage" -v glibc="$glibc_needed" '
  !started && /^#/ { next }
  { started = 1 }
  $0 == "@PLATFORMS@" { print ENVIRON["DR_PLATFORMS"]; next }
  { gsub(/@VERSION@/, version); gsub(/@HOMEPAGE@/, homepage); gsub(/@GLIBC@/, glibc); print }
' "$root/krew/dr.yaml.in" >"$manifest"
echo "$manifest" >&2
