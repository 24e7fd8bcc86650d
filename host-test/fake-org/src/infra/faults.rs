//! Queued faults: "the next `times` requests matching METHOD + path pattern get this fault".

use std::time::Duration;

/// A fault injected into the next matching request(s).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this status and an Okta error body (500 → E0000009, 503 → E0000010,
    /// 429 → E0000047 with `Remaining: 0`, 404 → E0000008, …).
    Status(u16),
    /// A real-looking 429: `X-Rate-Limit-Limit` = the bucket limit, `Remaining: 0`,
    /// `Reset` = `Date` + `reset_after_secs`.
    RateLimited { reset_after_secs: u64 },
    /// Concurrency-limit 429: `X-Rate-Limit-Limit: 0`, `Remaining: 0`, `Reset` = `Date` + 1 s.
    ConcurrencyLimited,
    /// Wait, then answer normally.
    Delay(Duration),
    /// No response at all (the socket is closed): the request was not applied.
    DropConnection,
    /// The request is applied (a write is made, its events recorded), then the connection is
    /// closed without an answer: a create whose answer was lost.
    DropAfterApply,
    /// Headers and half of the body, then the connection fails.
    TruncateBody,
}

#[derive(Debug)]
struct Rule {
    method: String,
    pattern: Vec<String>,
    fault: Fault,
    /// Matching requests still to let through before the fault starts.
    skip: u32,
    remaining: u32,
}

/// Fault rules in the order they were queued.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
}

/// Path segments after collapsing repeated slashes and dropping a trailing slash.
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn matches(pattern: &[String], path: &[&str]) -> bool {
    // `**` as the last segment matches any remainder (including nothing).
    if pattern.last().map(|s| s == "**").unwrap_or(false) {
        let fixed = &pattern[..pattern.len() - 1];
        return path.len() >= fixed.len() && fixed.iter().zip(path).all(|(p, s)| p == "*" || p == s);
    }
    pattern.len() == path.len() && pattern.iter().zip(path).all(|(p, s)| p == "*" || p == s)
}

impl Faults {
    /// Queues a fault. `method` may be `*` for any method; in the pattern `*` matches exactly one
    /// path segment (and a final `**` any remainder). The query string is never matched.
    pub fn push(&mut self, method: &str, pattern: &str, fault: Fault, times: u32) {
        self.push_after(method, pattern, fault, 0, times);
    }

    /// Like [`Faults::push`], but the first `skip` matching requests are answered normally
    /// (e.g. a 429 on the third page of a listing).
    pub fn push_after(&mut self, method: &str, pattern: &str, fault: Fault, skip: u32, times: u32) {
        if times == 0 {
            return;
        }
        let pattern = pattern.split('?').next().unwrap_or("");
        self.rules.push(Rule {
            method: method.to_ascii_uppercase(),
            pattern: segments(pattern).into_iter().map(str::to_string).collect(),
            fault,
            skip,
            remaining: times,
        });
    }

    /// Takes the fault for this request, if a rule matches (the oldest matching rule wins).
    pub fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let segs = segments(path);
        let idx = self
            .rules
            .iter()
            .position(|r| (r.method == "*" || r.method.eq_ignore_ascii_case(method)) && matches(&r.pattern, &segs))?;
        let rule = &mut self.rules[idx];
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            self.rules.remove(idx);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_matching_and_counts() {
        let mut f = Faults::default();
        f.push("POST", "/api/v1/users/*/lifecycle/suspend", Fault::Status(500), 2);
        f.push("GET", "/api/v1/users", Fault::DropConnection, 1);
        assert!(f.take("GET", "/api/v1/users/00u1/lifecycle/suspend").is_none());
        assert!(f.take("POST", "/api/v1/users/00u1/lifecycle/unsuspend").is_none());
        assert!(matches!(f.take("POST", "/api/v1/users/00u1/lifecycle/suspend"), Some(Fault::Status(500))));
        assert!(matches!(f.take("post", "//api/v1/users/x/lifecycle/suspend/"), Some(Fault::Status(500))));
        assert!(f.take("POST", "/api/v1/users/00u1/lifecycle/suspend").is_none());
        assert!(f.take("GET", "/api/v1/users/00u1").is_none());
        assert!(matches!(f.take("GET", "/api/v1/users"), Some(Fault::DropConnection)));
        assert!(f.take("GET", "/api/v1/users").is_none());
        f.push_after("GET", "/api/v1/users", Fault::Status(503), 2, 1);
        assert!(f.take("GET", "/api/v1/users").is_none());
        assert!(f.take("GET", "/api/v1/users").is_none());
        assert!(matches!(f.take("GET", "/api/v1/users"), Some(Fault::Status(503))));
        assert!(f.take("GET", "/api/v1/users").is_none());
        f.push("*", "/api/v1/**", Fault::TruncateBody, 1);
        assert!(matches!(f.take("DELETE", "/api/v1/users/x"), Some(Fault::TruncateBody)));
    }
}
