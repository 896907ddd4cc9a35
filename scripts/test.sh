#!/usr/bin/env bash
# Installs everything the test suite needs (Debian packages when missing, npm packages),
# then runs every test. This is the README's test command; .ci/run calls it too.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: git (builds from checkouts), openssl (the router's TLS
# tests make certificates), ps from procps (a test finds a zombie), useradd from passwd (under
# root, apps run as an unprivileged user).
need=()
command -v git >/dev/null || need+=(git)
command -v openssl >/dev/null || need+=(openssl)
command -v ps >/dev/null || need+=(procps)
if [ "$(id -u)" = 0 ] && ! command -v useradd >/dev/null; then need+=(passwd); fi
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "missing: ${need[*]} (install them with apt-get, or run this as root)" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm test
