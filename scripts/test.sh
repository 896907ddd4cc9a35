#!/usr/bin/env bash
# Installs everything the test suite needs (Debian packages when missing, npm packages),
# then runs every test. This is the README's test command; .ci/run calls it too.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: git (builds from checkouts), openssl (the router's TLS
# tests make certificates), ps from procps (a test finds a zombie), useradd from passwd (under
# root, apps run as an unprivileged user), redis-server (the Redis add-on tests run a real
# one) and PostgreSQL's server tools (the Postgres add-on tests initdb a real cluster; Debian
# keeps initdb off PATH, in /usr/lib/postgresql/<major>/bin).
need=()
command -v git >/dev/null || need+=(git)
command -v openssl >/dev/null || need+=(openssl)
command -v ps >/dev/null || need+=(procps)
command -v redis-server >/dev/null || need+=(redis-server)
if ! command -v initdb >/dev/null && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then need+=(postgresql); fi
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
