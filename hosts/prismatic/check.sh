#!/usr/bin/env bash
# The Prismatic component: installs its tools (npm ci), builds it from the release component,
# type-checks it and runs its tests (Spectral's test harness against the fake org, which
# `okta-connector fake-org` serves from another process).
set -euo pipefail
cd "$(dirname "$0")"
for n in 1 2 3; do
  npm ci --no-audit --no-fund --loglevel=error && break
  [ "$n" = 3 ] && { echo "hosts/prismatic: npm ci failed (is the npm registry reachable?)" >&2; exit 1; }
  sleep $((n * 10))
done
node build.mjs
npx tsc --noEmit -p .
node --test --test-concurrency=1 test/*.test.mjs
