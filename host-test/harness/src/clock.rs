//! A wall clock the host can pin and advance, shared between the guest's
//! `wasi:clocks/wall-clock` and the `Date` header of scripted answers.
//!
//! Rate-limit waits are computed by the guest from the server's `Date` and
//! `X-Rate-Limit-Reset` headers, not from this clock, so pinning it makes what the guest
//! sees reproducible without making any wait shorter: answer with a reset one second after
//! `Date` for short waits.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The host's wall clock: the system clock until pinned.
#[derive(Clone, Default)]
pub struct Clock(Arc<Mutex<Option<SystemTime>>>);

impl Clock {
    /// Follows the system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Stands still at `at` until set or advanced.
    pub fn pinned(at: SystemTime) -> Clock {
        Clock(Arc::new(Mutex::new(Some(at))))
    }

    /// Stands still at `secs` seconds after the Unix epoch.
    pub fn pinned_at_unix(secs: u64) -> Clock {
        Clock::pinned(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Pins the clock at `at`.
    pub fn set(&self, at: SystemTime) {
        *self.0.lock().unwrap() = Some(at);
    }

    /// Moves a pinned clock forward (pins a system clock at now + `by`).
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap();
        *t = Some(t.unwrap_or_else(SystemTime::now) + by);
    }

    /// The clock's current time.
    pub fn now(&self) -> SystemTime {
        self.0.lock().unwrap().unwrap_or_else(SystemTime::now)
    }

    /// The current time as an HTTP date (`Date` header format).
    pub fn http_date(&self) -> String {
        httpdate::fmt_http_date(self.now())
    }

    /// The current time in whole seconds since the Unix epoch (the unit of
    /// `X-Rate-Limit-Reset`).
    pub fn unix_secs(&self) -> u64 {
        self.now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self.0.lock().unwrap() {
            Some(t) => write!(f, "Clock(pinned at {})", httpdate::fmt_http_date(t)),
            None => write!(f, "Clock(system)"),
        }
    }
}

impl wasmtime_wasi::HostWallClock for Clock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        Clock::now(self).duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}
