//! The component's own metadata, in the custom sections the component tooling reads
//! (`wasm-tools metadata show`, wkg, registries): name, version, description, authors, SPDX
//! licences, source, homepage and revision, written with `wasm-metadata`; and the OCI
//! annotations a registry shows, read back from those sections.

use crate::project::Project;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use wasm_metadata::{
    AddMetadata, AddMetadataField, Authors, Description, Homepage, Licenses, Payload, Revision, Source, Version,
};

/// The component with the project's metadata in its outermost sections (nested modules keep
/// theirs). Fields already there are replaced; the producers section gains this tool.
pub fn embed(component: &[u8], project: &Project) -> Result<Vec<u8>> {
    let mut add = AddMetadata::default();
    add.name = AddMetadataField::Set(project.name.clone());
    add.version = AddMetadataField::Set(Version::new(project.version.clone()));
    add.description = AddMetadataField::Set(Description::new(project.description.clone()));
    add.authors = AddMetadataField::Set(Authors::new(project.authors.join(", ")));
    add.licenses = AddMetadataField::Set(Licenses::new(&project.license).context("the licence is not SPDX")?);
    add.source = AddMetadataField::Set(Source::new(&project.repository).context("the repository is not a URL")?);
    add.homepage = AddMetadataField::Set(Homepage::new(&project.homepage).context("the homepage is not a URL")?);
    add.revision = AddMetadataField::Set(Revision::new(project.revision.clone()));
    add.processed_by = vec![(env!("CARGO_PKG_NAME").to_string(), env!("CARGO_PKG_VERSION").to_string())];
    add.to_wasm(component).context("cannot add metadata to the component")
}

/// The metadata as read back from a component's outermost sections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Embedded {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub authors: Option<String>,
    pub licenses: Option<String>,
    pub source: Option<String>,
    pub homepage: Option<String>,
    pub revision: Option<String>,
}

pub fn read(component: &[u8]) -> Result<Embedded> {
    let payload = Payload::from_binary(component).context("not a WebAssembly binary")?;
    let m = payload.metadata();
    fn text<T: ToString>(v: &Option<T>) -> Option<String> {
        v.as_ref().map(T::to_string)
    }
    Ok(Embedded {
        name: m.name.clone(),
        version: text(&m.version),
        description: text(&m.description),
        authors: text(&m.authors),
        licenses: text(&m.licenses),
        source: text(&m.source),
        homepage: text(&m.homepage),
        revision: text(&m.revision),
    })
}

impl Embedded {
    /// The OCI annotations for this metadata (the Wasm OCI artifact layout's mapping of the
    /// component's sections onto `org.opencontainers.image.*`), plus `created`.
    pub fn annotations(&self, created: &str) -> BTreeMap<String, String> {
        let pairs = [
            ("title", &self.name),
            ("version", &self.version),
            ("description", &self.description),
            ("authors", &self.authors),
            ("licenses", &self.licenses),
            ("source", &self.source),
            ("url", &self.homepage),
            ("revision", &self.revision),
        ];
        let mut out: BTreeMap<String, String> = pairs
            .into_iter()
            .filter_map(|(key, value)| Some((format!("org.opencontainers.image.{key}"), value.clone()?)))
            .collect();
        out.insert("org.opencontainers.image.created".into(), created.to_string());
        out
    }
}
