#!/usr/bin/env bash
# Installs the Debian 12 packages caseengine builds with, when any is missing. Run as root
# (or with sudo available). Idempotent: does nothing when everything is already there.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config
  librocksdb-dev libflatbuffers-dev flatbuffers-compiler
  libboost-dev libcpp-httplib-dev nlohmann-json3-dev catch2 libssl-dev
  libspdlog-dev libcli11-dev libjemalloc-dev libicu-dev zlib1g-dev
  libcurl4-openssl-dev  # fetches the identity provider's key set (oidc.jwks_url)
  curl wrk
  systemd  # systemd-analyze, which checks the unit (tests/install_test.cc)
  file  # CPack finds the .deb's library dependencies with it
  openssl  # the TLS tests and bench/http_bench.sh make self-signed certificates with it
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
