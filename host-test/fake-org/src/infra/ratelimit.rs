//! Okta-like rate limiting: per-bucket quotas shared by an endpoint family. A window starts with
//! the first request after the previous window ended, so resets are not aligned to wall-clock
//! minutes; `X-Rate-Limit-Reset` = window start + window, in epoch seconds (rounded up).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::time::epoch_secs_ceil;

/// Endpoint families that share a quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// `GET /api/v1/users/{idOrLogin}` (a separate, larger bucket in real orgs).
    UserGet,
    /// Everything else under `/api/v1/users` (list, create, lifecycle, factors, …).
    Users,
    Groups,
    /// `/api/v1/apps` and everything below it share one bucket (RECORDED-NOTES §3).
    Apps,
    Policies,
    Realms,
    /// `/api/v1/logs` (120 per minute on developer orgs).
    Logs,
    EventHooks,
    Meta,
    /// `/oauth2/v1/token` (its own bucket: every DPoP nonce challenge costs a call from it).
    OAuthToken,
    /// `/oauth2/v1/authorize`.
    OAuthAuthorize,
    /// Paths that are not an endpoint: their 404s count too.
    Other,
}

/// Values of the three `X-Rate-Limit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateHeaders {
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
}

#[derive(Debug)]
struct Window {
    start: SystemTime,
    used: u32,
}

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: HashMap<Bucket, Window>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter { limit: 600, window: Duration::from_secs(60), windows: HashMap::new() }
    }
}

impl RateLimiter {
    /// Changes the quota and starts fresh windows for every bucket.
    pub fn configure(&mut self, limit: u32, window: Duration) {
        self.limit = limit;
        self.window = if window.is_zero() { Duration::from_millis(1) } else { window };
        self.windows.clear();
    }

    fn current(&mut self, bucket: Bucket, now: SystemTime) -> &mut Window {
        let window = self.window;
        let w = self.windows.entry(bucket).or_insert(Window { start: now, used: 0 });
        if now.duration_since(w.start).map(|d| d >= window).unwrap_or(false) {
            *w = Window { start: now, used: 0 };
        }
        w
    }

    fn headers(&self, w_start: SystemTime, used: u32) -> RateHeaders {
        RateHeaders {
            limit: self.limit,
            remaining: self.limit.saturating_sub(used),
            reset: epoch_secs_ceil(w_start + self.window),
        }
    }

    /// Spends one request. `Err` carries the headers of the 429 when the bucket is spent.
    pub fn take(&mut self, bucket: Bucket, now: SystemTime) -> Result<RateHeaders, RateHeaders> {
        let limit = self.limit;
        let w = self.current(bucket, now);
        if w.used >= limit {
            let start = w.start;
            let mut h = self.headers(start, limit);
            h.remaining = 0;
            return Err(h);
        }
        w.used += 1;
        let (start, used) = (w.start, w.used);
        Ok(self.headers(start, used))
    }

    /// Current headers without spending anything.
    pub fn peek(&mut self, bucket: Bucket, now: SystemTime) -> RateHeaders {
        let w = self.current(bucket, now);
        let (start, used) = (w.start, w.used);
        self.headers(start, used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spends_and_resets() {
        let mut rl = RateLimiter::default();
        rl.configure(2, Duration::from_secs(60));
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        let a = rl.take(Bucket::Users, t0).unwrap();
        assert_eq!((a.limit, a.remaining), (2, 1));
        assert_eq!(a.reset, 1_700_000_061); // start + 60 s, rounded up: not minute aligned
        let b = rl.take(Bucket::Users, t0).unwrap();
        assert_eq!(b.remaining, 0);
        let c = rl.take(Bucket::Users, t0).unwrap_err();
        assert_eq!(c.remaining, 0);
        // other buckets are independent
        assert!(rl.take(Bucket::UserGet, t0).is_ok());
        // after the window a new one starts
        let d = rl.take(Bucket::Users, t0 + Duration::from_secs(61)).unwrap();
        assert_eq!(d.remaining, 1);
        assert_eq!(d.reset, 1_700_000_122);
    }
}
