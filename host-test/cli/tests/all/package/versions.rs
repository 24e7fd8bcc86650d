//! One version everywhere: `Cargo.toml`, `okta-connector --version`, the WIT package, the
//! component's embedded metadata, the package's manifest, and the changelog's latest entry.

use super::*;
use okta_package::{dist as files, metadata};

#[test]
fn every_part_says_the_same_version() {
    let version = sources().project.version;
    let (_dir, out) = built_package();

    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_okta-connector")).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&cli.stdout).trim(), format!("okta-connector {version}"));

    let catalog: serde_json::Value = serde_json::from_str(describe()).unwrap();
    assert_eq!(catalog["package"], format!("okta:connector@{version}"), "the WIT package");

    let component = std::fs::read(out.join(files::COMPONENT)).unwrap();
    assert_eq!(metadata::read(&component).unwrap().version.as_deref(), Some(version.as_str()), "the metadata");

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(files::MANIFEST)).unwrap()).unwrap();
    assert_eq!(manifest["version"], version.as_str(), "connector.json");
    assert_eq!(manifest["wit_package"]["name"], format!("okta:connector@{version}"));

    let changelog = std::fs::read_to_string(repo_root().join("CHANGELOG.md")).unwrap();
    let latest = changelog.lines().find(|l| l.starts_with("## [")).expect("a version entry");
    assert!(latest.starts_with(&format!("## [{version}]")), "CHANGELOG.md's latest entry is {latest}");
}
