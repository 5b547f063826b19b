#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds, tests and demos with,
# if any is missing. Run as root (CI and the dev machines are). Services the
# packages would start (redis on 6379, prometheus on 9090) are kept from
# starting: the project runs its own private instances on free ports.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config git dpkg-dev
  libhiredis-dev prometheus-cpp-dev libboost1.81-dev libcivetweb-dev libcli11-dev libsystemd-dev libyaml-cpp-dev
  libssl-dev libcrypt-dev openssl
  # tests
  libgtest-dev libbenchmark-dev redis-server redis-tools prometheus prometheus-alertmanager python3 jsonnet
  python3-prometheus-client python3-yaml python3-redis systemd
  clang-format clang-tidy clang-14 libclang-rt-14-dev curl chromium
  # benchmarks
  wrk prometheus-redis-exporter
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages and not root; run: sudo $0" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
