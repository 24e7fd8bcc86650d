//! What tests do with a [`FakeOrg`]'s System Log besides querying it: read every event, add
//! late or recorded events, delay persistence.

use std::time::{Duration, SystemTime};

use super::events;
use crate::infra::{clock, json, time};
use crate::FakeOrg;

impl FakeOrg {
    /// Every System Log event, in persistence order (the order polling queries return them), as
    /// `GET /api/v1/logs` renders them.
    pub fn log_events(&self) -> Vec<serde_json::Value> {
        self.st().log().all().iter().map(|e| e.doc.to_value()).collect()
    }

    /// Records an event of a known type (`user.lifecycle.create`, …) by the admin, published at
    /// `published` but persisted now: a late event that polling queries return after events
    /// published later. Returns its `uuid`, or `None` for an event type the org does not know.
    pub fn append_log_event_late(&self, event_type: &str, published: SystemTime) -> Option<String> {
        let ev = events::EVENT_TYPES.iter().find(|(_, s)| s.name == event_type)?.0;
        let now = clock::epoch_ms(self.now());
        let mut st = self.st();
        let audit = events::Audit::system(st.admin_actor(), now);
        let published = clock::epoch_ms(published);
        st.record_at(&audit, ev, Vec::new(), events::EventOutcome::Success, published);
        let uuid = st.log().all().last().map(|e| e.uuid.clone());
        drop(st);
        self.shared.deliver_pending();
        uuid
    }

    /// Stores a complete LogEvent document (JSON text, key order kept) persisted at `persisted`,
    /// for replaying recorded events. It needs `uuid`, `eventType` and `published`.
    pub fn append_log_event_json(&self, doc: &str, persisted: SystemTime) -> Result<String, String> {
        let j = json::J::parse(doc).ok_or("not JSON")?;
        let uuid = j.get("uuid").and_then(json::J::as_str).ok_or("no uuid")?.to_string();
        j.get("eventType").and_then(json::J::as_str).ok_or("no eventType")?;
        let published =
            j.get("published").and_then(json::J::as_str).and_then(time::parse_iso_ms).ok_or("no valid published")?;
        self.st().append_event_doc(j, published, clock::epoch_ms(persisted));
        self.shared.deliver_pending();
        Ok(uuid)
    }

    /// Events written from now on are persisted `delay` after they happen: log queries see
    /// them only then, after events persisted in between.
    pub fn set_log_persist_delay(&self, delay: Duration) {
        self.st().set_log_delay(delay.as_millis() as i64);
    }
}
