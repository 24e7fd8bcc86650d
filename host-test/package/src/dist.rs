//! Writes the package directory (`dist/`). Everything in it follows from the inputs: no clock,
//! no randomness, no file order from the system; files are dated with the commit's date.

use crate::catalog::Catalog;
use crate::project::Project;
use crate::{docs, icon, manifest, metadata, wit_package};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

pub const COMPONENT: &str = "okta-connector.wasm";
/// The same connector with the per-instance rate-limit budget composed in, for hosts that do
/// not provide `okta:connector/rate-limits`.
pub const LOCAL_COMPONENT: &str = "okta-connector.local.wasm";
pub const WIT_PACKAGE: &str = "okta-connector.wit.wasm";
pub const CATALOG: &str = "catalog.json";
pub const MANIFEST: &str = "connector.json";
pub const ICON_SVG: &str = "icon.svg";
pub const ICON_PNG: &str = "icon.png";
pub const DOCS: &str = "docs/index.html";

/// What a package is made of.
pub struct Sources {
    pub project: Project,
    /// The release component as built (no package metadata yet).
    pub component: Vec<u8>,
    /// The release component with the per-instance budget composed in (`make build-local`).
    pub local_component: Vec<u8>,
    /// What that component's `describe()` returns.
    pub catalog_json: String,
    /// The WIT package's directory (`wit/`).
    pub wit_dir: PathBuf,
}

/// Writes the package into `out` (created, or replaced when it holds a previous package) and
/// returns the files written, relative to `out`, with their sizes.
pub fn build(sources: &Sources, out: &Path) -> Result<Vec<(String, u64)>> {
    let project = &sources.project;
    let catalog = Catalog::parse(&sources.catalog_json)?;
    catalog.check_descriptions()?;
    let wit = wit_package::encode(&sources.wit_dir)?;
    check_versions(project, &catalog, &wit)?;

    let component = metadata::embed(&sources.component, project)?;
    let world = wit_package::component_world(&component)?;
    let local_component = metadata::embed(&sources.local_component, project)?;
    let local_world = wit_package::component_world(&local_component)?;
    check_local(&world, &local_world)?;
    let manifest = manifest::build(
        project,
        &catalog,
        &manifest::Files {
            component: (COMPONENT, &component, &world),
            local_component: (LOCAL_COMPONENT, &local_component, &local_world),
            wit_package: (WIT_PACKAGE, &wit),
            icon_svg: ICON_SVG,
            icon_png: ICON_PNG,
            docs: DOCS,
            catalog: CATALOG,
        },
    );
    let mut manifest_json = serde_json::to_string_pretty(&manifest)?;
    manifest_json.push('\n');

    let files: Vec<(&str, Vec<u8>)> = vec![
        (COMPONENT, component),
        (LOCAL_COMPONENT, local_component),
        (WIT_PACKAGE, wit.bytes),
        (CATALOG, sources.catalog_json.clone().into_bytes()),
        (MANIFEST, manifest_json.into_bytes()),
        (ICON_SVG, icon::SVG.as_bytes().to_vec()),
        (ICON_PNG, icon::PNG.to_vec()),
        (DOCS, docs::index_html(project, &catalog).into_bytes()),
    ];

    clear(out)?;
    let date = UNIX_EPOCH + Duration::from_secs(project.created.max(0) as u64);
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = out.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        std::fs::File::options().write(true).open(&path)?.set_modified(date)?;
        written.push((name.to_string(), bytes.len() as u64));
    }
    Ok(written)
}

/// The local build is the plain one with `rate-limits` provided: the same exports, the same
/// imports but that one.
fn check_local(plain: &wit_package::ComponentWorld, local: &wit_package::ComponentWorld) -> Result<()> {
    let provided: Vec<&String> = plain.imports.iter().filter(|i| !local.imports.contains(i)).collect();
    let extra: Vec<&String> = local.imports.iter().filter(|i| !plain.imports.contains(i)).collect();
    if local.exports != plain.exports
        || !extra.is_empty()
        || provided.len() != 1
        || !provided[0].contains("/rate-limits")
    {
        bail!(
            "the local component is not the plain one with rate-limits composed in (it provides {provided:?}, adds {extra:?}; exports equal: {})",
            local.exports == plain.exports
        );
    }
    Ok(())
}

/// The package's version is the guest crate's, and the WIT package and the catalog must say
/// the same: a package whose parts disagree is not built.
pub fn check_versions(project: &Project, catalog: &Catalog, wit: &wit_package::WitPackage) -> Result<()> {
    let wit_version = wit.name.split_once('@').map(|(_, v)| v);
    if wit_version != Some(project.version.as_str()) {
        bail!("the WIT package is {} but Cargo.toml says {}", wit.name, project.version);
    }
    if catalog.package != wit.name {
        bail!("the catalog is of {} but the WIT package is {}", catalog.package, wit.name);
    }
    Ok(())
}

/// Empties `out` when it is a previous package (or empty); refuses anything else.
fn clear(out: &Path) -> Result<()> {
    match std::fs::read_dir(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", out.display())),
        Ok(mut entries) => {
            let empty = entries.next().is_none();
            if !empty && !out.join(MANIFEST).exists() {
                bail!("{} is not empty and holds no previous package: not replacing it", out.display());
            }
            std::fs::remove_dir_all(out).with_context(|| format!("cannot empty {}", out.display()))?;
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
}
