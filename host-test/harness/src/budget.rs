//! The component's `rate-limits` import (`wit/rate-limits.wit`): one [`SharedBudget`] per
//! [`crate::Connector`], so every instance of a host spends each of an org's buckets, and its
//! concurrency limit, together. A platform that runs instances on several machines keeps the
//! same state in a shared store instead (see the README).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use okta_rate_budget::{Budget, Observation};

use crate::bindings::okta::connector::rate_limits::{Host, Observation as Seen};
use crate::HostState;

/// A rate-limit budget that instances share (it is `Send + Sync`).
#[derive(Debug)]
pub struct SharedBudget {
    budget: Mutex<Budget>,
    start: Instant,
}

impl Default for SharedBudget {
    fn default() -> Self {
        SharedBudget { budget: Mutex::new(Budget::new()), start: Instant::now() }
    }
}

impl SharedBudget {
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// 0 when a request in `bucket` of `org` may go now, else the milliseconds to wait.
    pub fn reserve(&self, org: &str, bucket: &str) -> u64 {
        let now = self.now();
        self.budget.lock().unwrap_or_else(|p| p.into_inner()).reserve(org, bucket, now)
    }

    /// What the answer to a request `reserve` let go said.
    pub fn report(&self, org: &str, bucket: &str, seen: &Observation) {
        let now = self.now();
        self.budget.lock().unwrap_or_else(|p| p.into_inner()).report(org, bucket, seen, now)
    }

    /// The concurrency limit learned for `org`, if any.
    pub fn concurrency(&self, org: &str) -> Option<u64> {
        self.budget.lock().unwrap_or_else(|p| p.into_inner()).concurrency(org)
    }
}

/// Whose rate-limit budget an instance spends.
#[derive(Clone, Debug, Default)]
pub enum RateLimits {
    /// The connector's, shared by all its instances sent to the network (a real org is known
    /// by its origin); an instance answered in-process (fake org, script) gets its own, as that
    /// org is one of its own whatever its origin.
    #[default]
    Shared,
    /// Its own: it learns the buckets from its own answers only (as a host that keeps no
    /// budget gets from `okta_connector.local.wasm`).
    Own,
    /// This one (shared with whoever else holds it).
    With(Arc<SharedBudget>),
}

impl Host for HostState {
    fn reserve(&mut self, org: String, bucket: String) -> u64 {
        self.budget.reserve(&org, &bucket)
    }

    fn report(&mut self, org: String, bucket: String, seen: Seen) {
        let seen = Observation {
            status: seen.status,
            limit: seen.limit,
            remaining: seen.remaining,
            reset: seen.reset,
            date: seen.date,
        };
        self.budget.report(&org, &bucket, &seen)
    }
}
