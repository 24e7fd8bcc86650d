//! Publishing the package to an OCI registry, with oci-client (the OCI Distribution client the
//! component tooling uses), as the CNCF Wasm OCI artifact layout describes a component.
//!
//! Two artifacts go into `<registry>/<namespace>/okta-connector`:
//!
//! 1. **The component**, tagged with its version: an OCI image manifest whose config is
//!    `application/vnd.wasm.config.v0+json` (architecture `wasm`, os `wasip2`, the component's
//!    imports, exports and world) and whose one layer is the component, `application/wasm`. Its
//!    annotations (`org.opencontainers.image.*`) are read from the metadata embedded in the
//!    component, plus `created` = the commit's date, so the same commit pushes the same digest.
//! 2. **The listing** ([`LISTING_TYPE`]): the manifest, catalog, icon, docs page and binary WIT
//!    package, one layer each (titled with its path in the package), an empty config, and the
//!    component's manifest as its OCI 1.1 `subject`.
//!
//! **How a marketplace finds the listing** from the component's digest `D` (`sha256:…`, e.g.
//! from resolving the version tag): `GET /v2/<repo>/referrers/D?artifactType=<LISTING_TYPE>`
//! where the registry implements the OCI 1.1 referrers API; where it does not (CNCF
//! Distribution 2.x answers 404), the same index is the image index tagged `sha256-<hex of D>`
//! (the OCI referrers tag schema), which [`publish`] writes whenever the API does not already
//! list the listing. Either way the index entry carries `artifactType` and the listing's
//! annotations, so a marketplace can show name, version and description before fetching any
//! layer, and then fetch only `connector.json` and the icon. [`find_listing`] does exactly that.

use crate::dist;
use crate::metadata;
use crate::wit_package;
use anyhow::{anyhow, bail, Context, Result};
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{
    ImageIndexEntry, OciDescriptor, OciImageIndex, OciImageManifest, OciManifest, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use std::collections::BTreeMap;
use std::path::Path;

/// The listing artifact's type.
pub const LISTING_TYPE: &str = "application/vnd.okta-connector.listing.v1+json";
/// OCI 1.1's empty config, for artifacts that have no config of their own.
pub const EMPTY_CONFIG_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The CNCF Wasm OCI artifact's config ([`WasmConfig`]) and its one layer, the component.
pub const WASM_CONFIG_TYPE: &str = "application/vnd.wasm.config.v0+json";
pub const WASM_LAYER_TYPE: &str = "application/wasm";
const TITLE: &str = "org.opencontainers.image.title";

/// The listing's files and their media types.
pub const LISTING_FILES: [(&str, &str); 6] = [
    (dist::MANIFEST, "application/vnd.okta-connector.manifest.v1+json"),
    (dist::CATALOG, "application/vnd.okta-connector.catalog.v1+json"),
    (dist::ICON_SVG, "image/svg+xml"),
    (dist::ICON_PNG, "image/png"),
    (dist::DOCS, "text/html"),
    (dist::WIT_PACKAGE, "application/wasm"),
];

/// Where to publish: `host[:port]/namespace` (the namespace may have several segments).
#[derive(Clone, Debug)]
pub struct Target {
    pub registry: String,
    pub namespace: String,
    /// http instead of https (the default for loopback registries).
    pub plain_http: bool,
}

impl Target {
    pub fn parse(spec: &str, plain_http: bool) -> Result<Target> {
        let spec = spec.trim().trim_end_matches('/');
        let (registry, namespace) = spec
            .split_once('/')
            .filter(|(r, n)| !r.is_empty() && !n.is_empty())
            .ok_or_else(|| anyhow!("REGISTRY must be host:port/namespace, got `{spec}`"))?;
        let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        Ok(Target { registry: registry.into(), namespace: namespace.into(), plain_http: plain_http || loopback })
    }

    /// `<namespace>/okta-connector`
    pub fn repository(&self, name: &str) -> String {
        format!("{}/{name}", self.namespace)
    }

    pub fn tag(&self, name: &str, tag: &str) -> Reference {
        Reference::with_tag(self.registry.clone(), self.repository(name), tag.into())
    }

    pub fn digest(&self, name: &str, digest: &str) -> Reference {
        Reference::with_digest(self.registry.clone(), self.repository(name), digest.into())
    }

    pub fn client(&self) -> Client {
        // reqwest's rustls needs a process-wide provider; a second install is a no-op error.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let protocol = if self.plain_http {
            ClientProtocol::HttpsExcept(vec![self.registry.clone()])
        } else {
            ClientProtocol::Https
        };
        Client::new(ClientConfig { protocol, ..Default::default() })
    }
}

/// Credentials from `REGISTRY_USERNAME` and `REGISTRY_PASSWORD`, else anonymous.
pub fn auth_from_env() -> RegistryAuth {
    match (std::env::var("REGISTRY_USERNAME"), std::env::var("REGISTRY_PASSWORD")) {
        (Ok(user), Ok(password)) if !user.is_empty() => RegistryAuth::Basic(user, password),
        _ => RegistryAuth::Anonymous,
    }
}

/// What [`publish`] pushed.
#[derive(Debug)]
pub struct Published {
    /// `127.0.0.1:5000/ns/okta-connector:0.1.0`
    pub component_tag: String,
    pub component_digest: String,
    /// The local build (the per-instance rate-limit budget composed in), tagged
    /// `<version>-local`: `127.0.0.1:5000/ns/okta-connector:0.1.0-local`
    pub local_tag: String,
    pub local_digest: String,
    pub listing_digest: String,
    /// Whether the referrers tag (`sha256-…`) had to be written (the registry lacks the API).
    pub wrote_referrers_tag: bool,
}

/// The parts of `connector.json` publishing needs.
#[derive(serde::Deserialize)]
struct ManifestInfo {
    id: String,
    version: String,
    created: String,
    name: String,
    description: String,
    component: ComponentInfo,
}

#[derive(serde::Deserialize)]
struct ComponentInfo {
    world: String,
}

/// Pushes the component and its listing from the package directory `dist`.
pub async fn publish(dist_dir: &Path, target: &Target, auth: &RegistryAuth) -> Result<Published> {
    let read =
        |name: &str| std::fs::read(dist_dir.join(name)).with_context(|| format!("{}/{name}", dist_dir.display()));
    let info: ManifestInfo = serde_json::from_slice(&read(dist::MANIFEST)?).context("connector.json")?;
    let client = target.client();

    // 1. The component and its local build, as Wasm OCI artifacts.
    let tag = target.tag(&info.id, &info.version);
    let (client, component_manifest_size, component_digest) =
        push_component(client, &tag, dist::COMPONENT, read(dist::COMPONENT)?, &info, auth).await?;
    let local_tag = target.tag(&info.id, &format!("{}-local", info.version));
    let (client, _, local_digest) =
        push_component(client, &local_tag, dist::LOCAL_COMPONENT, read(dist::LOCAL_COMPONENT)?, &info, auth).await?;
    let subject = OciDescriptor {
        media_type: OCI_IMAGE_MEDIA_TYPE.into(),
        digest: component_digest.clone(),
        size: component_manifest_size as i64,
        ..Default::default()
    };

    // 2. The listing, referring to it.
    let mut layers = Vec::new();
    for (name, media_type) in LISTING_FILES {
        layers.push(ImageLayer {
            data: read(name)?.into(),
            media_type: media_type.into(),
            annotations: Some(BTreeMap::from([(TITLE.to_string(), name.to_string())])),
        });
    }
    let listing_annotations = BTreeMap::from([
        ("org.opencontainers.image.created".to_string(), info.created.clone()),
        ("org.opencontainers.image.title".to_string(), info.name.clone()),
        ("org.opencontainers.image.description".to_string(), info.description.clone()),
        ("org.opencontainers.image.version".to_string(), info.version.clone()),
    ]);
    let config = Config { data: b"{}".to_vec().into(), media_type: EMPTY_CONFIG_TYPE.into(), annotations: None };
    let mut manifest = OciImageManifest::build(&layers, &config, Some(listing_annotations.clone()));
    manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.into());
    manifest.artifact_type = Some(LISTING_TYPE.into());
    manifest.subject = Some(subject);
    let listing_bytes = serde_json::to_vec(&manifest)?;
    let listing_digest = format!("sha256:{}", crate::manifest::sha256_hex(&listing_bytes));
    let listing_ref = target.digest(&info.id, &listing_digest);
    client.auth(&listing_ref, auth, RegistryOperation::Push).await.context("registry authentication")?;
    client
        .push_blob(&listing_ref, config.data.clone(), &manifest.config.digest)
        .await
        .context("pushing the listing's config")?;
    for (layer, descriptor) in layers.iter().zip(&manifest.layers) {
        client
            .push_blob(&listing_ref, layer.data.clone(), &descriptor.digest)
            .await
            .context("pushing a listing file")?;
    }
    client
        .push_manifest_raw(&listing_ref, listing_bytes.clone(), OCI_IMAGE_MEDIA_TYPE.parse()?)
        .await
        .context("pushing the listing's manifest")?;

    // 3. Findable from the component: through the referrers API, else the referrers tag.
    let entry = ImageIndexEntry {
        media_type: OCI_IMAGE_MEDIA_TYPE.into(),
        digest: listing_digest.clone(),
        size: listing_bytes.len() as i64,
        platform: None,
        annotations: Some(listing_annotations),
        artifact_type: Some(LISTING_TYPE.into()),
    };
    let component_ref = target.digest(&info.id, &component_digest);
    let known = client.pull_referrers(&component_ref, Some(LISTING_TYPE)).await.context("listing the referrers")?;
    let wrote_referrers_tag = if known.manifests.iter().any(|m| m.digest == listing_digest) {
        false
    } else {
        add_to_referrers_tag(&client, target, auth, &info.id, &component_digest, entry).await?;
        true
    };
    Ok(Published {
        component_tag: tag.whole(),
        component_digest,
        local_tag: local_tag.whole(),
        local_digest,
        listing_digest,
        wrote_referrers_tag,
    })
}

/// The config of a component pushed as a CNCF Wasm OCI artifact
/// (`application/vnd.wasm.config.v0+json`): what the component is built for and what it imports
/// and exports, so a registry or host can tell without pulling the layer.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct WasmConfig {
    /// RFC 3339, UTC: the commit's date, so the same commit pushes the same digest.
    created: String,
    author: Option<String>,
    architecture: &'static str,
    /// `wasip2`: a component (a core module would be `wasip1`).
    os: &'static str,
    layer_digests: Vec<String>,
    component: WasmComponent,
}

#[derive(serde::Serialize)]
struct WasmComponent {
    /// `okta:connector/users@0.1.0`, ...
    exports: Vec<String>,
    /// `wasi:http/outgoing-handler@0.2.4`, ...
    imports: Vec<String>,
    /// The world the component implements: `okta:connector/connector@0.1.0`.
    target: String,
}

/// Pushes one component as a Wasm OCI artifact (CNCF Wasm config, one `application/wasm`
/// layer, annotations from its metadata) and returns the stored manifest's size and digest.
async fn push_component(
    client: Client,
    tag: &Reference,
    file: &str,
    component: Vec<u8>,
    info: &ManifestInfo,
    auth: &RegistryAuth,
) -> Result<(Client, usize, String)> {
    let created = chrono::DateTime::parse_from_rfc3339(&info.created).context("connector.json: created")?.to_utc();
    let embedded = metadata::read(&component)?;
    let annotations = embedded.annotations(&info.created);
    let world = wit_package::component_world(&component)?;
    let config = WasmConfig {
        created: created.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        author: embedded.authors.clone(),
        architecture: "wasm",
        os: "wasip2",
        layer_digests: vec![format!("sha256:{}", crate::manifest::sha256_hex(&component))],
        component: WasmComponent {
            exports: world.exports,
            imports: world.imports,
            target: info.component.world.clone(),
        },
    };
    let config =
        Config { data: serde_json::to_vec(&config)?.into(), media_type: WASM_CONFIG_TYPE.into(), annotations: None };
    let layers = [ImageLayer {
        data: component.into(),
        media_type: WASM_LAYER_TYPE.into(),
        annotations: Some(BTreeMap::from([(TITLE.to_string(), file.to_string())])),
    }];
    let mut manifest = OciImageManifest::build(&layers, &config, Some(annotations));
    manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.into());
    client.push(tag, &layers, config, auth, Some(manifest)).await.with_context(|| format!("pushing {file}"))?;
    let (manifest, digest) = client
        .pull_manifest_raw(tag, auth, &[OCI_IMAGE_MEDIA_TYPE])
        .await
        .with_context(|| format!("reading back {file}'s manifest"))?;
    Ok((client, manifest.len(), digest))
}

/// The OCI referrers tag schema: the image index tagged `<alg>-<hex>` of the subject's digest,
/// with one entry per referrer; the entry is added once.
async fn add_to_referrers_tag(
    client: &Client,
    target: &Target,
    auth: &RegistryAuth,
    name: &str,
    subject_digest: &str,
    entry: ImageIndexEntry,
) -> Result<()> {
    let tag = target.tag(name, &subject_digest.replace(':', "-"));
    let mut index = match client.pull_manifest(&tag, auth).await {
        Ok((OciManifest::ImageIndex(index), _)) => index,
        Ok((OciManifest::Image(_), _)) => bail!("{} is an image, not a referrers index", tag.whole()),
        Err(e) if not_found(&e) => OciImageIndex {
            schema_version: 2,
            media_type: Some(OCI_IMAGE_INDEX_MEDIA_TYPE.into()),
            manifests: Vec::new(),
            artifact_type: None,
            annotations: None,
        },
        Err(e) => return Err(e).context("reading the referrers tag"),
    };
    if !index.manifests.iter().any(|m| m.digest == entry.digest) {
        index.manifests.push(entry);
        client.push_manifest(&tag, &OciManifest::ImageIndex(index)).await.context("writing the referrers tag")?;
    }
    Ok(())
}

/// Whether the registry answered that the manifest does not exist.
fn not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::RegistryError { envelope, .. } => {
            envelope.errors.iter().any(|e| e.code == OciErrorCode::ManifestUnknown)
        }
        OciDistributionError::ServerError { code, .. } => *code == 404,
        _ => false,
    }
}

/// A listing as a marketplace reads it.
#[derive(Debug)]
pub struct Listing {
    pub digest: String,
    pub manifest: OciImageManifest,
    /// Each file by its title (its path in the package).
    pub files: BTreeMap<String, (String, Vec<u8>)>,
}

/// Finds the listing of the component at `component` (a tag or a digest) through its
/// referrers, and fetches its files.
pub async fn find_listing(client: &Client, component: &Reference, auth: &RegistryAuth) -> Result<Listing> {
    let digest = match component.digest() {
        Some(d) => d.to_string(),
        None => client.fetch_manifest_digest(component, auth).await.context("resolving the component's tag")?,
    };
    let by_digest = Reference::with_digest(component.registry().into(), component.repository().into(), digest.clone());
    let index = client.pull_referrers(&by_digest, Some(LISTING_TYPE)).await.context("listing the referrers")?;
    let entry = index.manifests.first().ok_or_else(|| anyhow!("no listing refers to {digest}"))?;
    let listing_ref =
        Reference::with_digest(component.registry().into(), component.repository().into(), entry.digest.clone());
    let types: Vec<&str> = LISTING_FILES.iter().map(|(_, t)| *t).collect();
    let image = client.pull(&listing_ref, auth, types).await.context("pulling the listing")?;
    let manifest = image.manifest.ok_or_else(|| anyhow!("the listing has no manifest"))?;
    if manifest.subject.as_ref().map(|s| s.digest.as_str()) != Some(digest.as_str()) {
        bail!("the listing {} does not refer to {digest}", entry.digest);
    }
    let files = image
        .layers
        .into_iter()
        .map(|l| {
            let title = l.annotations.as_ref().and_then(|a| a.get(TITLE)).cloned().unwrap_or_default();
            (title, (l.media_type, l.data.to_vec()))
        })
        .collect();
    Ok(Listing { digest: entry.digest.clone(), manifest, files })
}
