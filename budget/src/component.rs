//! The per-instance budget as a component exporting `okta:connector/rate-limits` (world
//! `rate-limits-local`): composed into the connector, each instance keeps its own [`Budget`],
//! measured on the instance's monotonic clock.

use std::cell::RefCell;
use std::time::Instant;

use super::{Budget, Observation};

wit_bindgen::generate!({ world: "rate-limits-local", path: "../wit" });

use exports::okta::connector::rate_limits::{Guest, Observation as Seen};

struct Local;

thread_local! {
    static BUDGET: RefCell<(Budget, Option<Instant>)> = RefCell::new((Budget::new(), None));
}

/// Milliseconds since the instance's first call, and its budget.
fn with_budget<R>(f: impl FnOnce(&mut Budget, u64) -> R) -> R {
    BUDGET.with(|cell| {
        let (budget, start) = &mut *cell.borrow_mut();
        let start = *start.get_or_insert_with(Instant::now);
        let now = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        f(budget, now)
    })
}

impl Guest for Local {
    fn reserve(org: String, bucket: String) -> u64 {
        with_budget(|b, now| b.reserve(&org, &bucket, now))
    }

    fn report(org: String, bucket: String, seen: Seen) {
        let seen = Observation {
            status: seen.status,
            limit: seen.limit,
            remaining: seen.remaining,
            reset: seen.reset,
            date: seen.date,
        };
        with_budget(|b, now| b.report(&org, &bucket, &seen, now))
    }
}

export!(Local);
