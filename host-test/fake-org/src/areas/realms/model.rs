//! The realms' records.

use crate::areas::system_log::events::Target;

/// A realm.
#[derive(Clone, Debug)]
pub struct Realm {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub is_default: bool,
    pub name: String,
    /// `None` for the default realm, whose profile has no `domains`.
    pub domains: Option<Vec<String>>,
}

/// `target` entry for a realm.
pub fn realm_target(r: &Realm) -> Target {
    Target { id: r.id.clone(), kind: "Realm", alternate_id: "unknown".into(), display_name: r.name.clone() }
}
