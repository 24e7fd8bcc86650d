# okta-connector: the guest component (wasm32-wasip2) and its hosts.
WASM := target/wasm32-wasip2/release/okta_connector.wasm
HOST := cargo run --quiet -p okta-connector-cli --bin okta-connector --

.PHONY: all build wasm-target demo test install lint clean bench bench-quick node-host prismatic-host prismatic-package package

all: build

## wasm-target: the wasm32-wasip2 target of the pinned toolchain. rustup installs a toolchain
## file's targets only when it installs the toolchain itself, so a machine that already had
## 1.95 would fail with "can't find crate for `core`"; without rustup, the toolchain's own.
wasm-target:
	@if command -v rustup >/dev/null; then \
	  rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2; \
	fi

## build: the release component (the hosts built from this tree refuse a stale one)
build: wasm-target
	cargo build --release --target wasm32-wasip2
	@ls -l $(WASM) | awk '{print "component: " $$5 " bytes"}'

## demo: a tour of every area and the triggers against the embedded fake Okta org
demo: build
	$(HOST) demo

## test: unit tests of the guest's pure parts and of the host crates, the one integration-test
## binary (host, scenario and fake-org tests through the component), the Node host check and
## the Prismatic component's tests, then the quick bench. Without Node.js/npm (or Python 3,
## for the quick bench) those are skipped with a notice (OKTA_TEST_ALL=1, as in CI, makes
## that an error).
test: build
	cargo test --workspace
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  $(MAKE) node-host && $(MAKE) prismatic-host; \
	elif [ -n "$$OKTA_TEST_ALL" ]; then \
	  echo "make test: the Node host check and the Prismatic component's tests need node and npm" >&2; exit 1; \
	else \
	  echo "make test: SKIPPED the Node host check and the Prismatic component's tests: they need Node.js with npm"; \
	fi
	@if command -v node >/dev/null && command -v npm >/dev/null && command -v python3 >/dev/null; then \
	  $(MAKE) bench-quick; \
	elif [ -n "$$OKTA_TEST_ALL" ]; then \
	  echo "make test: the quick bench needs node, npm and python3" >&2; exit 1; \
	else \
	  echo "make test: SKIPPED the quick bench: it needs Node.js with npm and Python 3"; \
	fi

## install: the okta-connector command, with the release component built into it
install: build
	cargo install --locked --path host-test/cli

## node-host: the component in a second host, Node through jco, against the fake org
node-host: build
	cargo build -p okta-connector-cli --bin okta-connector
	bash hosts/node/check.sh

## prismatic-host: the component as a Prismatic custom component (hosts/prismatic): built from
## the release component, tested with Spectral's test harness against the fake org
prismatic-host: build
	cargo build -p okta-connector-cli --bin okta-connector
	bash hosts/prismatic/check.sh

## package: the distributable packages in dist/
package: prismatic-package

## prismatic-package: the Prismatic component's npm package (its dist/ is what `prism
## components:publish` uploads) as dist/okta-connector-prismatic-<version>.tgz
prismatic-package: build
	cd hosts/prismatic && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	mkdir -p dist
	cd hosts/prismatic && npm pack --pack-destination ../../dist --loglevel=error

## bench: the component against Okta's Python and Node SDKs and a native client, listing 50 000
## users of a loopback fake org, then over TLS with a real org's delays (release host; ~4 min
## once built); writes bench/results.md. Then the Prismatic package beside the CLI (Fetch All
## of 50 000 users, Get User; per call and per process; ~2 min); writes bench/prismatic.md
bench: build
	bash bench/setup.sh
	cargo build --release -p okta-bench
	./target/release/okta-bench
	cargo build --release -p okta-connector-cli --bin okta-connector
	cd hosts/prismatic && npm ci --no-audit --no-fund --loglevel=error && node build.mjs && node bench/run.mjs

## bench-quick: the same bench with small numbers (debug host, 2 000 users); run by `make test`;
## fails when the component opens more than one connection for a listing
bench-quick: build
	bash bench/setup.sh
	cargo build -p okta-bench
	./target/debug/okta-bench --quick

## lint: formatting and clippy, guest and host (the host embeds the component: built first)
lint: build
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --release --target wasm32-wasip2 -- -D warnings

clean:
	cargo clean
