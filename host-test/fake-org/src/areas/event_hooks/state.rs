//! The event hooks' part of [`State`]: reads and the writes, each recording its System Log
//! event, and the delivery attempts.

use std::collections::BTreeMap;

use super::model::{hook_target, Delivery, EventHook};
use crate::areas::state::State;
use crate::areas::system_log::events::{Audit, Ev, EventOutcome};

impl State {
    pub fn event_hooks(&self) -> &BTreeMap<String, EventHook> {
        &self.event_hooks
    }
    pub fn event_hook(&self, id: &str) -> Option<&EventHook> {
        self.event_hooks.get(id)
    }
    pub fn deliveries(&self) -> &[Delivery] {
        &self.deliveries
    }

    /// A new hook; records `event_hook.created`.
    pub fn create_event_hook(&mut self, a: &Audit, mut hook: EventHook) -> String {
        hook.id = self.new_misc_id("who");
        hook.created = a.now_secs();
        hook.last_updated = hook.created;
        hook.created_by = a.actor.id.clone();
        let id = hook.id.clone();
        let t = hook_target(&hook);
        self.event_hooks.insert(id.clone(), hook);
        self.record(a, Ev::HookCreated, vec![t]);
        id
    }

    /// Replaces name, description, events and channel (`PUT`); a hook must be verified again
    /// afterwards. Records `event_hook.updated`.
    pub fn replace_event_hook(&mut self, a: &Audit, hook: EventHook) {
        let now = a.now_secs();
        let Some(slot) = self.event_hooks.get_mut(&hook.id) else { return };
        let keep = (slot.status.clone(), slot.created, slot.created_by.clone());
        *slot = hook;
        (slot.status, slot.created, slot.created_by) = keep;
        slot.verification_status = "UNVERIFIED".into();
        slot.last_updated = now;
        let t = hook_target(slot);
        self.record(a, Ev::HookUpdated, vec![t]);
    }

    /// `ACTIVE`/`INACTIVE`; records `event_hook.activated` or `event_hook.deactivated`.
    pub fn set_event_hook_status(&mut self, a: &Audit, id: &str, active: bool) {
        let now = a.now_secs();
        let Some(h) = self.event_hooks.get_mut(id) else { return };
        h.status = if active { "ACTIVE" } else { "INACTIVE" }.into();
        h.last_updated = now;
        let t = hook_target(h);
        self.record(a, if active { Ev::HookActivated } else { Ev::HookDeactivated }, vec![t]);
    }

    /// A successful verification; records `event_hook.verified`.
    pub fn verify_event_hook(&mut self, a: &Audit, id: &str) {
        let now = a.now_secs();
        let Some(h) = self.event_hooks.get_mut(id) else { return };
        h.verification_status = "VERIFIED".into();
        h.last_updated = now;
        let t = hook_target(h);
        self.record(a, Ev::HookVerified, vec![t]);
    }

    /// Deletes a hook; records `event_hook.deleted`.
    pub fn delete_event_hook(&mut self, a: &Audit, id: &str) {
        let Some(h) = self.event_hooks.remove(id) else { return };
        self.record(a, Ev::HookDeleted, vec![hook_target(&h)]);
    }

    /// Notes a delivery attempt; a final failure records `event_hook.delivery` (FAILURE),
    /// which is never itself delivered.
    pub fn record_delivery(&mut self, a: &Audit, d: Delivery, final_failure: bool) {
        if final_failure {
            if let Some(h) = self.event_hooks.get(&d.hook_id) {
                let t = hook_target(h);
                let reason = d.error.clone().unwrap_or_else(|| "Delivery failed".into());
                self.record_at(a, Ev::HookDelivery, vec![t], EventOutcome::Failure(reason), a.now_ms);
                self.undelivered.retain(|seq| {
                    self.log.by_seq(*seq).map(|e| e.event_type != Ev::HookDelivery.name()).unwrap_or(true)
                });
            }
        }
        self.deliveries.push(d);
    }
}
