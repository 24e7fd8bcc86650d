//! Goldens: the built component's WIT (decoded from the binary) and its catalog. Run with
//! `BLESS=1` to rewrite them after an intended change; otherwise any difference fails.
//! Also: the component imports nothing beyond wasi:http and the CLI basics, and every action
//! in the catalog is exercised by at least one test.

use okta_host::harness::{Backend, Connector};
use std::path::{Path, PathBuf};

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/golden").join(name)
}

fn check_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with BLESS=1 to create it", path.display()));
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name} differs from {} at line {} (run with BLESS=1 if intended):\n- {}\n+ {}",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or(""),
            actual.lines().nth(first).unwrap_or("")
        );
    }
}

/// The component's world and our package, as the binary declares them.
fn component_wit() -> (String, Vec<String>) {
    let bytes = std::fs::read(Connector::default_path()).expect("component built (make build)");
    let decoded = wit_component::decode(&bytes).expect("a component");
    let resolve = decoded.resolve();
    let mut printed = String::new();
    let mut imports = Vec::new();
    let mut names: Vec<_> = resolve.packages.iter().map(|(id, p)| (p.name.to_string(), id)).collect();
    names.sort();
    for (name, id) in names {
        if name.starts_with("okta:") || name.starts_with("root:") {
            let text = wit_component::WitPrinter::default().print(resolve, id, &[]).unwrap();
            printed.push_str(&text);
            printed.push('\n');
        } else {
            imports.push(name);
        }
    }
    (printed, imports)
}

#[test]
fn component_wit_matches_golden() {
    let (wit, _) = component_wit();
    check_golden("component.wit", &wit);
}

#[test]
fn component_imports_only_http_and_cli_basics() {
    let (wit, packages) = component_wit();
    for p in &packages {
        assert!(
            ["wasi:http", "wasi:io", "wasi:clocks", "wasi:random", "wasi:cli"].iter().any(|ok| p.starts_with(ok)),
            "unexpected imported package {p}"
        );
    }
    for line in wit.lines().filter(|l| l.trim_start().starts_with("import ")) {
        assert!(!line.contains("wasi:filesystem") && !line.contains("wasi:sockets"), "component imports {line}");
    }
}

#[tokio::test]
async fn catalog_matches_golden() {
    let connector = Connector::shared().unwrap();
    let mut instance = connector.instantiate(Backend::Network).await.unwrap();
    let catalog = instance.describe_json().await.unwrap();
    check_golden("catalog.json", &(serde_json::to_string_pretty(&catalog).unwrap() + "\n"));
}

/// Every catalog action id appears in some test under tests/ other than this one.
#[tokio::test]
async fn every_action_has_a_test() {
    let connector = Connector::shared().unwrap();
    let mut instance = connector.instantiate(Backend::Network).await.unwrap();
    let catalog = instance.describe_json().await.unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let sources: String = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "golden.rs")
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let untested: Vec<_> = catalog["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .filter(|id| !sources.contains(&format!("\"{id}\"")))
        .collect();
    assert!(untested.is_empty(), "actions without a test: {untested:?}");
}
