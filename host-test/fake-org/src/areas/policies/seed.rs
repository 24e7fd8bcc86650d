//! The policies' seed from `fixtures/`, documents in Okta's key order.

use super::model::Policy;
use crate::areas::state::State;
use crate::infra::json::J;
use crate::infra::seed_files::{j_secs, j_str, ordered};

const POLICIES_JSON: &str = include_str!("../../../../../fixtures/policies.json");

/// The fixtures' policies of several types, with their rules.
pub fn load_policies(st: &mut State) {
    for p in ordered(POLICIES_JSON) {
        let num = |k: &str| match p.get(k) {
            Some(J::Num(n)) => n.as_i64().unwrap_or(0),
            _ => 0,
        };
        st.load_policy(Policy {
            id: j_str(&p, "id"),
            kind: j_str(&p, "type"),
            status: j_str(&p, "status"),
            name: j_str(&p, "name"),
            description: p.get("description").and_then(J::as_str).map(str::to_string),
            priority: num("priority"),
            system: matches!(p.get("system"), Some(J::Bool(true))),
            conditions: p.get("conditions").cloned().unwrap_or(J::Null),
            settings: p.get("settings").cloned(),
            created: j_secs(&p, "created"),
            last_updated: j_secs(&p, "lastUpdated"),
            resource_id: p.get("resourceId").and_then(J::as_str).map(str::to_string),
            rules: match p.get("rules") {
                Some(J::Arr(r)) => r.clone(),
                _ => Vec::new(),
            },
        });
    }
}
