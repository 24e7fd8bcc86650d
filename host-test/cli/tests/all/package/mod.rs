//! The marketplace package (`okta-package`, `make package`): built from the release component
//! and what its `describe()` returns, reproducible, its parts agreeing with the component and
//! the sources (`dist`), its docs page in a real browser (`docs_browser`), and a round trip
//! through a real OCI registry ending in the CLI running the pulled component (`registry`).

mod dist;
mod docs_browser;
mod registry;
mod versions;

use crate::support::common::connector;
use okta_harness::Backend;
use okta_package::dist::{self as package, Sources};
use okta_package::project::Project;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Where tests keep what a person may want to look at afterwards (screenshots).
pub fn artefacts_dir() -> PathBuf {
    let dir = repo_root().join("target/test-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The component the harness runs: the release component `make build` leaves.
pub fn release_component() -> Vec<u8> {
    let path = connector().path().to_path_buf();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The release component with the per-instance budget composed in (`make build-local`).
pub fn local_component() -> Vec<u8> {
    let path = connector().path().with_file_name("okta_connector.local.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make build-local`)", path.display()))
}

/// What the component's `describe()` returns, asked once.
pub fn describe() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut instance = connector().instantiate(Backend::Scripted(Vec::new())).await.unwrap();
            instance.describe().await.unwrap()
        })
    })
}

/// The revision and date the tests package at (`make package` takes git's).
pub const REVISION: &str = "0123456789abcdef0123456789abcdef01234567";
pub const CREATED: i64 = 1_780_000_000;

/// What the package is built from.
pub fn sources() -> Sources {
    let root = repo_root();
    Sources {
        project: Project::read(&root, Some(REVISION.into()), Some(CREATED)).unwrap(),
        component: release_component(),
        local_component: local_component(),
        catalog_json: describe().to_string(),
        wit_dir: root.join("wit"),
    }
}

/// A package in a fresh temporary directory.
pub fn built_package() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    package::build(&sources(), &out).unwrap();
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
