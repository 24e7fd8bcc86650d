//! `connector.json`: what a marketplace reads to list and install the connector without running
//! any code. Paths are relative to the package's root (`dist/`, or the listing artifact).

use crate::catalog::{Catalog, EnvVar};
use crate::project::Project;
use crate::wit_package::{ComponentWorld, WitPackage};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The manifest's format; a reader refuses a format it does not know.
pub const FORMAT: &str = "okta-connector/manifest@1";

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub category: String,
    pub license: String,
    pub authors: Vec<String>,
    pub source: String,
    pub homepage: String,
    pub revision: String,
    pub created: String,
    pub icon: Icon,
    pub docs: String,
    pub catalog: String,
    pub component: Component,
    /// The same connector with the per-instance rate-limit budget composed in: for a host that
    /// does not provide `okta:connector/rate-limits` (each instance then learns the org's
    /// buckets from its own answers).
    pub local_component: Component,
    pub wit_package: FileRef,
    /// What the component reads from its environment, with the default used when unset.
    pub environment: Vec<EnvVar>,
    /// The hosts it may send requests to: Okta's domains, and the one host the connection names.
    pub outbound_hosts: OutboundHosts,
    pub connections: Vec<Item>,
    pub triggers: Vec<Item>,
    pub actions: Vec<Item>,
}

#[derive(Debug, Serialize)]
pub struct Icon {
    pub svg: String,
    pub png: String,
    pub png_size: u32,
}

#[derive(Debug, Serialize)]
pub struct Component {
    pub file: String,
    pub sha256: String,
    pub size: u64,
    /// `okta:connector/connector@0.1.0`
    pub world: String,
    /// What the host must provide, read from the component's own type.
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FileRef {
    /// `okta:connector@0.1.0`
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Serialize)]
pub struct OutboundHosts {
    /// `*.okta.com`, ...: the org's host and its `-admin` twin under Okta's domains.
    pub okta_domains: Vec<String>,
    /// Also the custom domain in the connection: the connection's `domain` input.
    pub custom_domain: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Item {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The files a manifest names, with what they hold.
pub struct Files<'a> {
    pub component: (&'a str, &'a [u8], &'a ComponentWorld),
    pub local_component: (&'a str, &'a [u8], &'a ComponentWorld),
    pub wit_package: (&'a str, &'a WitPackage),
    pub icon_svg: &'a str,
    pub icon_png: &'a str,
    pub docs: &'a str,
    pub catalog: &'a str,
}

pub fn build(project: &Project, catalog: &Catalog, files: &Files) -> Manifest {
    let items = |entries: &[crate::catalog::Entry]| {
        entries.iter().map(|e| Item { id: e.id.clone(), label: e.label.clone(), kind: e.kind.clone() }).collect()
    };
    let (wit_file, wit) = files.wit_package;
    let component = |(file, bytes, world): (&str, &[u8], &ComponentWorld)| Component {
        file: file.into(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        world: wit.world.clone(),
        imports: world.imports.clone(),
        exports: world.exports.clone(),
    };
    Manifest {
        format: FORMAT,
        id: project.name.clone(),
        name: project.display_name.clone(),
        description: project.description.clone(),
        version: project.version.clone(),
        category: project.category.clone(),
        license: project.license.clone(),
        authors: project.authors.clone(),
        source: project.repository.clone(),
        homepage: project.homepage.clone(),
        revision: project.revision.clone(),
        created: project.created_rfc3339(),
        icon: Icon { svg: files.icon_svg.into(), png: files.icon_png.into(), png_size: crate::icon::PNG_SIZE },
        docs: files.docs.into(),
        catalog: files.catalog.into(),
        component: component(files.component),
        local_component: component(files.local_component),
        wit_package: FileRef {
            name: wit.name.clone(),
            file: wit_file.into(),
            sha256: sha256_hex(&wit.bytes),
            size: wit.bytes.len() as u64,
        },
        environment: catalog.environment.clone(),
        outbound_hosts: OutboundHosts {
            okta_domains: catalog.hosts.clone(),
            custom_domain: "the custom domain in the connection (its `domain` input)",
        },
        connections: items(&catalog.connections),
        triggers: items(&catalog.triggers),
        actions: items(&catalog.actions),
    }
}
