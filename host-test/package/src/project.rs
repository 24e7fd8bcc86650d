//! What the package says about the project, from one place each: the guest's `Cargo.toml`
//! (name, version, description, authors, licence, repository, homepage, and the marketplace's
//! display name and category under `[package.metadata.marketplace]`), read through `cargo
//! metadata`, and git (the commit and its date).

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;

/// The package whose component is packaged.
pub const GUEST_PACKAGE: &str = "okta-connector";

#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// `okta-connector`: the component's name, the OCI repository's last segment.
    pub name: String,
    pub version: String,
    pub description: String,
    pub authors: Vec<String>,
    /// An SPDX expression.
    pub license: String,
    pub repository: String,
    pub homepage: String,
    /// What a marketplace shows as the connector's name: `Okta`.
    pub display_name: String,
    pub category: String,
    /// The git commit the package is built from.
    pub revision: String,
    /// The commit's date, seconds since the epoch: the package's only timestamp.
    pub created: i64,
}

#[derive(Deserialize)]
struct CargoMetadata {
    packages: Vec<CargoPackage>,
}

#[derive(Deserialize)]
struct CargoPackage {
    name: String,
    version: String,
    description: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    license: Option<String>,
    repository: Option<String>,
    homepage: Option<String>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

impl Project {
    /// Reads the project at `root` (the repository): `cargo metadata` for the guest package and
    /// `git` for the commit. `revision` and `created` override git's answers (a build from a
    /// source tarball has no git).
    pub fn read(root: &Path, revision: Option<String>, created: Option<i64>) -> Result<Project> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--no-deps", "--format-version", "1", "--offline", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .output()
            .context("cannot run `cargo metadata`")?;
        if !out.status.success() {
            bail!("`cargo metadata` failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let meta: CargoMetadata = serde_json::from_slice(&out.stdout).context("reading `cargo metadata`")?;
        let pkg = meta
            .packages
            .into_iter()
            .find(|p| p.name == GUEST_PACKAGE)
            .with_context(|| format!("no package `{GUEST_PACKAGE}` in {}", root.display()))?;
        let market = pkg.metadata.as_ref().and_then(|m| m.get("marketplace")).cloned().unwrap_or_default();
        let text = |v: Option<String>, what: &str| v.with_context(|| format!("Cargo.toml: `{what}` is not set"));
        let market_text = |key: &str| {
            market[key]
                .as_str()
                .map(str::to_string)
                .with_context(|| format!("Cargo.toml: `package.metadata.marketplace.{key}` is not set"))
        };
        let revision = match revision {
            Some(r) => r,
            None => git_revision(root)?,
        };
        let created = match created {
            Some(c) => c,
            None => git_commit_time(root)?,
        };
        if pkg.authors.is_empty() {
            bail!("Cargo.toml: `authors` is not set");
        }
        Ok(Project {
            name: pkg.name,
            version: pkg.version,
            description: text(pkg.description, "description")?,
            authors: pkg.authors,
            license: text(pkg.license, "license")?,
            repository: text(pkg.repository, "repository")?,
            homepage: text(pkg.homepage, "homepage")?,
            display_name: market_text("display-name")?,
            category: market_text("category")?,
            revision,
            created,
        })
    }

    /// The commit's date in RFC 3339, UTC (OCI's `created`).
    pub fn created_rfc3339(&self) -> String {
        self.created_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    pub fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(self.created, 0).unwrap_or_default()
    }
}

fn git(root: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git").arg("-C").arg(root).args(args).output().context("cannot run git")?;
    if !out.status.success() {
        bail!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// The commit, with `-dirty` when tracked files differ from it: such a build is not that
/// commit's.
fn git_revision(root: &Path) -> Result<String> {
    let commit = git(root, &["rev-parse", "HEAD"])?;
    let dirty = !git(root, &["status", "--porcelain", "--untracked-files=no"])?.is_empty();
    Ok(if dirty { format!("{commit}-dirty") } else { commit })
}

/// The commit's date (committer date), so that a rebuild of the same commit dates the same.
fn git_commit_time(root: &Path) -> Result<i64> {
    git(root, &["log", "-1", "--format=%ct"])?.parse().context("git's commit time")
}
