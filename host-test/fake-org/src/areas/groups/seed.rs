//! The groups' seed from `fixtures/`: Everyone, OKTA_GROUPs and APP_GROUPs with their members.

use std::collections::BTreeSet;

use super::model::Group;
use crate::areas::state::State;
use crate::infra::seed_files::{array, s, secs};

const GROUPS_JSON: &str = include_str!("../../../../../fixtures/groups.json");

/// The groups, or Everyone alone (an empty org).
pub fn load_groups(st: &mut State, everyone_only: bool) {
    for g in array(GROUPS_JSON) {
        let kind = s(&g["type"]);
        if everyone_only && kind != "BUILT_IN" {
            continue;
        }
        let members = if everyone_only {
            BTreeSet::new()
        } else {
            g["members"].as_array().map(|m| m.iter().map(s).collect()).unwrap_or_default()
        };
        let group = Group {
            id: s(&g["id"]),
            created: secs(&g["created"]).unwrap_or(0),
            last_updated: secs(&g["lastUpdated"]).unwrap_or(0),
            last_membership_updated: secs(&g["lastMembershipUpdated"]).unwrap_or(0),
            kind,
            name: s(&g["profile"]["name"]),
            description: g["profile"]["description"].as_str().map(str::to_string),
            members,
            source: if everyone_only { None } else { g["source"].as_str().map(str::to_string) },
        };
        st.load_group(group);
    }
}
