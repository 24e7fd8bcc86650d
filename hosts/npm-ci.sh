#!/usr/bin/env bash
# Installs a folder's npm packages from its package-lock.json (`npm ci`), unless node_modules
# already holds exactly that lock's install: a stamp, node_modules/.okta-installed, is a copy of
# the lock the last install used. Three attempts, 10 s and 20 s apart, for a flaky registry.
# Usage: hosts/npm-ci.sh DIR
set -euo pipefail
dir=${1:?usage: hosts/npm-ci.sh DIR}
cd "$dir"
stamp=node_modules/.okta-installed
cmp -s package-lock.json "$stamp" && exit 0
for n in 1 2 3; do
  if npm ci --no-audit --no-fund --loglevel=error; then
    cp package-lock.json "$stamp"
    exit 0
  fi
  [ "$n" = 3 ] || sleep $((n * 10))
done
echo "$(pwd): npm ci failed (is the npm registry reachable?)" >&2
exit 1
