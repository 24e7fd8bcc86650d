//! The groups' records.

use std::collections::BTreeSet;

use crate::areas::system_log::events::Target;

/// A group: its profile and explicit members.
#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub last_membership_updated: i64,
    /// `OKTA_GROUP`, `BUILT_IN` (Everyone) or `APP_GROUP`.
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    /// Explicit members (Everyone's membership is implicit).
    pub members: BTreeSet<String>,
    /// The app an APP_GROUP is imported from (`_links.source`, `expand=app`).
    pub source: Option<String>,
}

/// `target` entry for a group.
pub fn group_target(g: &Group) -> Target {
    Target { id: g.id.clone(), kind: "UserGroup", alternate_id: "unknown".into(), display_name: g.name.clone() }
}
