//! Okta's per-org limit on requests in flight: a request past it is answered 429 with
//! `X-Rate-Limit-Limit` and `-Remaining` both 0 (and a reset a second ahead), whatever its
//! bucket. Off by default; [`crate::FakeOrg::set_concurrency_limit`] turns it on, with how long
//! each request holds its slot (so that requests of concurrent clients overlap as they do on a
//! real org).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Concurrency {
    limit: Option<u32>,
    hold: Duration,
    in_flight: Arc<AtomicU32>,
}

/// One request's slot, given back when dropped.
#[derive(Debug)]
pub struct Slot(Arc<AtomicU32>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Concurrency {
    pub fn configure(&mut self, limit: Option<u32>, hold: Duration) {
        self.limit = limit;
        self.hold = hold;
    }

    /// A slot for one request and how long it holds it: `Ok(None)` without a limit, `Err` when
    /// the org already serves as many as it allows.
    pub fn enter(&self) -> Result<Option<(Slot, Duration)>, ()> {
        let Some(limit) = self.limit else { return Ok(None) };
        let taken = self.in_flight.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < limit).then_some(n + 1));
        match taken {
            Ok(_) => Ok(Some((Slot(self.in_flight.clone()), self.hold))),
            Err(_) => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_and_given_back() {
        let mut c = Concurrency::default();
        assert!(matches!(c.enter(), Ok(None)), "no limit by default");
        c.configure(Some(2), Duration::from_millis(5));
        let a = c.enter().unwrap().unwrap();
        let _b = c.enter().unwrap().unwrap();
        assert!(c.enter().is_err());
        drop(a);
        assert!(c.enter().unwrap().is_some());
    }
}
