#!/usr/bin/env bash
# The Prismatic component: installs its tools (npm ci), builds it from the release component,
# type-checks it and runs its tests (Spectral's test harness against the fake org, which
# `okta-connector fake-org` serves from another process).
set -euo pipefail
cd "$(dirname "$0")"
# node --test's --test-concurrency (four test files at a time, each in its own process with
# its own fake org on a port of its own) came with Node 20.10; an older Node is a skip with a notice, an error under OKTA_TEST_ALL.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 10) ? 0 : 1)'; then
  why="the Prismatic component's tests need Node.js 20.10 or newer (this is $(node --version))"
  [ -n "${OKTA_TEST_ALL:-}" ] && { echo "hosts/prismatic: $why" >&2; exit 1; }
  echo "make test: SKIPPED $why"
  exit 0
fi
../npm-ci.sh .
node build.mjs
npx tsc --noEmit -p .
node --test --test-concurrency=4 test/*.test.mjs
