//! When to try a request again, and after how long: a pure function of what happened.
//!
//! - 429: Okta's request was not processed, so any method may be retried. Wait until
//!   `X-Rate-Limit-Reset`, measured against the response's own `Date` (the server clock, not
//!   ours), plus a little jitter. A concurrency 429 (`Limit` and `Remaining` both 0) has only an
//!   estimated reset, so it gets a short exponential backoff instead.
//! - 5xx and transport errors: retried only for idempotent methods (GET, PUT, DELETE, HEAD),
//!   since a POST may already have taken effect.
//! - 409 `E0000112` (the user is still being activated or deactivated: Okta changes some
//!   lifecycle states asynchronously) and 423 `E0000239` (policy priorities being reconciled):
//!   Okta applied nothing and says to try again later, so any method gets a short backoff.
//! - Everything else is final. Attempts per request, and the time an action spends waiting
//!   in all, are bounded.

use std::time::Duration;

/// Limits on retrying one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    /// The most time one action may spend waiting between attempts, all its requests together.
    pub budget: Duration,
    /// First backoff for 5xx, transport errors and concurrency 429s; doubles each attempt.
    pub backoff: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_attempts: 4, budget: Duration::from_secs(120), backoff: Duration::from_millis(500) }
    }
}

impl Policy {
    /// The wait after attempt `attempt` (1 for the first): `backoff`, doubled per attempt, plus
    /// `jitter`.
    fn backoff_after(&self, attempt: u32, jitter: Duration) -> Duration {
        self.backoff * 2u32.saturating_pow(attempt - 1) + jitter
    }

    /// Retry after `wait`, unless that takes the action's waiting, `waited` so far, past the
    /// budget.
    fn within_budget(&self, waited: Duration, wait: Duration) -> Decision {
        if waited + wait > self.budget {
            Decision::Stop
        } else {
            Decision::Retry(wait)
        }
    }
}

/// Rate-limit headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RateLimit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// `X-Rate-Limit-Reset`, epoch seconds.
    pub reset: Option<u64>,
    /// The response `Date`, epoch seconds.
    pub date: Option<u64>,
}

impl RateLimit {
    /// How long until the bucket resets, by the server's clock.
    pub fn until_reset(&self) -> Option<Duration> {
        Some(Duration::from_secs(self.reset?.saturating_sub(self.date?)))
    }
    /// A concurrency-limit answer rather than a spent bucket.
    pub fn is_concurrency(&self) -> bool {
        self.limit == Some(0) && self.remaining == Some(0)
    }
}

/// What one attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Attempted {
    /// Okta answered with this status.
    Status(u16, RateLimit),
    /// No complete answer (connection refused, dropped, body cut off, timeout).
    Transport,
    /// Okta refused for a transient state and applied nothing (409 E0000112, 423 E0000239).
    Busy,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Retry(Duration),
    Stop,
}

/// `attempt` is 1 for the first try of this request; `waited` the time the action has already
/// spent waiting to retry (this request and earlier ones);
/// `jitter` a random extra wait (the caller picks it, so this stays pure).
pub fn decide(
    policy: &Policy,
    idempotent: bool,
    attempt: u32,
    waited: Duration,
    outcome: Attempted,
    jitter: Duration,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let backoff = policy.backoff_after(attempt, jitter);
    let wait = match outcome {
        Attempted::Status(429, rl) if rl.is_concurrency() => backoff,
        // Okta's SDKs wait `reset - Date + 1 s`; the extra second covers the clock's granularity.
        Attempted::Status(429, rl) => match rl.until_reset() {
            Some(d) => d + Duration::from_secs(1) + jitter,
            None => backoff,
        },
        _ if transient(idempotent, outcome) => backoff,
        _ => return Decision::Stop,
    };
    policy.within_budget(waited, wait)
}

/// A failure other than a 429 that is worth another attempt: Okta applied nothing
/// ([`Attempted::Busy`]), or a 5xx or transport error on an idempotent method (a POST may
/// already have taken effect).
fn transient(idempotent: bool, outcome: Attempted) -> bool {
    match outcome {
        Attempted::Busy => true,
        Attempted::Status(500..=599, _) | Attempted::Transport => idempotent,
        Attempted::Status(..) => false,
    }
}

/// A caller's own retry rules (Raw Request's Max Retry Count, Retry Delay, Use Exponential
/// Backoff, Retry On All Errors). A 429 is still waited out as [`decide`] does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Custom {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The wait between attempts, unless `exponential`.
    pub delay: Duration,
    /// The policy's backoff, doubling per attempt, plus jitter.
    pub exponential: bool,
    /// Retry any failed answer (3xx, 4xx, 5xx) and transport errors, whatever the method.
    pub all_errors: bool,
}

/// Like [`decide`], with the caller's rules for everything but a 429.
pub fn decide_custom(
    policy: &Policy,
    custom: &Custom,
    idempotent: bool,
    attempt: u32,
    waited: Duration,
    outcome: Attempted,
    jitter: Duration,
) -> Decision {
    if let Attempted::Status(429, _) = outcome {
        return decide(policy, idempotent, attempt, waited, outcome, jitter);
    }
    if attempt > custom.max_retries {
        return Decision::Stop;
    }
    if !(custom.all_errors || transient(idempotent, outcome)) {
        return Decision::Stop;
    }
    let wait = if custom.exponential { policy.backoff_after(attempt, jitter) } else { custom.delay };
    policy.within_budget(waited, wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn rl(limit: u64, remaining: u64, reset_in: u64) -> RateLimit {
        RateLimit { limit: Some(limit), remaining: Some(remaining), reset: Some(1_000 + reset_in), date: Some(1_000) }
    }

    #[test]
    fn table() {
        let p = Policy::default();
        let none = RateLimit::default();
        let j = MS(100);
        #[rustfmt::skip]
        let cases: &[(&str, bool, u32, Duration, Attempted, Decision)] = &[
            ("429 waits for reset by server clock", false, 1, S(0), Attempted::Status(429, rl(600, 0, 20)), Decision::Retry(S(21) + j)),
            ("429 reset already passed", true, 1, S(0), Attempted::Status(429, rl(600, 0, 0)), Decision::Retry(S(1) + j)),
            ("429 without headers backs off", true, 1, S(0), Attempted::Status(429, none), Decision::Retry(MS(600))),
            ("concurrency 429 backs off", false, 2, S(0), Attempted::Status(429, rl(0, 0, 60)), Decision::Retry(MS(1100))),
            ("429 past the action's budget", true, 1, S(100), Attempted::Status(429, rl(600, 0, 59)), Decision::Stop),
            ("500 on GET retried", true, 1, S(0), Attempted::Status(500, none), Decision::Retry(MS(600))),
            ("503 on GET, third try", true, 3, S(0), Attempted::Status(503, none), Decision::Retry(MS(2100))),
            ("500 on POST not retried", false, 1, S(0), Attempted::Status(500, none), Decision::Stop),
            ("transport on GET retried", true, 1, S(0), Attempted::Transport, Decision::Retry(MS(600))),
            ("transport on POST not retried", false, 1, S(0), Attempted::Transport, Decision::Stop),
            ("attempts exhausted", true, 4, S(0), Attempted::Status(500, none), Decision::Stop),
            ("attempts exhausted on 429", true, 4, S(0), Attempted::Status(429, rl(600, 0, 1)), Decision::Stop),
            ("400 final", true, 1, S(0), Attempted::Status(400, none), Decision::Stop),
            ("401 final", true, 1, S(0), Attempted::Status(401, none), Decision::Stop),
            ("404 final", true, 1, S(0), Attempted::Status(404, none), Decision::Stop),
            ("409 final", true, 1, S(0), Attempted::Status(409, none), Decision::Stop),
            ("still transitioning: POST retried", false, 1, S(0), Attempted::Busy, Decision::Retry(MS(600))),
            ("still transitioning, out of attempts", false, 4, S(0), Attempted::Busy, Decision::Stop),
            ("still transitioning, out of budget", false, 2, S(120), Attempted::Busy, Decision::Stop),
            ("429 with a reset far away is not waited", true, 1, S(0), Attempted::Status(429, rl(600, 0, 3600)), Decision::Stop),
        ];
        for (name, idempotent, attempt, waited, outcome, want) in cases {
            assert_eq!(decide(&p, *idempotent, *attempt, *waited, *outcome, j), *want, "{name}");
        }
    }

    #[test]
    fn custom_table() {
        let p = Policy::default();
        let none = RateLimit::default();
        let j = MS(100);
        let c = |max_retries, all_errors, exponential| Custom { max_retries, delay: MS(250), exponential, all_errors };
        #[rustfmt::skip]
        let cases: &[(&str, Custom, bool, u32, Attempted, Decision)] = &[
            ("no retries by default", c(0, false, false), true, 1, Attempted::Status(500, none), Decision::Stop),
            ("GET 500 retried with the delay", c(2, false, false), true, 1, Attempted::Status(500, none), Decision::Retry(MS(250))),
            ("retries counted", c(2, false, false), true, 3, Attempted::Status(500, none), Decision::Stop),
            ("POST 500 not retried", c(2, false, false), false, 1, Attempted::Status(500, none), Decision::Stop),
            ("POST 500 retried on all errors", c(2, true, false), false, 1, Attempted::Status(500, none), Decision::Retry(MS(250))),
            ("404 only on all errors", c(2, false, false), true, 1, Attempted::Status(404, none), Decision::Stop),
            ("404 on all errors", c(2, true, false), true, 1, Attempted::Status(404, none), Decision::Retry(MS(250))),
            ("301 on all errors", c(2, true, false), true, 1, Attempted::Status(301, none), Decision::Retry(MS(250))),
            ("exponential ignores the delay", c(3, true, true), false, 2, Attempted::Transport, Decision::Retry(MS(1100))),
            ("a 429 waits for the reset even with no retries", c(0, false, false), false, 1, Attempted::Status(429, rl(600, 0, 5)), Decision::Retry(S(6) + j)),
        ];
        for (name, custom, idempotent, attempt, outcome, want) in cases {
            assert_eq!(decide_custom(&p, custom, *idempotent, *attempt, S(0), *outcome, j), *want, "{name}");
        }
    }
}
