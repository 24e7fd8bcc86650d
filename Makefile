# okta-connector: the guest component (wasm32-wasip2) and its wasmtime host.
WASM := target/wasm32-wasip2/release/okta_connector.wasm
HOST := cargo run --quiet -p okta-host --bin okta-connector --

.PHONY: all build demo test unit host-tests lint clean

all: build

## build: the release component
build:
	cargo build --release --target wasm32-wasip2
	@ls -l $(WASM) | awk '{print "component: " $$5 " bytes"}'

## demo: a tour of the Users actions against the embedded fake Okta org
demo: build
	$(HOST) demo

## test: unit tests of the guest's pure parts, then host and scenario tests through the component
test: build
	cargo test --workspace

## lint: formatting and clippy, guest and host
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --release --target wasm32-wasip2 -- -D warnings

clean:
	cargo clean
