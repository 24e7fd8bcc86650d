//! Okta's rate-limit headers, read defensively, and the bucket (endpoint family) a request
//! spends. What they say goes to the host's rate-limit budget (`wit/rate-limits.wit`), which
//! decides when the next request in a bucket may go.

use super::retry::RateLimit;
use super::transport::HttpResponse;
use std::time::UNIX_EPOCH;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
    fn bucket_families() {
        assert_eq!(bucket_of("/api/v1/users/00u1/lifecycle/activate"), "users");
        assert_eq!(bucket_of("/api/v1/users"), "users");
        assert_eq!(bucket_of("/api/v1/apps"), "apps");
        assert_eq!(bucket_of("/oauth2/v1/token"), "token");
    }
}
