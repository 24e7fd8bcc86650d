//! Okta's rate-limit headers, read defensively, and the memory of buckets known to be spent.
//!
//! A 2xx with `X-Rate-Limit-Remaining: 0` means the next call in that bucket would get a 429,
//! so the core waits for the reset before sending it. Buckets are remembered per org (origin)
//! and endpoint family for the life of the instance.

use super::retry::RateLimit;
use super::transport::HttpResponse;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// The furthest reset accepted: Okta's windows are one minute; anything beyond a day is noise.
const MAX_RESET_AHEAD: u64 = 24 * 3600;

/// Reads `X-Rate-Limit-Limit/-Remaining/-Reset` and `Date`. Values that are not plain
/// non-negative integers are ignored; arithmetic on them saturates.
pub fn read(response: &HttpResponse) -> RateLimit {
    let num = |name| response.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let date = response
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let reset = num("x-rate-limit-reset").filter(|r| match date {
        Some(d) => *r <= d.saturating_add(MAX_RESET_AHEAD),
        None => true,
    });
    RateLimit { limit: num("x-rate-limit-limit"), remaining: num("x-rate-limit-remaining"), reset, date }
}

/// Okta's rate-limit buckets follow endpoint families (`/api/v1/users…`, `/api/v1/apps…`).
pub fn bucket_of(path: &str) -> &str {
    let rest = path.strip_prefix("/api/v1/").or_else(|| path.strip_prefix("/oauth2/v1/")).unwrap_or("");
    rest.split(['/', '?']).next().unwrap_or("")
}

/// Until when each (origin, bucket) is known to be spent, by the local monotonic clock.
static SPENT_UNTIL: Mutex<Option<HashMap<(String, String), Instant>>> = Mutex::new(None);

fn with_spent<R>(f: impl FnOnce(&mut HashMap<(String, String), Instant>) -> R) -> R {
    let mut guard = SPENT_UNTIL.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// Remembers a bucket reported spent by a successful answer received at `now`.
pub fn note(origin: &str, bucket: &str, rl: &RateLimit, now: Instant) {
    if rl.remaining != Some(0) || rl.is_concurrency() {
        return;
    }
    if let Some(wait) = rl.until_reset() {
        let until = now + wait + Duration::from_secs(1);
        with_spent(|m| m.insert((origin.to_string(), bucket.to_string()), until));
    }
}

/// How long, from `now`, to wait before the next request in this bucket (zero when it is not
/// spent).
pub fn wait_before(origin: &str, bucket: &str, now: Instant) -> Duration {
    let key = (origin.to_string(), bucket.to_string());
    with_spent(|m| match m.get(&key) {
        Some(until) => {
            let left = until.saturating_duration_since(now);
            if left.is_zero() {
                m.remove(&key);
            }
            left
        }
        None => Duration::ZERO,
    })
}

/// Forgets a bucket once its wait was served.
pub fn served(origin: &str, bucket: &str) {
    with_spent(|m| m.remove(&(origin.to_string(), bucket.to_string())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: vec![],
        }
    }

    #[test]
    fn headers_by_server_clock() {
        let rl = read(&response(&[
            ("date", "Mon, 29 Sep 2025 03:49:50 GMT"),
            ("x-rate-limit-limit", "50"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "1759117805"),
        ]));
        assert_eq!(rl.until_reset(), Some(Duration::from_secs(15)));
        assert!(!rl.is_concurrency());
    }

    #[test]
    fn hostile_values_are_ignored() {
        for reset in ["18446744073709551615", "-5", "1e9", "", "99999999999999999999999"] {
            let rl = read(&response(&[
                ("date", "Mon, 29 Sep 2025 03:49:50 GMT"),
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", reset),
            ]));
            assert_eq!(rl.reset, None, "{reset}");
            assert_eq!(rl.until_reset(), None);
        }
        let rl = read(&response(&[("x-rate-limit-reset", "18446744073709551615"), ("date", "garbage")]));
        assert_eq!(rl.until_reset(), None, "no Date: no wait can be computed");
    }

    #[test]
    fn buckets_are_per_org() {
        let rl = RateLimit { limit: Some(10), remaining: Some(0), reset: Some(1_030), date: Some(1_000) };
        let now = Instant::now();
        note("https://a.okta.com", "users", &rl, now);
        assert_eq!(wait_before("https://a.okta.com", "users", now), Duration::from_secs(31));
        assert_eq!(wait_before("https://a.okta.com", "users", now + Duration::from_secs(30)), Duration::from_secs(1));
        assert_eq!(wait_before("https://b.okta.com", "users", now), Duration::ZERO);
        assert_eq!(wait_before("https://a.okta.com", "groups", now), Duration::ZERO);
        served("https://a.okta.com", "users");
        assert_eq!(wait_before("https://a.okta.com", "users", now), Duration::ZERO);
    }

    #[test]
    fn bucket_families() {
        assert_eq!(bucket_of("/api/v1/users/00u1/lifecycle/activate"), "users");
        assert_eq!(bucket_of("/api/v1/users"), "users");
        assert_eq!(bucket_of("/api/v1/apps"), "apps");
        assert_eq!(bucket_of("/oauth2/v1/token"), "token");
    }
}
