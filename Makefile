# okta-connector: the guest component (wasm32-wasip2) and its hosts.
WASM := target/wasm32-wasip2/release/okta_connector.wasm
LOCAL := target/wasm32-wasip2/release/okta_connector.local.wasm
BUDGET := target/wasm32-wasip2/release/okta_rate_budget.wasm
HOST := cargo run --quiet -p okta-connector-cli --bin okta-connector --

.PHONY: all build build-local wasm-target demo test install lint clean bench bench-quick node-host mcp-check mcp-overhead prismatic-host prismatic-package package package-check publish size size-build features-check icon icon-check before-build host-tools test-parts test-build test-tools-mcp test-tools-node test-tools-prismatic test-mcp test-node test-prismatic test-local test-rust test-package

all: build

## wasm-target: the wasm32-wasip2 target of the pinned toolchain. rustup installs a toolchain
## file's targets only when it installs the toolchain itself, so a machine that already had
## 1.95 would fail with "can't find crate for `core`"; without rustup, the toolchain's own.
wasm-target:
	@if command -v rustup >/dev/null; then \
	  rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2; \
	fi

## build: the release component (the hosts built from this tree refuse a stale one), and the
## per-instance rate-limit budget component beside it (one cargo run: built alone, the budget
## would resolve other features for the shared build tools and compile them again)
build: wasm-target
	cargo build --release --target wasm32-wasip2 -p okta-connector -p okta-rate-budget
	@ls -l $(WASM) | awk '{print "component: " $$5 " bytes"}'

## build-local: the component with the per-instance rate-limit budget composed in
## (okta_connector.local.wasm), for hosts that keep no budget of their own: the budget crate
## built as a component, plugged into the connector's `rate-limits` import with wac-graph;
## composed again only when the component, the budget or okta-compose is newer
build-local: build host-tools
	@if [ $(LOCAL) -nt $(WASM) ] && [ $(LOCAL) -nt $(BUDGET) ] && [ $(LOCAL) -nt target/debug/okta-compose ]; then \
	  echo "$(LOCAL) is up to date"; \
	else ./target/debug/okta-compose $(WASM) $(BUDGET) $(LOCAL); fi

## host-tools: the debug builds of the CLI, okta-package and okta-compose, which make demo,
## build-local and package run
host-tools:
	cargo build -p okta-connector-cli -p okta-package -p okta-compose

# A make inside a recipe that has just run (or whose caller has run) build and host-tools: -o
# takes them as done, so the inner make runs no cargo (a cargo command on target/debug waits
# while make test's test build holds it). `+` on its lines: it is a make, sharing the jobserver.
MAKE_BUILT := $(MAKE) -o build -o host-tools

## demo: a tour of every area and the triggers against the embedded fake Okta org
demo: build
	$(HOST) demo

## test: unit tests of the guest's pure parts and of the host crates, the one integration-test
## binary (host, scenario and fake-org tests through the component; the marketplace package,
## its docs page in headless Chromium and its round trip through a real OCI registry), the
## packages built (the marketplace package twice and compared), the MCP server through the MCP
## Python SDK, the Node host check and the Prismatic component's tests, two parts at a time
## (make -j2; each part's output shown as it ends). Without Node.js/npm or Python 3,
## docker-registry or chromium, what needs them is skipped with a notice (OKTA_TEST_ALL=1, as
## in CI, makes that an error). CI then runs `make features-check icon-check bench-quick`.
test: build host-tools
	@command -v docker-registry >/dev/null || echo "make test: SKIPPED the OCI registry round trip: it needs docker-registry (Debian's CNCF Distribution registry: apt-get install docker-registry)"
	@command -v chromium >/dev/null || echo "make test: SKIPPED the docs page's browser check: it needs chromium (apt-get install chromium)"
	$(MAKE) -j2 --output-sync=target test-parts

# make test's parts, two at a time (2 cores): the Rust tests compile (then run) in one slot; the
# other parts run one after another in the other, with the component and the host tools built
# above: first those that use the CPU (the package, the Prismatic tests) while the test build
# leaves some of it, then the Node host and the MCP server, which mostly wait, beside the Rust
# tests (order-only prerequisites, |, set that order); their own makes are MAKE_BUILT's. (Three
# at a time measured no faster: 240 s against 232 s.)
test-parts: test-build test-rust test-local test-tools-prismatic test-package test-prismatic test-tools-node test-node test-tools-mcp test-mcp
test-build:
	cargo test --workspace --exclude okta-bench --no-run
test-local:
	+$(MAKE_BUILT) build-local
test-tools-mcp: | test-node
	@if command -v python3 >/dev/null; then bash host-test/cli/tests/mcp/check.sh install; fi
test-tools-node: | test-prismatic
	@if command -v node >/dev/null && command -v npm >/dev/null; then hosts/npm-ci.sh hosts/node; fi
test-tools-prismatic:
	@if command -v node >/dev/null && command -v npm >/dev/null; then hosts/npm-ci.sh hosts/prismatic; fi
test-mcp: test-tools-mcp
	@if command -v python3 >/dev/null; then \
	  bash host-test/cli/tests/mcp/check.sh; \
	elif [ -n "$$OKTA_TEST_ALL" ]; then \
	  echo "make test: the MCP server check needs python3" >&2; exit 1; \
	else \
	  echo "make test: SKIPPED the MCP server check: it needs Python 3 (>= 3.10, with venv)"; \
	fi
test-node: test-tools-node test-local
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  bash hosts/node/check.sh; \
	elif [ -n "$$OKTA_TEST_ALL" ]; then \
	  echo "make test: the Node host check needs node and npm" >&2; exit 1; \
	else \
	  echo "make test: SKIPPED the Node host check: it needs Node.js with npm"; \
	fi
test-prismatic: test-tools-prismatic test-package
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  bash hosts/prismatic/check.sh; \
	elif [ -n "$$OKTA_TEST_ALL" ]; then \
	  echo "make test: the Prismatic component's tests need node and npm" >&2; exit 1; \
	else \
	  echo "make test: SKIPPED the Prismatic component's tests: they need Node.js with npm"; \
	fi
# eight test threads on two cores: many tests mostly wait (rate-limit windows, deadlines, slow
# servers), and the longest ones then overlap instead of ending the run one after another
test-rust: test-build test-local
	cargo test --workspace --exclude okta-bench -- --test-threads 8
# before the Prismatic tests: both build into hosts/prismatic, and the tests check the icon the
# package wrote
test-package: test-tools-prismatic test-local
	+$(MAKE_BUILT) package-check

## features-check: after `cargo test --workspace --no-run`, the CLI (as `make demo` builds it) and
## the bench (as `make bench-quick` does) compile no third-party crate again: the host crates
## resolve one feature set, kept in host-test/workspace-hack by cargo hakari (run by CI)
features-check: build
	cargo test --workspace --no-run --quiet
	@log=$$(mktemp); \
	{ cargo build -p okta-connector-cli --bin okta-connector && cargo build -p okta-bench; } >$$log 2>&1 \
	  || { cat $$log >&2; rm -f $$log; exit 1; }; \
	again=$$(sed -n 's/^ *Compiling \([^ ]*\) .*/\1/p' $$log | grep -v '^okta-' | tr '\n' ' '); rm -f $$log; \
	if [ -n "$$again" ]; then \
	  echo "make features-check: built again with other features: $$again" >&2; \
	  echo "  the host crates' feature sets diverged: cargo install cargo-hakari, then" >&2; \
	  echo "  cargo hakari generate && cargo hakari manage-deps" >&2; exit 1; \
	fi; echo "features-check: the CLI and the bench reuse the test build's dependencies"

## package: the marketplace package in dist/: the component with its metadata (and its local
## build, the per-instance rate-limit budget composed in), the binary WIT package, catalog.json (what describe() returns), connector.json, the icon and the docs page;
## the same bytes for the same commit (dated with it); then, beside it, the Prismatic
## component's npm package (okta-connector-prismatic-<version>.tgz)
PACKAGE_CATALOG := target/package/catalog.json
package: build build-local host-tools
	@mkdir -p target/package
	OKTA_CONNECTOR_WASM=$(WASM) ./target/debug/okta-connector catalog > $(PACKAGE_CATALOG)
	./target/debug/okta-package build --component $(WASM) --local-component $(LOCAL) --catalog $(PACKAGE_CATALOG) --out dist
	+@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  $(MAKE_BUILT) prismatic-package; \
	elif [ -n "$$OKTA_TEST_ALL" ]; then \
	  echo "make package: the Prismatic component's package needs node and npm" >&2; exit 1; \
	else \
	  echo "make package: SKIPPED the Prismatic component's package: it needs Node.js with npm"; \
	fi

## package-check: `make package` twice, the second into target/package/again: byte-identical
## (the Prismatic tarball aside: npm stamps its files with the time)
package-check: package
	./target/debug/okta-package build --component $(WASM) --local-component $(LOCAL) --catalog $(PACKAGE_CATALOG) --out target/package/again > /dev/null
	diff -r -x 'okta-connector-prismatic-*.tgz' dist target/package/again
	@echo "package: two builds of $$(git rev-parse --short HEAD) are byte-identical"

## icon: render the icon's PNG (host-test/package/assets/icon.png) from its SVG again, after
## changing the SVG; icon-check (run by CI): the icon's tests with the renderer, one of which
## fails when the kept PNG is not that rendering
icon:
	cargo run --quiet -p okta-package --features render-icon -- icon
icon-check:
	cargo test --quiet -p okta-package --features render-icon --lib -- icon::

## publish: push dist/ to REGISTRY=host:port/namespace: the component as a Wasm OCI artifact
## tagged with its version, and its listing as an artifact that refers to it (credentials from
## REGISTRY_USERNAME and REGISTRY_PASSWORD; http for a loopback registry)
publish: package
	@test -n "$(REGISTRY)" || { echo "make publish: set REGISTRY=host:port/namespace" >&2; exit 2; }
	cargo run --quiet -p okta-package -- publish --registry $(REGISTRY) --dist dist

## install: the okta-connector command, with the release component built into it
install: build
	cargo install --locked --path host-test/cli

## node-host: the component in a second host, Node through jco, against the fake org
node-host: build build-local
	cargo build -p okta-connector-cli --bin okta-connector
	bash hosts/node/check.sh

## mcp-check: `okta-connector mcp` with the official MCP Python SDK as its client (PyPI `mcp`,
## installed into host-test/cli/tests/mcp/.venv), against the fake org
mcp-check: build
	cargo build -p okta-connector-cli --bin okta-connector
	bash host-test/cli/tests/mcp/check.sh

## mcp-overhead: what a warm `users_get` tool call costs against `run users.get` (a process per
## call), on the embedded fake org, with the debug CLI (timings, not a test)
mcp-overhead: build
	cargo build -p okta-connector-cli --bin okta-connector
	bash host-test/cli/tests/mcp/check.sh overhead

## prismatic-host: the component as a Prismatic custom component (hosts/prismatic): built from
## the release component, tested with Spectral's test harness against the fake org
prismatic-host: build-local
	cargo build -p okta-connector-cli --bin okta-connector
	bash hosts/prismatic/check.sh

## prismatic-package: the Prismatic component's npm package (its dist/ is what `prism
## components:publish` uploads) as dist/okta-connector-prismatic-<version>.tgz, with the icon
## the marketplace package wrote into dist/ (`make package` makes both)
prismatic-package: build-local
	hosts/npm-ci.sh hosts/prismatic
	cd hosts/prismatic && node build.mjs
	cd hosts/prismatic && npm pack --pack-destination ../../dist --loglevel=error

## bench: the component against Okta's Python and Node SDKs and a native client, listing 50 000
## users of a loopback fake org, then over TLS with a real org's delays (release host; ~4 min
## once built); writes bench/results.md. Then the Prismatic package beside the CLI (Fetch All
## of 50 000 users, Get User; per call and per process; ~2 min); writes bench/prismatic.md
bench: build size-build before-build
	bash bench/setup.sh
	cargo build --release -p okta-bench -p okta-connector-cli
	./target/release/okta-bench
	cargo build --release -p okta-connector-cli --bin okta-connector
	hosts/npm-ci.sh hosts/prismatic
	cd hosts/prismatic && node build.mjs && node bench/run.mjs

## before-build: the component as it was before the shared rate-limit budget (commit
## BEFORE_BUDGET, where each instance limited itself from its own answers), for the "before"
## rows of make bench's rate-limit section; built once from git history (a clone without that
## commit has no before rows, and says so)
BEFORE_BUDGET := c6bcb92ea2ced3b2ddefeca51a2dad80b78f5897
BEFORE_DIR := target/before-budget
before-build: wasm-target
	@if [ -f $(BEFORE_DIR)/okta_connector.wasm ] && [ "$$(cat $(BEFORE_DIR)/commit 2>/dev/null)" = "$(BEFORE_BUDGET)" ]; then exit 0; fi; \
	rm -f $(BEFORE_DIR)/okta_connector.wasm; \
	if ! git cat-file -e "$(BEFORE_BUDGET)^{commit}" 2>/dev/null; then \
	  echo "make bench: no BEFORE rows: commit $(BEFORE_BUDGET) is not in this clone's history"; exit 0; \
	fi; \
	rm -rf $(BEFORE_DIR)/src && mkdir -p $(BEFORE_DIR) && git archive --prefix=src/ $(BEFORE_BUDGET) | tar -x -C $(BEFORE_DIR) \
	  && (cd $(BEFORE_DIR)/src && cargo build --release --target wasm32-wasip2 -p okta-connector --target-dir ../target) \
	  && cp $(BEFORE_DIR)/target/wasm32-wasip2/release/okta_connector.wasm $(BEFORE_DIR)/okta_connector.wasm \
	  && echo $(BEFORE_BUDGET) > $(BEFORE_DIR)/commit

## bench-quick: the bench's unit tests, then the same bench with small numbers (debug host,
## 2 000 users); run by CI after `make test`; fails when the component opens more than one
## connection for a listing
bench-quick: build
	bash bench/setup.sh
	cargo test -p okta-bench
	cargo build -p okta-bench -p okta-connector-cli
	./target/debug/okta-bench --quick

## size: what each crate adds to the release component, as a markdown table (reads an unstripped
## copy built in target/size: function names are what tells the crates apart)
size: size-build
	cargo run --quiet -p okta-bench --bin okta-size -- target/size/wasm32-wasip2/release/okta_connector.wasm

## size-build: the unstripped release component that `make size` and `make bench` read
size-build: wasm-target
	CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --target wasm32-wasip2 --target-dir target/size

## lint: formatting and clippy, guest and host (the host embeds the component: built first)
lint: build
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --release --target wasm32-wasip2 -- -D warnings

clean:
	cargo clean
