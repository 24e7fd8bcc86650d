//! Goldens: the built component's WIT (decoded from the binary) and its catalog. Run with
//! `BLESS=1` to rewrite them after an intended change; otherwise any difference fails.
//! Also: the component imports nothing beyond wasi:http and the CLI basics, and one built from
//! other sources than this tree's is refused.

use okta_harness::{Backend, Connector};
use std::path::{Path, PathBuf};

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/golden").join(name)
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

/// The harness refuses a component built from other sources than this tree's, and loads the
/// current build.
#[test]
fn a_component_from_other_sources_is_refused() {
    let built = std::fs::read(Connector::default_path()).unwrap();
    let hash = okta_wit_model::embedded_source_hash(&built).expect("the component carries its source hash");
    let dir = std::env::temp_dir().join(format!("okta-stale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let current = dir.join("current.wasm");
    std::fs::write(&current, &built).unwrap();
    Connector::load_from_tree(&current).unwrap();

    // The custom section's data follows its name.
    let name = okta_wit_model::SOURCE_SECTION.as_bytes();
    let at = built.windows(name.len()).position(|w| w == name).expect("the custom section") + name.len();
    assert_eq!(&built[at..at + hash.len()], hash.as_bytes());
    let mut stale = built.clone();
    stale[at..at + hash.len()].copy_from_slice(&[b'0'; 64]);
    let stale_path = dir.join("stale.wasm");
    std::fs::write(&stale_path, &stale).unwrap();
    let err = format!("{:#}", Connector::load_from_tree(&stale_path).err().expect("refused"));
    assert!(err.contains("built from other sources") && err.contains("make build"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
