//! The policies' records.

use crate::areas::system_log::events::Target;
use crate::infra::json::J;

/// A policy, with the type-specific parts kept as documents.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    /// `PASSWORD`, `OKTA_SIGN_ON`, `ACCESS_POLICY`, …
    pub kind: String,
    pub status: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: i64,
    pub system: bool,
    pub conditions: J,
    pub settings: Option<J>,
    pub created: i64,
    pub last_updated: i64,
    /// The authorization server or app a policy belongs to (`resourceId` filter).
    pub resource_id: Option<String>,
    /// Rules, for `expand=rules`.
    pub rules: Vec<J>,
}

/// `target` entry for a policy.
pub fn policy_target(p: &Policy) -> Target {
    Target { id: p.id.clone(), kind: "Policy", alternate_id: "unknown".into(), display_name: p.name.clone() }
}
