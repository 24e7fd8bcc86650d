//! The shared org behind every handle: its state under one mutex, its clock, and its outbound
//! side (event-hook calls). The router holds a weak [`Org`] so the org does not own itself
//! through its own routes.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};

use super::clock::{epoch_ms, Clock};
use super::el;
use super::events::{event_uuid, Actor, Audit, LogEvent};
use super::hooks::{self, Job, Outbound};
use super::json::J;
use super::state::State;
use super::time::iso_ms;
use super::util;

/// What a [`FakeOrg`](crate::FakeOrg) handle shares.
#[derive(Debug, Default)]
pub struct Shared {
    pub state: Mutex<State>,
    pub clock: Clock,
    pub outbound: Outbound,
}

impl Shared {
    pub fn new(state: State) -> Shared {
        Shared { state: Mutex::new(state), clock: Clock::default(), outbound: Outbound::default() }
    }

    /// Locks the state; a panic in another request does not poison the org for the next ones.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

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
                    .filter(|e| el::filter_passes(&hook.filter, &e.event_type, &e.doc))
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
        let report: hooks::Report = Arc::new(move |delivery, failed_for_good| {
            if let Some(shared) = weak.upgrade() {
                let now = epoch_ms(shared.clock.now());
                shared.lock().record_delivery(&Audit::system(Actor::system(), now), delivery, failed_for_good);
            }
        });
        self.outbound.dispatch(jobs, report);
    }
}

/// How to call a hook: its URI, the authScheme header and the custom headers.
pub fn hook_endpoint(hook: &super::state::EventHook) -> hooks::Endpoint {
    let mut headers: Vec<(String, String)> = hook.headers.clone();
    if let Some(a) = &hook.auth {
        headers.push((a.key.clone(), a.value.clone()));
    }
    hooks::Endpoint { hook_id: hook.id.clone(), uri: hook.uri.clone(), headers }
}

/// The router's handle on the org (axum state).
#[derive(Clone, Debug)]
pub struct Org(Weak<Shared>);

impl Org {
    pub fn new(shared: &Arc<Shared>) -> Org {
        Org(Arc::downgrade(shared))
    }

    /// Runs `f` with the state locked; `None` once the org is gone.
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        let shared = self.0.upgrade()?;
        let mut guard = shared.lock();
        Some(f(&mut guard))
    }

    /// The org clock (system time once the org is gone).
    pub fn now(&self) -> SystemTime {
        self.0.upgrade().map(|s| s.clock.now()).unwrap_or_else(SystemTime::now)
    }

    /// How long the org waits for a hook endpoint.
    pub fn hook_timeout(&self) -> Duration {
        self.0.upgrade().map(|s| s.outbound.timeout()).unwrap_or(hooks::DEFAULT_TIMEOUT)
    }
}
