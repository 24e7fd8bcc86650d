//! The groups' part of [`State`]: reads, the seed's loader, and the writes, each recording
//! its System Log event.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{group_target, Group};
use crate::areas::state::State;
use crate::areas::system_log::events::{Audit, Ev};
use crate::areas::users::model::user_target;

impl State {
    pub fn groups(&self) -> &BTreeMap<String, Group> {
        &self.groups
    }
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// Groups of a user: Everyone plus explicit memberships, in id order.
    pub fn groups_of(&self, user_id: &str) -> Vec<&Group> {
        self.groups.values().filter(|g| g.kind == "BUILT_IN" || g.members.contains(user_id)).collect()
    }

    pub fn load_group(&mut self, group: Group) {
        self.groups.insert(group.id.clone(), group);
    }

    /// A new OKTA_GROUP; records `group.lifecycle.create`.
    pub fn create_group(&mut self, a: &Audit, name: String, description: Option<String>) -> String {
        let id = self.new_misc_id("00g");
        let now = a.now_secs();
        let g = Group {
            id: id.clone(),
            created: now,
            last_updated: now,
            last_membership_updated: now,
            kind: "OKTA_GROUP".into(),
            name,
            description,
            members: BTreeSet::new(),
            source: None,
        };
        let t = group_target(&g);
        self.groups.insert(id.clone(), g);
        self.record(a, Ev::GroupCreate, vec![t]);
        id
    }

    /// Replaces a group's profile; records `group.profile.update`.
    pub fn replace_group_profile(&mut self, a: &Audit, gid: &str, name: String, description: Option<String>) {
        let now = a.now_secs();
        let Some(g) = self.groups.get_mut(gid) else { return };
        g.name = name;
        g.description = description;
        g.last_updated = now;
        let t = group_target(g);
        self.record(a, Ev::GroupProfileUpdate, vec![t]);
    }

    /// Deletes a group and its app assignments; records `group.lifecycle.delete`.
    pub fn delete_group(&mut self, a: &Audit, gid: &str) {
        let Some(g) = self.groups.remove(gid) else { return };
        for app in &mut self.apps {
            app.groups.retain(|x| x.principal != gid);
        }
        self.record(a, Ev::GroupDelete, vec![group_target(&g)]);
    }

    /// Adds a member; records `group.user_membership.add` when it was not one already.
    pub fn add_group_member(&mut self, a: &Audit, gid: &str, uid: &str) -> bool {
        let now = a.now_secs();
        let Some(u) = self.users.get(uid).map(user_target) else { return false };
        let Some(g) = self.groups.get_mut(gid) else { return false };
        if !g.members.insert(uid.to_string()) {
            return false;
        }
        g.last_membership_updated = now;
        let t = group_target(g);
        self.record(a, Ev::GroupMemberAdd, vec![u, t]);
        true
    }

    /// Removes a member; records `group.user_membership.remove` when it was one.
    pub fn remove_group_member(&mut self, a: &Audit, gid: &str, uid: &str) -> bool {
        let now = a.now_secs();
        let u = self.users.get(uid).map(user_target);
        let Some(g) = self.groups.get_mut(gid) else { return false };
        if !g.members.remove(uid) {
            return false;
        }
        g.last_membership_updated = now;
        let t = group_target(g);
        self.record(a, Ev::GroupMemberRemove, u.into_iter().chain([t]).collect());
        true
    }
}
