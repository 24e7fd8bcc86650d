//! The rate-limit budget of Okta orgs: when the next request in a bucket may go, learned from
//! what the answers said (`X-Rate-Limit-Limit`, `-Remaining`, `-Reset` and `Date`). One
//! [`Budget`] serves every instance that shares it, which is the point: instances of one host
//! then spend each bucket together instead of each learning it from its own answers.
//!
//! The connector asks [`Budget::reserve`] before each request and tells [`Budget::report`]
//! what the answer said (or that none came). It is kept by whoever provides the component's
//! `rate-limits` import: the wasmtime harness (one per host, shared), the per-instance default
//! composed into `okta_connector.local.wasm`, or the guest's own native tests.
//!
//! - A bucket is `(org, family)`: `https://acme.okta.com` and `users`, `apps`, `logs`...
//! - A granted request is counted against the bucket's remaining and as in flight until its
//!   report; the first answer of a window sets remaining (less the requests in flight), later
//!   ones lower it when the server counts less (others spend the bucket too). A spent bucket
//!   waits until its reset, measured on the server's clock: the `Date`
//!   headers bound the offset between the server's clock and ours, so a whole-second `Reset`
//!   costs at most the second it was rounded up by, not a fixed margin.
//! - While nothing is known of a bucket's window (the first request, or the first after a
//!   reset) one request goes and the others wait for its answer: it tells them the window.
//! - Okta's per-org concurrency limit: a 429 whose `Limit` and `Remaining` are both 0 lowers the
//!   org's allowed requests in flight below what was in flight; the limit learned is forgotten
//!   after [`CONCURRENCY_MEMORY_MS`] without another such answer.
//!
//! Time is milliseconds on a monotonic clock the caller reads; nothing here sleeps. Memory is
//! bounded: at most [`MAX_BUCKETS`] buckets and [`MAX_ORGS`] orgs are kept, the ones idle longest
//! dropped first.

use std::collections::HashMap;

#[cfg(target_arch = "wasm32")]
mod component;

/// Buckets kept at most (a Raw Request can name any path family).
pub const MAX_BUCKETS: usize = 512;
/// Orgs kept at most.
pub const MAX_ORGS: usize = 64;
/// How long to wait, in milliseconds, for the answer that tells a new window's remaining.
pub const PROBE_WAIT_MS: u64 = 20;
/// How long to wait before asking again while the org has as many requests in flight as it
/// allows.
pub const CONCURRENCY_WAIT_MS: u64 = 20;
/// How long a learned concurrency limit lasts without another concurrency 429.
pub const CONCURRENCY_MEMORY_MS: u64 = 60_000;
/// Waited past the reset the server announced, for the request's own trip to the server.
pub const RESET_MARGIN_MS: u64 = 25;
/// When a spent bucket's reset is unknown (no `Reset` or `Date`), how long to wait.
pub const UNKNOWN_RESET_WAIT_MS: u64 = 1_000;
/// The furthest reset accepted: Okta's windows last a minute; a day is surely noise.
const MAX_RESET_AHEAD_S: u64 = 24 * 3600;

/// What one answer said about its bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// The answer's status; 0 when no answer came (a transport error).
    pub status: u16,
    /// `X-Rate-Limit-Limit`.
    pub limit: Option<u64>,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: Option<u64>,
    /// `X-Rate-Limit-Reset`: the window's end, epoch seconds on the server's clock.
    pub reset: Option<u64>,
    /// `Date`: the server's clock when it answered, epoch seconds.
    pub date: Option<u64>,
}

impl Observation {
    /// A 429 for the org's concurrent-request limit rather than a spent bucket.
    pub fn is_concurrency(&self) -> bool {
        self.status == 429 && self.limit == Some(0) && self.remaining == Some(0)
    }
}

#[derive(Debug, Default)]
struct Bucket {
    /// Requests this window still allows, less the ones granted and not yet answered; `None`
    /// while no answer of the current window has been seen.
    remaining: Option<u64>,
    /// The current window's `Reset`, server epoch seconds.
    reset: Option<u64>,
    /// When, on our clock, the current window surely ended.
    ends_at: Option<u64>,
    in_flight: u64,
    last_used: u64,
}

#[derive(Debug, Default)]
struct Org {
    in_flight: u64,
    /// Requests in flight the org allows, as learned from concurrency 429s.
    concurrency: Option<u64>,
    concurrency_learned_at: u64,
    /// The least (our clock − server clock) seen, in ms: an upper bound of the true offset,
    /// since a `Date` of `d` was stamped at or after `d`.
    offset_hi: Option<i128>,
    last_used: u64,
}

/// The rate-limit budget of every org a host's instances talk to.
#[derive(Debug, Default)]
pub struct Budget {
    buckets: HashMap<(String, String), Bucket>,
    orgs: HashMap<String, Org>,
}

impl Budget {
    pub fn new() -> Budget {
        Budget::default()
    }

    /// Asks to send one request in `bucket` of `org` at `now` (ms): 0 when it may go now (it
    /// is then counted until its [`Budget::report`]), else how many milliseconds to wait
    /// before asking again.
    pub fn reserve(&mut self, org: &str, bucket: &str, now: u64) -> u64 {
        self.make_room(org, bucket);
        let o = self.orgs.entry(org.to_string()).or_default();
        o.last_used = now;
        if o.concurrency.is_some() && now.saturating_sub(o.concurrency_learned_at) > CONCURRENCY_MEMORY_MS {
            o.concurrency = None;
        }
        if o.concurrency.is_some_and(|allowed| o.in_flight >= allowed) {
            return CONCURRENCY_WAIT_MS;
        }
        let b = self.buckets.entry((org.to_string(), bucket.to_string())).or_default();
        b.last_used = now;
        if b.ends_at.is_some_and(|end| now >= end) {
            // The window is over: the next answer tells the new one.
            b.remaining = None;
            b.ends_at = None;
        }
        match b.remaining {
            Some(0) => match b.ends_at {
                Some(end) => end - now,
                None => UNKNOWN_RESET_WAIT_MS,
            },
            None if b.in_flight > 0 => PROBE_WAIT_MS,
            remaining => {
                b.remaining = remaining.map(|n| n - 1);
                b.in_flight += 1;
                o.in_flight += 1;
                0
            }
        }
    }

    /// What the answer to a granted request said (`status` 0: none came), at `now` (ms).
    pub fn report(&mut self, org: &str, bucket: &str, seen: &Observation, now: u64) {
        let o = self.orgs.entry(org.to_string()).or_default();
        let in_flight_org = o.in_flight;
        o.in_flight = o.in_flight.saturating_sub(1);
        if let Some(date) = seen.date.filter(|d| *d < u64::MAX / 1000) {
            let offset = i128::from(now) - i128::from(date) * 1000;
            o.offset_hi = Some(o.offset_hi.map_or(offset, |hi| hi.min(offset)));
        }
        if seen.is_concurrency() {
            let allowed = in_flight_org.saturating_sub(1).max(1);
            o.concurrency = Some(o.concurrency.map_or(allowed, |a| a.min(allowed)));
            o.concurrency_learned_at = now;
        }
        let offset_hi = o.offset_hi;
        let b = self.buckets.entry((org.to_string(), bucket.to_string())).or_default();
        b.in_flight = b.in_flight.saturating_sub(1);
        if seen.status == 0 || seen.is_concurrency() {
            return;
        }
        // A window is known only with the server's clock to measure its reset against.
        let (Some(remaining), Some(reset), Some(date)) = (seen.remaining, seen.reset, seen.date) else { return };
        if date >= u64::MAX / 1000 || reset > date + MAX_RESET_AHEAD_S {
            return;
        }
        let remaining = if seen.status == 429 { 0 } else { remaining };
        match b.reset {
            // An answer of a window already over tells nothing of the current one.
            Some(current) if reset < current => return,
            // The count kept since the window's first answer is exact for this budget's own
            // requests; the server's lower figure means others spend the bucket too. (Less the
            // requests in flight would count twice those the server already counted.)
            Some(current) if reset == current && b.remaining.is_some() => {
                b.remaining = b.remaining.map(|r| r.min(remaining));
            }
            // A new window: the requests in flight (none after a probe) will spend it too.
            _ => b.remaining = Some(remaining.saturating_sub(b.in_flight)),
        }
        b.reset = Some(reset);
        // The window surely ended once the server's clock reads `reset`: on ours, at most
        // `offset_hi` later.
        b.ends_at = match offset_hi {
            Some(offset) => u64::try_from(i128::from(reset) * 1000 + offset).ok(),
            None => None,
        }
        .map(|end| end.saturating_add(RESET_MARGIN_MS).max(now));
    }

    /// Requests of `org` granted and not yet reported.
    pub fn in_flight(&self, org: &str) -> u64 {
        self.orgs.get(org).map_or(0, |o| o.in_flight)
    }

    /// The concurrency limit learned for `org`, if any.
    pub fn concurrency(&self, org: &str) -> Option<u64> {
        self.orgs.get(org).and_then(|o| o.concurrency)
    }

    /// Keeps the maps within their bounds, dropping what was idle longest (never a bucket
    /// with requests in flight).
    fn make_room(&mut self, org: &str, bucket: &str) {
        let key = (org.to_string(), bucket.to_string());
        if !self.buckets.contains_key(&key) && self.buckets.len() >= MAX_BUCKETS {
            let idle = self.buckets.iter().filter(|(_, b)| b.in_flight == 0).min_by_key(|(_, b)| b.last_used);
            if let Some(k) = idle.map(|(k, _)| k.clone()) {
                self.buckets.remove(&k);
            }
        }
        if !self.orgs.contains_key(org) && self.orgs.len() >= MAX_ORGS {
            let idle = self.orgs.iter().filter(|(_, o)| o.in_flight == 0).min_by_key(|(_, o)| o.last_used);
            if let Some(k) = idle.map(|(k, _)| k.clone()) {
                self.orgs.remove(&k);
                self.buckets.retain(|(o, _), _| *o != k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "https://acme.okta.com";

    fn ok(remaining: u64, reset: u64, date: u64) -> Observation {
        Observation { status: 200, limit: Some(10), remaining: Some(remaining), reset: Some(reset), date: Some(date) }
    }

    #[test]
    fn one_request_learns_the_window_then_the_rest_go_until_it_is_spent() {
        let mut b = Budget::new();
        assert_eq!(b.reserve(ORG, "users", 0), 0);
        assert_eq!(b.reserve(ORG, "users", 0), PROBE_WAIT_MS, "the first answer tells the window");
        // Server clock 1000 s at our 0 ms; window ends at 1003 s; 9 left.
        b.report(ORG, "users", &ok(9, 1_003, 1_000), 5);
        for _ in 0..9 {
            assert_eq!(b.reserve(ORG, "users", 10), 0);
        }
        assert!(b.reserve(ORG, "users", 10) > 0, "spent while nine are in flight");
        for left in (0..9).rev() {
            b.report(ORG, "users", &ok(left, 1_003, 1_000), 10);
        }
        let wait = b.reserve(ORG, "users", 10);
        // Ends at 1003 s server = 3000 ms + offset 5 ms on ours, plus the margin.
        assert_eq!(wait, 3_000 + 5 + RESET_MARGIN_MS - 10);
        assert_eq!(b.reserve(ORG, "groups", 10), 0, "another bucket is not spent");
        assert_eq!(b.reserve("https://other.okta.com", "users", 10), 0, "another org neither");
        // After the reset: one request learns the new window.
        let later = 10 + wait;
        assert_eq!(b.reserve(ORG, "users", later), 0);
        assert_eq!(b.reserve(ORG, "users", later), PROBE_WAIT_MS);
    }

    #[test]
    fn the_window_is_counted_once_and_others_spending_it_lower_the_count() {
        let mut b = Budget::new();
        assert_eq!(b.reserve(ORG, "users", 0), 0);
        b.report(ORG, "users", &ok(5, 1_060, 1_000), 0);
        for _ in 0..3 {
            assert_eq!(b.reserve(ORG, "users", 0), 0);
        }
        // The first of the three answers 4: the server counted it, and the two others are
        // counted here already: 2 left, not 4 - 2.
        b.report(ORG, "users", &ok(4, 1_060, 1_000), 1);
        for _ in 0..2 {
            assert_eq!(b.reserve(ORG, "users", 1), 0);
        }
        assert!(b.reserve(ORG, "users", 1) > 0, "5 spent");
        assert_eq!(b.in_flight(ORG), 4);
        // Someone else spends the bucket too: the server's lower count wins.
        let mut c = Budget::new();
        c.reserve(ORG, "users", 0);
        c.report(ORG, "users", &ok(9, 1_060, 1_000), 0);
        c.reserve(ORG, "users", 0);
        c.report(ORG, "users", &ok(1, 1_060, 1_000), 0);
        assert_eq!(c.reserve(ORG, "users", 0), 0);
        assert!(c.reserve(ORG, "users", 0) > 0, "one left by the server's count");
    }

    #[test]
    fn the_server_clock_offset_tightens_with_every_date() {
        let mut b = Budget::new();
        b.reserve(ORG, "users", 0);
        // Answered at our 900 ms with Date 1000 s: offset at most 900 - 1_000_000.
        b.report(ORG, "users", &ok(1, 1_002, 1_000), 900);
        b.reserve(ORG, "users", 900);
        // A later answer right after the server's second ticked: offset at most 1_050 - 1_001_000.
        b.report(ORG, "users", &ok(0, 1_002, 1_001), 1_050);
        let wait = b.reserve(ORG, "users", 1_050);
        assert_eq!(1_050 + wait, 1_002_000 + 1_050 - 1_001_000 + RESET_MARGIN_MS);
    }

    #[test]
    fn a_rate_429_spends_the_bucket_and_old_windows_are_ignored() {
        let mut b = Budget::new();
        b.reserve(ORG, "users", 0);
        b.report(ORG, "users", &Observation { status: 429, ..ok(3, 1_010, 1_000) }, 0);
        let wait = b.reserve(ORG, "users", 0);
        assert_eq!(wait, 10_000 + RESET_MARGIN_MS);
        // Past the reset, a late answer of the old window changes nothing.
        let now = wait;
        assert_eq!(b.reserve(ORG, "users", now), 0);
        b.report(ORG, "users", &ok(7, 1_020, 1_010), now);
        assert_eq!(b.reserve(ORG, "users", now), 0);
        b.report(ORG, "users", &ok(0, 1_010, 1_009), now);
        assert_eq!(b.reserve(ORG, "users", now), 0, "the old window's 0 is not the new one's");
    }

    #[test]
    fn a_concurrency_429_caps_the_org_below_what_was_in_flight() {
        let mut b = Budget::new();
        let busy =
            Observation { status: 429, limit: Some(0), remaining: Some(0), reset: Some(1_001), date: Some(1_000) };
        for _ in 0..5 {
            assert_eq!(b.reserve(ORG, "users", 0), 0);
            b.report(ORG, "users", &ok(100, 1_060, 1_000), 0);
        }
        // Five in flight at once; the org allows three.
        for _ in 0..5 {
            assert_eq!(b.reserve(ORG, "users", 0), 0);
        }
        b.report(ORG, "users", &busy, 1);
        b.report(ORG, "users", &busy, 1);
        assert_eq!(b.concurrency(ORG), Some(3));
        assert_eq!(b.reserve(ORG, "groups", 1), CONCURRENCY_WAIT_MS, "three still in flight");
        b.report(ORG, "users", &ok(99, 1_060, 1_000), 2);
        assert_eq!(b.reserve(ORG, "groups", 2), 0);
        // Forgotten after a quiet minute.
        for bucket in ["users", "users", "groups"] {
            b.report(ORG, bucket, &ok(98, 1_060, 1_000), 3);
        }
        assert_eq!(b.in_flight(ORG), 0);
        assert_eq!(b.reserve(ORG, "users", 2 + CONCURRENCY_MEMORY_MS + 1), 0);
        assert_eq!(b.concurrency(ORG), None);
    }

    #[test]
    fn no_answer_frees_the_slot_and_hostile_headers_are_ignored() {
        let mut b = Budget::new();
        b.reserve(ORG, "users", 0);
        b.report(ORG, "users", &Observation::default(), 0);
        assert_eq!(b.in_flight(ORG), 0);
        assert_eq!(b.reserve(ORG, "users", 0), 0, "still unknown: one request may go");
        let far = Observation { reset: Some(u64::MAX), date: Some(u64::MAX), ..ok(0, 0, 0) };
        b.report(ORG, "users", &far, 0);
        assert_eq!(b.reserve(ORG, "users", 0), 0, "a reset a lifetime away is noise");
    }

    #[test]
    fn memory_stays_bounded() {
        let mut b = Budget::new();
        for i in 0..(MAX_BUCKETS * 3) {
            assert_eq!(b.reserve(ORG, &format!("b{i}"), i as u64), 0);
            b.report(ORG, &format!("b{i}"), &ok(5, 1_060, 1_000), i as u64);
        }
        for i in 0..(MAX_ORGS * 3) {
            b.reserve(&format!("https://o{i}.okta.com"), "users", 0);
            b.report(&format!("https://o{i}.okta.com"), "users", &ok(5, 1_060, 1_000), 0);
        }
        assert!(b.buckets.len() <= MAX_BUCKETS && b.orgs.len() <= MAX_ORGS);
    }
}
