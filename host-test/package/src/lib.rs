//! The connector's marketplace package: everything a marketplace or an integration host needs
//! to list, install and run the component without building it or running it first.
//!
//! `okta-package build` writes `dist/` ([`dist::build`]):
//!
//! | file | what | module |
//! |---|---|---|
//! | `okta-connector.wasm` | the release component with its metadata embedded | [`metadata`] |
//! | `okta-connector.local.wasm` | the same with the per-instance rate-limit budget composed in, for hosts that do not provide `okta:connector/rate-limits` | [`metadata`] |
//! | `okta-connector.wit.wasm` | the WIT package, encoded as a binary WIT package | [`wit_package`] |
//! | `catalog.json` | what the component's `describe()` returns | |
//! | `connector.json` | the manifest a marketplace reads without running code | [`manifest`] |
//! | `icon.svg`, `icon.png` | the icon, the PNG the SVG rendered (kept beside it) | [`icon`] |
//! | `docs/index.html` | the documentation page, generated from the catalog | [`docs`] |
//!
//! Every byte follows from the commit: timestamps are the commit's date, maps are ordered, and
//! nothing reads the clock, so two builds of one commit are identical.
//!
//! `okta-package publish` pushes the component as a Wasm OCI artifact (its local build tagged
//! `<version>-local`) and the listing as an artifact that refers to it ([`registry`]).

pub mod catalog;
pub mod dist;
pub mod docs;
pub mod icon;
pub mod manifest;
pub mod metadata;
pub mod project;
pub mod registry;
pub mod wit_package;

/// The OCI client the registry functions take and return types of.
pub use oci_client;
