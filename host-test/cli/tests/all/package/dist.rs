//! The package as `make package` writes it: reproducible, with the metadata, manifest, WIT
//! package, catalog and docs saying the same things as the component and the sources.

use super::*;
use okta_package::catalog::Catalog;
use okta_package::{dist, manifest::sha256_hex, metadata, wit_package};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

#[test]
fn two_builds_of_one_commit_are_byte_identical() {
    let (_a, first) = built_package();
    let (_b, second) = built_package();
    let (first, second) = (files(&first), files(&second));
    let names: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "catalog.json",
            "connector.json",
            "docs/index.html",
            "icon.png",
            "icon.svg",
            "okta-connector.local.wasm",
            "okta-connector.wasm",
            "okta-connector.wit.wasm"
        ]
    );
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between two builds");
    }
}

#[test]
fn files_are_dated_with_the_commit() {
    let (_dir, out) = built_package();
    let created = sources().project.created as u64;
    for name in [dist::COMPONENT, dist::DOCS, dist::MANIFEST] {
        let modified = std::fs::metadata(out.join(name)).unwrap().modified().unwrap();
        assert_eq!(modified.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), created, "{name}");
    }
}

#[test]
fn the_component_carries_the_projects_metadata_and_still_is_the_component() {
    let (_dir, out) = built_package();
    let project = sources().project;
    let component = std::fs::read(out.join(dist::COMPONENT)).unwrap();
    let m = metadata::read(&component).unwrap();
    assert_eq!(m.name.as_deref(), Some("okta-connector"));
    assert_eq!(m.version.as_deref(), Some(project.version.as_str()));
    assert_eq!(m.description.as_deref(), Some(project.description.as_str()));
    assert_eq!(m.authors.as_deref(), Some("The okta-connector authors"));
    assert_eq!(m.licenses.as_deref(), Some("Apache-2.0"));
    assert_eq!(m.source.as_deref(), Some(project.repository.as_str()));
    assert_eq!(m.homepage.as_deref(), Some(project.homepage.as_str()));
    assert_eq!(m.revision.as_deref(), Some(REVISION));
    // Only custom sections were added: the component's type is unchanged.
    let before = wit_package::component_world(&release_component()).unwrap();
    let after = wit_package::component_world(&component).unwrap();
    assert_eq!((before.imports, before.exports), (after.imports, after.exports));
    let annotations = m.annotations(&project.created_rfc3339());
    assert_eq!(annotations["org.opencontainers.image.url"], project.homepage);
    assert_eq!(annotations["org.opencontainers.image.created"], "2026-05-28T20:26:40Z");
}

#[test]
fn the_wit_package_is_the_contract_with_its_docs() {
    let (_dir, out) = built_package();
    let (resolve, name) = wit_package::decode(&std::fs::read(out.join(dist::WIT_PACKAGE)).unwrap()).unwrap();
    assert_eq!(name, format!("okta:connector@{}", sources().project.version));
    let documented = resolve.interfaces.iter().filter(|(_, i)| i.docs.contents.is_some()).count();
    assert_eq!(documented, resolve.interfaces.len(), "every interface keeps its docs");
}

#[test]
fn the_manifest_describes_the_files_and_the_component() {
    let (_dir, out) = built_package();
    let m = json(&out, dist::MANIFEST);
    let catalog: Value = json(&out, dist::CATALOG);
    let component = std::fs::read(out.join(dist::COMPONENT)).unwrap();
    assert_eq!(m["format"], "okta-connector/manifest@1");
    assert_eq!(m["id"], "okta-connector");
    assert_eq!(m["name"], "Okta");
    assert_eq!(m["category"], "Identity and access management");
    assert_eq!(m["component"]["sha256"], sha256_hex(&component));
    assert_eq!(m["component"]["size"], component.len());
    assert_eq!(m["component"]["world"], format!("okta:connector/connector@{}", m["version"].as_str().unwrap()));
    let world = wit_package::component_world(&component).unwrap();
    assert_eq!(m["component"]["imports"], serde_json::json!(world.imports));
    let imports: Vec<&str> =
        m["component"]["imports"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(imports.iter().any(|i| i.starts_with("wasi:http/outgoing-handler@")), "{imports:?}");
    assert!(!imports.iter().any(|i| i.starts_with("wasi:filesystem") || i.starts_with("wasi:sockets")), "{imports:?}");
    assert!(imports.iter().any(|i| i.starts_with("okta:connector/rate-limits@")), "{imports:?}");
    // The local build: its own file and digest, the same exports, rate-limits provided inside.
    let local = std::fs::read(out.join(dist::LOCAL_COMPONENT)).unwrap();
    assert_eq!(m["local_component"]["file"], dist::LOCAL_COMPONENT);
    assert_eq!(m["local_component"]["sha256"], sha256_hex(&local));
    assert_eq!(m["local_component"]["exports"], m["component"]["exports"]);
    let local_imports: Vec<&str> =
        m["local_component"]["imports"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let without: Vec<&str> =
        imports.iter().copied().filter(|i| !i.starts_with("okta:connector/rate-limits@")).collect();
    assert_eq!(local_imports, without);
    assert_eq!(metadata::read(&local).unwrap(), metadata::read(&component).unwrap());
    let wit = std::fs::read(out.join(dist::WIT_PACKAGE)).unwrap();
    assert_eq!(m["wit_package"]["sha256"], sha256_hex(&wit));
    for key in ["icon", "docs", "catalog"] {
        let paths: Vec<&str> = match &m[key] {
            Value::String(s) => vec![s.as_str()],
            v => vec![v["svg"].as_str().unwrap(), v["png"].as_str().unwrap()],
        };
        for p in paths {
            assert!(out.join(p).is_file(), "{key}: {p} is not in the package");
        }
    }
    for kind in ["connections", "triggers", "actions"] {
        let ids = |v: &Value| {
            v[kind].as_array().unwrap().iter().map(|e| (e["id"].clone(), e["label"].clone())).collect::<Vec<_>>()
        };
        assert_eq!(ids(&m), ids(&catalog), "{kind}");
    }
    assert_eq!(
        m["environment"],
        catalog["environment"].clone().as_array().cloned().map(Value::Array).unwrap_or(Value::Array(vec![]))
    );
}

#[test]
fn the_catalog_in_the_package_is_what_describe_returns() {
    let (_dir, out) = built_package();
    let packaged = std::fs::read_to_string(out.join(dist::CATALOG)).unwrap();
    assert_eq!(packaged, describe());
    let catalog = Catalog::parse(&packaged).unwrap();
    catalog.check_descriptions().unwrap();
    assert!(catalog.actions.iter().all(|a| a.scopes.is_some() || a.id == "raw.request"));
    // `make package` takes it from `okta-connector catalog`: the same text and a newline.
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_okta-connector"))
        .arg("catalog")
        .env("OKTA_CONNECTOR_WASM", connector().path())
        .output()
        .unwrap();
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), format!("{}\n", describe()));
}

#[test]
fn the_docs_page_is_self_contained_and_covers_every_entry() {
    let (_dir, out) = built_package();
    let html = std::fs::read_to_string(out.join(dist::DOCS)).unwrap();
    let catalog = Catalog::parse(&std::fs::read_to_string(out.join(dist::CATALOG)).unwrap()).unwrap();
    for (kind, entries) in
        [("connection", &catalog.connections), ("trigger", &catalog.triggers), ("action", &catalog.actions)]
    {
        for e in entries {
            assert!(html.contains(&format!("id=\"{kind}-{}\"", e.id)), "no section for {kind} {}", e.id);
        }
    }
    for e in &catalog.actions {
        assert!(html.contains(&format!("okta-connector run {}", e.id)), "no example for {}", e.id);
    }
    // Nothing loaded from anywhere: no external script, style, image or font (the icon's
    // `url(#face)` names its own gradient).
    for needle in [" src=", "<link rel=\"stylesheet\"", "@import"] {
        assert!(!html.contains(needle), "the page loads something: {needle}");
    }
    assert!(html.match_indices("url(").all(|(i, _)| html[i + 4..].starts_with('#')), "the page loads a url()");
    assert!(html.contains("id=\"search\""));
    assert!(html.contains("id=\"bounds\""));
}

#[test]
fn a_catalog_with_an_undocumented_input_is_refused() {
    let mut s = sources();
    let mut catalog: Value = serde_json::from_str(&s.catalog_json).unwrap();
    catalog["actions"][3]["input_schema"]["properties"]["user_id"]["description"] = Value::String(String::new());
    s.catalog_json = catalog.to_string();
    let dir = tempfile::tempdir().unwrap();
    let err = dist::build(&s, dir.path()).unwrap_err().to_string();
    assert!(err.contains("input `user_id` has no description"), "{err}");
    assert!(!dir.path().join(dist::MANIFEST).exists(), "nothing is written");
}

#[test]
fn a_package_whose_versions_disagree_is_refused() {
    let mut s = sources();
    s.project.version = "9.9.9".into();
    let dir = tempfile::tempdir().unwrap();
    let err = dist::build(&s, dir.path()).unwrap_err().to_string();
    assert!(err.contains("Cargo.toml says 9.9.9"), "{err}");
}

#[test]
fn a_local_build_of_another_component_is_refused() {
    let mut s = sources();
    s.local_component = s.component.clone();
    let dir = tempfile::tempdir().unwrap();
    let err = dist::build(&s, dir.path()).unwrap_err().to_string();
    assert!(err.contains("not the plain one with rate-limits composed in"), "{err}");
}

#[test]
fn an_unrelated_directory_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = dist::build(&sources(), dir.path()).unwrap_err().to_string();
    assert!(err.contains("not replacing it"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
}
