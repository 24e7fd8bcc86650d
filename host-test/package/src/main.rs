//! `okta-package`: builds the connector's marketplace package and publishes it to an OCI
//! registry. See the library's docs for what goes where.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use okta_package::{dist, project::Project, registry};
use std::path::PathBuf;
use std::time::Instant;

/// Build the marketplace package (dist/) and publish it to an OCI registry.
#[derive(Parser)]
#[command(name = "okta-package", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the package: the component with its metadata, the binary WIT package, catalog.json,
    /// connector.json, the icon and the docs page.
    Build {
        /// The release component as built.
        #[arg(long, value_name = "FILE")]
        component: PathBuf,
        /// The release component with the per-instance rate-limit budget composed in.
        #[arg(long, value_name = "FILE")]
        local_component: PathBuf,
        /// What the component's describe() returns.
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
        /// The repository's root (Cargo.toml, wit/, git).
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// Where to write the package (replaced when it holds a previous one).
        #[arg(long, value_name = "DIR", default_value = "dist")]
        out: PathBuf,
        /// The revision to record instead of git's HEAD.
        #[arg(long, value_name = "REV")]
        revision: Option<String>,
        /// The package's date instead of the commit's (seconds since the epoch; default:
        /// SOURCE_DATE_EPOCH when set).
        #[arg(long, value_name = "SECONDS")]
        source_date_epoch: Option<i64>,
    },
    /// Push the component (Wasm OCI artifact, tagged with its version) and its listing (an
    /// artifact whose subject is the component) to REGISTRY.
    Publish {
        /// `host:port/namespace`; credentials from REGISTRY_USERNAME and REGISTRY_PASSWORD.
        #[arg(long, value_name = "HOST:PORT/NAMESPACE")]
        registry: String,
        /// The package directory.
        #[arg(long, value_name = "DIR", default_value = "dist")]
        dist: PathBuf,
        /// Use http (the default for loopback registries).
        #[arg(long)]
        plain_http: bool,
    },
    /// Render the icon's PNG from its SVG into assets/icon.png (needs the `render-icon`
    /// feature).
    Icon,
    /// Find the listing of a published component from its reference, as a marketplace does,
    /// and write its files into --out.
    Listing {
        /// `host:port/namespace/okta-connector:VERSION` or `...@sha256:...`.
        #[arg(value_name = "REFERENCE")]
        reference: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long)]
        plain_http: bool,
    },
}

/// The catalog as `okta-connector catalog` prints it: describe()'s text and a newline.
fn read_catalog(path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    Ok(text.strip_suffix('\n').map(str::to_string).unwrap_or(text))
}

/// The reproducible-builds convention for a build's date.
fn source_date_epoch_env() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

#[cfg(feature = "render-icon")]
fn render_icon() -> Result<()> {
    use okta_package::icon;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(icon::PNG_PATH);
    let rendered = icon::render()?;
    std::fs::write(&path, &rendered).with_context(|| format!("{}", path.display()))?;
    println!("{}: {} bytes", path.display(), rendered.len());
    Ok(())
}

#[cfg(not(feature = "render-icon"))]
fn render_icon() -> Result<()> {
    anyhow::bail!("built without the renderer: cargo run -p okta-package --features render-icon -- icon")
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Build { component, local_component, catalog, root, out, revision, source_date_epoch } => {
            let read = |path: &PathBuf| std::fs::read(path).with_context(|| format!("{}", path.display()));
            let sources = dist::Sources {
                project: Project::read(&root, revision, source_date_epoch.or_else(source_date_epoch_env))?,
                component: read(&component)?,
                local_component: read(&local_component)?,
                catalog_json: read_catalog(&catalog)?,
                wit_dir: root.join("wit"),
            };
            for (name, size) in dist::build(&sources, &out)? {
                println!("{:>9}  {}/{name}", size, out.display());
            }
        }
        Command::Publish { registry, dist, plain_http } => {
            let target = registry::Target::parse(&registry, plain_http)?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let started = Instant::now();
            let published = runtime.block_on(registry::publish(&dist, &target, &registry::auth_from_env()))?;
            println!("component {} ({})", published.component_tag, published.component_digest);
            println!("local     {} ({})", published.local_tag, published.local_digest);
            println!("listing   {} (subject {})", published.listing_digest, published.component_digest);
            if published.wrote_referrers_tag {
                println!(
                    "the registry has no referrers API: the listing is also in the referrers tag {}",
                    published.component_digest.replace(':', "-")
                );
            }
            println!("pushed in {:.2} s", started.elapsed().as_secs_f64());
        }
        Command::Icon => render_icon()?,
        Command::Listing { reference, out, plain_http } => {
            let reference: oci_client::Reference = reference.parse().context("REFERENCE")?;
            let target =
                registry::Target::parse(&format!("{}/{}", reference.registry(), reference.repository()), plain_http)?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let listing =
                runtime.block_on(registry::find_listing(&target.client(), &reference, &registry::auth_from_env()))?;
            println!("listing {}", listing.digest);
            for (title, (media_type, bytes)) in &listing.files {
                let path = out.join(title);
                std::fs::create_dir_all(path.parent().unwrap_or(&out))?;
                std::fs::write(&path, bytes)?;
                println!("{:>9}  {}  {media_type}", bytes.len(), path.display());
            }
        }
    }
    Ok(())
}
