//! Event-hook delivery: after every request, the events it wrote go to the ACTIVE and
//! VERIFIED hooks subscribed to their type (and passing their filter), in Okta's CloudEvents
//! envelope; each attempt is reported back into the state.

use std::sync::Arc;

use super::filter;
use super::model::EventHook;
use super::outbound::{self, Job};
use crate::areas::system_log::events::{event_uuid, Actor, Audit, LogEvent};
use crate::infra::clock::epoch_ms;
use crate::infra::json::J;
use crate::infra::time::iso_ms;
use crate::infra::util;
use crate::org::Shared;

impl Shared {
    /// Hands the events written since the last call to every ACTIVE and VERIFIED hook
    /// subscribed to their type (and passing its filter): one delivery per hook with the events
    /// of one write in `data.events`. Needs a tokio runtime; without one the events wait for
    /// the next call.
    pub fn deliver_pending(self: &Arc<Self>) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let now = self.clock.now();
        let jobs = {
            let mut st = self.lock();
            let seqs = st.take_undelivered();
            if seqs.is_empty() {
                return;
            }
            let origin = st.last_origin.clone().unwrap_or_else(|| "http://localhost".to_string());
            let events: Vec<&LogEvent> = seqs.iter().filter_map(|s| st.log().by_seq(*s)).collect();
            let mut jobs = Vec::new();
            for hook in st.event_hooks().values().filter(|h| h.receives()) {
                let mine: Vec<&&LogEvent> = events
                    .iter()
                    // Failed-delivery events never go to hooks, or a broken hook would feed itself.
                    .filter(|e| e.event_type != "event_hook.delivery")
                    .filter(|e| hook.items.contains(&e.event_type))
                    .filter(|e| filter::filter_passes(&hook.filter, &e.event_type, &e.doc))
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let event_id = event_uuid(epoch_ms(now), util::random_u64() % 10_000);
                let envelope = J::obj([
                    ("eventType", J::s("com.okta.event_hook")),
                    ("eventTypeVersion", J::s("1.0")),
                    ("cloudEventsVersion", J::s("0.1")),
                    ("source", J::s(format!("{origin}/api/v1/eventHooks/{}", hook.id))),
                    ("eventId", J::s(event_id.clone())),
                    ("eventTime", J::s(iso_ms(epoch_ms(now)))),
                    ("contentType", J::s("application/json")),
                    ("data", J::obj([("events", J::Arr(mine.iter().map(|e| e.doc.clone()).collect()))])),
                ]);
                jobs.push(Job {
                    endpoint: hook_endpoint(hook),
                    event_id,
                    uuids: mine.iter().map(|e| e.uuid.clone()).collect(),
                    body: envelope.to_vec(),
                });
            }
            jobs
        };
        let weak = Arc::downgrade(self);
        let report: outbound::Report = Arc::new(move |delivery, failed_for_good| {
            if let Some(shared) = weak.upgrade() {
                let now = epoch_ms(shared.clock.now());
                shared.lock().record_delivery(&Audit::system(Actor::system(), now), delivery, failed_for_good);
            }
        });
        self.outbound.dispatch(jobs, report);
    }
}

pub fn hook_endpoint(hook: &EventHook) -> outbound::Endpoint {
    let mut headers: Vec<(String, String)> = hook.headers.clone();
    if let Some(a) = &hook.auth {
        headers.push((a.key.clone(), a.value.clone()));
    }
    outbound::Endpoint { hook_id: hook.id.clone(), uri: hook.uri.clone(), headers }
}
