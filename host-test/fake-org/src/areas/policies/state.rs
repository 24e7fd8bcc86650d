//! The policies' part of [`State`]: reads, the seed's loader, and the writes, each recording
//! its System Log event.

use super::model::{policy_target, Policy};
use crate::areas::state::State;
use crate::areas::system_log::events::{Audit, Ev};

impl State {
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn load_policy(&mut self, p: Policy) {
        self.policies.push(p);
    }

    /// Renumbers the priorities of a policy type: 1, 2, … in the current order, the system
    /// (default) policy last.
    fn renumber_policies(&mut self, kind: &str) {
        let mut of_type: Vec<&mut Policy> = self.policies.iter_mut().filter(|p| p.kind == kind).collect();
        of_type.sort_by_key(|p| (p.system, p.priority, p.created));
        for (i, p) in of_type.into_iter().enumerate() {
            p.priority = i as i64 + 1;
        }
    }

    /// A new policy at the requested priority (others move down); records
    /// `policy.lifecycle.create`.
    pub fn create_policy(&mut self, a: &Audit, mut policy: Policy) -> String {
        policy.id = self.new_misc_id("00p");
        policy.created = a.now_secs();
        policy.last_updated = policy.created;
        for p in self.policies.iter_mut().filter(|p| p.kind == policy.kind && p.priority >= policy.priority) {
            p.priority += 1;
        }
        let (id, kind, t) = (policy.id.clone(), policy.kind.clone(), policy_target(&policy));
        self.policies.push(policy);
        self.renumber_policies(&kind);
        self.record(a, Ev::PolicyCreate, vec![t]);
        id
    }

    /// Deletes a policy; records `policy.lifecycle.delete`.
    pub fn delete_policy(&mut self, a: &Audit, id: &str) {
        let Some(pos) = self.policies.iter().position(|p| p.id == id) else { return };
        let p = self.policies.remove(pos);
        self.renumber_policies(&p.kind);
        self.record(a, Ev::PolicyDelete, vec![policy_target(&p)]);
    }
}
