#!/usr/bin/env bash
# A second host: transpiles the component with jco and runs it in Node against the fake org,
# which another process serves (preview2-shim blocks Node's thread during a request).
set -euo pipefail
cd "$(dirname "$0")"
root=../..
# The build with the per-instance rate-limit budget composed in: Node keeps no budget itself.
wasm=$root/target/wasm32-wasip2/release/okta_connector.local.wasm
cli=$root/target/debug/okta-connector

../npm-ci.sh .
# jco names its output after the .wasm (okta_connector.local.js for the local build): the name
# keeps the okta_connector.js that check.mjs imports, and out/ starts empty so that a file left
# by an earlier transpile (of another build) is never what gets imported.
rm -rf out
node transpile.mjs "$wasm" okta_connector out

log=$(mktemp)
"$cli" fake-org --port 0 --device-interval 1 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q '^Fake Okta org at' "$log" && break; sleep 0.1; done
url=$(sed -n 's/^Fake Okta org at \([^ ]*\).*/\1/p' "$log")
token=$(sed -n 's/^API token: //p' "$log")
web=$(sed -n 's/^OAuth web app: //p' "$log")
native=$(sed -n 's/^OAuth native app (device): \([^,]*\).*/\1/p' "$log")
[ -n "$url" ] || { echo "hosts/node: the fake org did not start:" >&2; cat "$log" >&2; exit 1; }
# The fake org is on loopback: this host allows local orgs (the component is strict by
# default). preview2-shim hands the component Node's environment.
# shellcheck disable=SC2086 # the web app line is "client_id client_secret redirect_uri"
OKTA_ALLOW_LOCAL_ORGS=1 node check.mjs "$url" "$token" $web "$native"
