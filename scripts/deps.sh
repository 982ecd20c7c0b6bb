#!/usr/bin/env bash
# Installs the Debian packages kubectl-dr needs to build and test, non-interactively.
# A no-op when they are all present. Sourced by test.sh and demo.sh; runnable alone.
set -euo pipefail

DR_APT_PACKAGES=(
  build-essential cmake pkg-config git
  libcurl4-openssl-dev libnghttp2-dev libssl-dev
  rapidjson-dev libyaml-cpp-dev libcxxopts-dev catch2
  libcpp-httplib-dev zlib1g-dev libbrotli-dev
  # the static archives of libcurl's own libraries, for DR_STATIC_CURL (cmake/DrCurl.cmake)
  libidn2-dev libunistring-dev libpsl-dev libssh2-1-dev libzstd-dev
  jq openssl
  # ss, for the end-to-end check of the emulator's listen backlog
  iproute2
  # the end-to-end outage test's stand-in listeners (a server that accepts and never answers)
  python3
  # scripts/test.sh's sanitizer suite and the fuzz targets: clang, its sanitizer and libFuzzer
  # runtimes (libclang-rt), and llvm-symbolizer for readable sanitizer stacks.
  clang libclang-rt-14-dev llvm
  # scripts/lint.sh, the lint gate test.sh runs first
  clang-format clang-tidy
)

missing=()
for pkg in "${DR_APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing missing packages: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "warning: kubectl is not on PATH; the end-to-end tests that drive the real kubectl will fail" >&2
fi
