#!/usr/bin/env bash
# Installs everything the test suite needs (Debian packages when missing, npm packages),
# then runs every test. This is the README's test command; .ci/run calls it too.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v git >/dev/null || need+=(git)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else echo "missing: ${need[*]} (install them with apt-get)" >&2; exit 1; fi
fi
npm ci --no-audit --no-fund
npm test
