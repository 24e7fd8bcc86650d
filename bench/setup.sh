#!/usr/bin/env bash
# Installs the bench's contenders from the registries: Okta's Python SDK into bench/.venv (pip,
# bench/requirements.txt) and Okta's Node SDK into bench/node/node_modules (npm ci,
# bench/node/package-lock.json). Re-running is cheap: each step is skipped while its stamp
# matches its pin file. Fails loudly when PyPI or npm cannot be reached.
set -euo pipefail
cd "$(dirname "$0")"

fail() {
  echo "bench/setup.sh: $*" >&2
  exit 1
}

# A registry hiccup should not fail a test run: try each install three times.
retry() {
  local n
  for n in 1 2 3; do
    "$@" && return 0
    [ "$n" = 3 ] || { echo "bench/setup.sh: attempt $n failed, retrying in $((n * 10)) s" >&2; sleep $((n * 10)); }
  done
  return 1
}

python=${PYTHON:-python3}
command -v "$python" >/dev/null || fail "no $python: the bench needs Python >= 3.10 for Okta's Python SDK"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  fail "$("$python" --version 2>&1) is too old: Okta's Python SDK needs Python >= 3.10"
command -v node >/dev/null || fail "no node: the bench needs Node.js >= 14 for Okta's Node SDK"
command -v npm >/dev/null || fail "no npm: the bench installs Okta's Node SDK with npm"

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv || fail "cannot create bench/.venv with $python -m venv"
fi
if ! cmp -s requirements.txt .venv/.bench-installed; then
  echo "bench/setup.sh: installing $(tr '\n' ' ' <requirements.txt)into bench/.venv"
  retry .venv/bin/python -m pip install --disable-pip-version-check --no-compile --quiet -r requirements.txt ||
    fail "pip could not install bench/requirements.txt (is PyPI reachable?)"
  cp requirements.txt .venv/.bench-installed
fi
.venv/bin/python -c 'import okta.client' || fail "bench/.venv cannot import okta.client"

../hosts/npm-ci.sh node || fail "npm ci failed in bench/node"
cd node
node -e "require('@okta/okta-sdk-nodejs')" || fail "bench/node cannot load @okta/okta-sdk-nodejs"
