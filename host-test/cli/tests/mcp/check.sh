#!/usr/bin/env bash
# `okta-connector mcp` through the official MCP Python SDK (PyPI `mcp`) as its client, against
# the fake org: installs the SDK and pytest (requirements.txt) into host-test/cli/tests/mcp/.venv,
# skipped while the pins match, then runs test_mcp.py with the debug CLI (`check.sh overhead
# [CALLS]`: overhead.py's timings instead). Fails loudly when Python or PyPI is missing.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../../../.. && pwd)

fail() {
  echo "mcp check: $*" >&2
  exit 1
}

python=${PYTHON:-python3}
command -v "$python" >/dev/null || fail "no $python: the MCP Python SDK needs Python >= 3.10"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  fail "$("$python" --version 2>&1) is too old: the MCP Python SDK needs Python >= 3.10"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv || fail "cannot create host-test/cli/tests/mcp/.venv with $python -m venv"
fi
if ! cmp -s requirements.txt .venv/.mcp-installed; then
  echo "mcp check: installing $(tr '\n' ' ' <requirements.txt)into host-test/cli/tests/mcp/.venv"
  for n in 1 2 3; do
    .venv/bin/python -m pip install --disable-pip-version-check --no-compile --quiet -r requirements.txt && break
    [ "$n" = 3 ] && fail "pip could not install requirements.txt (is PyPI reachable?)"
    sleep $((n * 10))
  done
  cp requirements.txt .venv/.mcp-installed
fi
[ "${1:-}" = install ] && exit 0

export OKTA_REPO="$root" PYTHONDONTWRITEBYTECODE=1
export OKTA_CONNECTOR="$root/target/debug/okta-connector"
[ -x "$OKTA_CONNECTOR" ] || fail "no $OKTA_CONNECTOR: run cargo build -p okta-connector-cli first"
if [ "${1:-}" = overhead ]; then
  shift
  exec .venv/bin/python overhead.py "$@"
fi
.venv/bin/python -m pytest -q -p no:cacheprovider test_mcp.py "$@"
