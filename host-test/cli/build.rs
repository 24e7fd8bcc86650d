//! Finds the release component the `okta-connector` binary embeds (`include_bytes!`), so a
//! binary copied or installed anywhere (`make install`) needs no checkout:
//! 1. `OKTA_CONNECTOR_WASM` at build time: a component built elsewhere, taken as it is;
//! 2. else `<target>/wasm32-wasip2/release/okta_connector.wasm`, what `make build` writes
//!    (`<target>` is `CARGO_TARGET_DIR`, else the workspace's `target/`), which must have been
//!    built from this tree's sources (its embedded source hash is checked).
//!
//! Building the component is `make build`'s job, never this script's: a missing or stale
//! component stops the build with what to run. The file's path reaches the code as
//! `OKTA_CONNECTOR_COMPONENT`; rebuilding the component re-runs this script.

use okta_wit_model::{embedded_source_hash, source_hash, SOURCE_PATHS};
use std::path::{Path, PathBuf};

const COMPONENT: &str = "okta_connector.wasm";

fn main() {
    println!("cargo:rerun-if-env-changed=OKTA_CONNECTOR_WASM");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest.join("../..");

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
            check_built_from_tree(&built, &workspace);
            built
        }
    };
    println!("cargo:rerun-if-changed={}", component.display());
    println!("cargo:rustc-env=OKTA_CONNECTOR_COMPONENT={}", component.display());
}

/// Stops the build unless `built` exists and carries the hash of this tree's guest sources.
fn check_built_from_tree(built: &Path, workspace: &Path) {
    for watched in SOURCE_PATHS {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let Ok(bytes) = std::fs::read(built) else {
        fail(&format!("there is no component at {}", built.display()));
    };
    let tree = source_hash(workspace).expect("the guest's sources are readable");
    if embedded_source_hash(&bytes).as_deref() != Some(tree.as_str()) {
        fail(&format!("the component at {} was built from other sources than this tree's", built.display()));
    }
}

fn fail(why: &str) -> ! {
    panic!(
        "\n\nokta-connector embeds the connector component, and {why}.\n\
         Build it first at the repository root: `make build`, or set OKTA_CONNECTOR_WASM to a built \
         okta_connector.wasm.\n\n"
    );
}
