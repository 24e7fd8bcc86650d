//! The org's clock. It follows system time until a test pins it; a pinned clock only moves when
//! advanced. Every timestamp the org produces (resource dates, `published`, `Date`, rate-limit
//! windows, log queries) reads this clock.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// System time, or a pinned instant.
#[derive(Debug, Default)]
pub struct Clock {
    pinned: Mutex<Option<SystemTime>>,
}

impl Clock {
    pub fn now(&self) -> SystemTime {
        self.pinned.lock().map(|p| *p).unwrap_or(None).unwrap_or_else(SystemTime::now)
    }

    /// Stops the clock at `t`.
    pub fn pin(&self, t: SystemTime) {
        if let Ok(mut p) = self.pinned.lock() {
            *p = Some(t);
        }
    }

    /// Moves the clock forward; an unpinned clock is pinned at system time + `d`.
    pub fn advance(&self, d: Duration) {
        if let Ok(mut p) = self.pinned.lock() {
            *p = Some(p.unwrap_or_else(SystemTime::now) + d);
        }
    }
}

/// Milliseconds since the epoch.
pub fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The system time of epoch milliseconds.
#[cfg(test)]
pub fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_and_advance() {
        let c = Clock::default();
        let t = from_ms(1_700_000_000_123);
        c.pin(t);
        assert_eq!(c.now(), t);
        c.advance(Duration::from_millis(877));
        assert_eq!(epoch_ms(c.now()), 1_700_000_001_000);
    }
}
