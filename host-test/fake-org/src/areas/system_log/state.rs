//! The System Log's part of [`State`]: the store, and appending events. Every write of every
//! area records its event here; each appended event is also queued for event-hook delivery.

use super::events::{event_doc, event_uuid, Audit, Ev, EventOutcome, LogStore, Target};
use crate::areas::state::State;
use crate::infra::json::J;

impl State {
    pub fn log(&self) -> &LogStore {
        &self.log
    }

    /// Appends an event published now (every area's writes record through this).
    pub(in crate::areas) fn record(&mut self, a: &Audit, ev: Ev, targets: Vec<Target>) {
        self.record_at(a, ev, targets, EventOutcome::Success, a.now_ms);
    }

    /// Appends an event with an explicit outcome and `published` time.
    pub fn record_at(&mut self, a: &Audit, ev: Ev, targets: Vec<Target>, outcome: EventOutcome, published_ms: i64) {
        let seq_hint = self.log.all().len() as u64;
        let uuid = event_uuid(published_ms, seq_hint);
        let doc = event_doc(a, ev, &targets, &outcome, &uuid, published_ms);
        self.append_event_doc(doc, published_ms, a.now_ms + self.log_delay_ms);
    }

    /// Stores a ready event document, published and persisted at the given times, and hands it
    /// to event-hook delivery.
    pub fn append_event_doc(&mut self, doc: J, published_ms: i64, persisted_ms: i64) -> u64 {
        self.bump_version();
        let seq = self.log.append(doc, published_ms, persisted_ms);
        self.undelivered.push(seq);
        seq
    }

    /// Events written from now on are persisted `ms` after they happen (queries see them late).
    pub fn set_log_delay(&mut self, ms: i64) {
        self.log_delay_ms = ms.max(0);
    }

    /// Hands an already delivered event to event-hook delivery again (Okta delivers at least
    /// once: receivers must cope with duplicates).
    pub fn requeue_event(&mut self, uuid: &str) -> bool {
        match self.log.by_uuid(uuid).map(|e| e.seq) {
            Some(seq) => {
                self.undelivered.push(seq);
                true
            }
            None => false,
        }
    }

    /// Events appended since the last call, for event-hook delivery.
    pub fn take_undelivered(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.undelivered)
    }
}
