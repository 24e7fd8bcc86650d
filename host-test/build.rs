//! Finds the release component that the `okta-connector` binary embeds (`include_bytes!`), so
//! a binary copied or installed anywhere (`cargo install --path host-test`) needs no checkout.
//!
//! Where it comes from, first found:
//! 1. `OKTA_CONNECTOR_WASM` at build time: a component built elsewhere;
//! 2. `<target>/wasm32-wasip2/release/okta_connector.wasm`, what `make build` writes (`<target>`
//!    is `CARGO_TARGET_DIR`, else the workspace's `target/`); `cargo install --path` uses the
//!    same target directory, so an install after `make build` embeds that file;
//! 3. otherwise it is built here: `cargo build --release --target wasm32-wasip2 -p
//!    okta-connector` into a target directory under `OUT_DIR` (the workspace's own is locked by
//!    the build running this script). That needs the `wasm32-wasip2` target, which
//!    `rust-toolchain.toml` installs; without it the build stops with what to do.
//!
//! The file's path reaches the code as `OKTA_CONNECTOR_COMPONENT`. Rebuilding the component
//! (`make build`) re-runs this script, so the binary always carries the last build.

use std::path::{Path, PathBuf};
use std::process::Command;

const COMPONENT: &str = "okta_connector.wasm";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=OKTA_CONNECTOR_WASM");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().expect("host-test lives in the workspace").to_path_buf();

    let component = match std::env::var_os("OKTA_CONNECTOR_WASM").filter(|p| !p.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                fail(&format!("OKTA_CONNECTOR_WASM is set to {}, which is not a file", path.display()));
            }
            path
        }
        None => {
            let target =
                std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
            let built = target.join("wasm32-wasip2/release").join(COMPONENT);
            if built.is_file() {
                built
            } else {
                build_component(&workspace)
            }
        }
    };
    println!("cargo:rerun-if-changed={}", component.display());
    println!("cargo:rustc-env=OKTA_CONNECTOR_COMPONENT={}", component.display());
}

/// Builds the guest into `OUT_DIR/component-target` and gives the component's path. Re-runs
/// when the guest's sources change (the file it builds is not watched: it does not exist
/// until built, and a missing watched file would re-run this script on every build).
fn build_component(workspace: &Path) -> PathBuf {
    for watched in ["src", "wit", "build.rs", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("component-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!(
        "cargo:warning=no {COMPONENT} at target/wasm32-wasip2/release (make build writes it): building it for \
         the okta-connector binary"
    );
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "--target", "wasm32-wasip2", "-p", "okta-connector", "--target-dir"])
        .arg(&out)
        // The host's flags (this script's build) are not the guest's.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .status();
    let built = out.join("wasm32-wasip2/release").join(COMPONENT);
    match status {
        Ok(s) if s.success() && built.is_file() => built,
        Ok(s) => fail(&format!("building the component failed ({s})")),
        Err(e) => fail(&format!("cannot run cargo to build the component: {e}")),
    }
}

fn fail(why: &str) -> ! {
    panic!(
        "\n\nokta-host embeds the connector component in the okta-connector binary, and {why}.\n\
         Build it first at the repository root: `make build` (that is `cargo build --release --target \
         wasm32-wasip2`; `rustup target add wasm32-wasip2` if the target is missing), or set \
         OKTA_CONNECTOR_WASM to a built okta_connector.wasm.\n\n"
    );
}
