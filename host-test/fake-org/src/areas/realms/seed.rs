//! The realms' seed from `fixtures/`.

use super::model::Realm;
use crate::areas::state::State;
use crate::infra::json::J;
use crate::infra::seed_files::{j_secs, j_str, ordered};

const REALMS_JSON: &str = include_str!("../../../../../fixtures/realms.json");

/// The fixtures' realms: the default one and six others.
pub fn load_realms(st: &mut State) {
    for r in ordered(REALMS_JSON) {
        let profile = r.get("profile").cloned().unwrap_or(J::Null);
        st.load_realm(Realm {
            id: j_str(&r, "id"),
            created: j_secs(&r, "created"),
            last_updated: j_secs(&r, "lastUpdated"),
            is_default: matches!(r.get("isDefault"), Some(J::Bool(true))),
            name: j_str(&profile, "name"),
            domains: match profile.get("domains") {
                Some(J::Arr(d)) => Some(d.iter().filter_map(J::as_str).map(str::to_string).collect()),
                _ => None,
            },
        });
    }
}
