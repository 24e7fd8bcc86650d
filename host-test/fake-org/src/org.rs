//! The shared org behind every handle: its state under one mutex, its clock, and its outbound
//! side (event-hook calls). The router holds a weak [`Org`] so the org does not own itself
//! through its own routes.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};

use crate::areas::event_hooks::outbound::{self, Outbound};
use crate::areas::state::State;
use crate::infra::clock::Clock;

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
        self.0.upgrade().map(|s| s.outbound.timeout()).unwrap_or(outbound::DEFAULT_TIMEOUT)
    }
}
