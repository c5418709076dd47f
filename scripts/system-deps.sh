#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, when missing:
# curl and wget (real HTTP clients in tests), chromium (browser test),
# openssl (test certificates), wrk and nginx-light (benchmarks). Safe to run again; a no-op when all are there.
set -euo pipefail
want=(curl wget chromium wrk nginx-light openssl)
missing=()
for pkg in "${want[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
