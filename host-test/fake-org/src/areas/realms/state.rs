//! The realms' part of [`State`]: reads, the seed's loader, and the writes, each recording
//! its System Log event.

use super::model::{realm_target, Realm};
use crate::areas::state::State;
use crate::areas::system_log::events::{Audit, Ev};

impl State {
    pub fn realms(&self) -> &[Realm] {
        &self.realms
    }

    pub fn load_realm(&mut self, r: Realm) {
        self.realms.push(r);
    }

    /// A new realm; records `realm.lifecycle.create`.
    pub fn create_realm(&mut self, a: &Audit, name: String, domains: Vec<String>) -> String {
        let now = a.now_secs();
        let r = Realm {
            id: self.new_misc_id("guo"),
            created: now,
            last_updated: now,
            is_default: false,
            name,
            domains: Some(domains),
        };
        let (id, t) = (r.id.clone(), realm_target(&r));
        self.realms.push(r);
        self.record(a, Ev::RealmCreate, vec![t]);
        id
    }

    /// Replaces a realm's profile; records `realm.lifecycle.update`.
    pub fn replace_realm(&mut self, a: &Audit, id: &str, name: String, domains: Vec<String>) {
        let now = a.now_secs();
        let Some(r) = self.realms.iter_mut().find(|r| r.id == id) else { return };
        r.name = name;
        if !r.is_default {
            r.domains = Some(domains);
        }
        r.last_updated = now;
        let t = realm_target(r);
        self.record(a, Ev::RealmUpdate, vec![t]);
    }

    /// Deletes a realm; records `realm.lifecycle.delete`.
    pub fn delete_realm(&mut self, a: &Audit, id: &str) {
        let Some(pos) = self.realms.iter().position(|r| r.id == id) else { return };
        let r = self.realms.remove(pos);
        self.record(a, Ev::RealmDelete, vec![realm_target(&r)]);
    }
}
