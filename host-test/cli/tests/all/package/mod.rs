//! What the package tests share: a package built from the release component, a real OCI
//! registry on loopback, and headless Chromium driven through the DevTools protocol.
#![allow(dead_code)]

pub mod chromium;
pub mod registry;

use okta_package::dist::{self, Sources};
use okta_package::project::Project;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Where tests keep what a person may want to look at afterwards (screenshots).
pub fn artefacts_dir() -> PathBuf {
    let dir = repo_root().join("target/test-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The release component, as `make build` leaves it.
pub fn release_component() -> Vec<u8> {
    let path = repo_root().join("target/wasm32-wasip2/release/okta_connector.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make build` first)", path.display()))
}

/// What the package is built from, at a fixed revision and date.
pub fn sources() -> Sources {
    let root = repo_root();
    Sources {
        project: Project::read(&root, Some("0123456789abcdef0123456789abcdef01234567".into()), Some(1_780_000_000))
            .unwrap(),
        component: release_component(),
        catalog_json: std::fs::read_to_string(root.join("fixtures/golden/catalog.json")).unwrap(),
        wit_dir: root.join("wit"),
    }
}

/// A package in a fresh temporary directory.
pub fn built_package() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    dist::build(&sources(), &out).unwrap();
    (dir, out)
}

/// Whether a test that needs `tool` runs: it is installed, or the run requires everything
/// (`OKTA_TEST_ALL`, as in CI) and the test fails. Otherwise it says why it is skipped.
pub fn tool_available(tool: &str, why: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(tool).is_file()))
        .unwrap_or(false);
    if !found {
        if std::env::var_os("OKTA_TEST_ALL").is_some() {
            panic!("`{tool}` is not installed ({why}); OKTA_TEST_ALL requires it");
        }
        eprintln!("SKIPPED: `{tool}` is not installed ({why})");
    }
    found
}
