//! The bounds every action runs within. Defaults suit a real org; a host can change them
//! through the component's environment (`wasi:cli/environment`), e.g. to shorten them in tests.
//!
//! | variable | default | what |
//! |---|---|---|
//! | `OKTA_CONNECT_TIMEOUT_MS` | 10 000 | TCP + TLS connect, per attempt |
//! | `OKTA_FIRST_BYTE_TIMEOUT_MS` | 30 000 | from sending to the response head, per attempt |
//! | `OKTA_BETWEEN_BYTES_TIMEOUT_MS` | 30 000 | between body chunks, per attempt |
//! | `OKTA_ACTION_DEADLINE_MS` | 300 000 | everything one action does, waits included |
//! | `OKTA_RETRY_BUDGET_MS` | 120 000 | time one action may spend waiting to retry or for a rate-limit reset |
//! | `OKTA_RETRY_BACKOFF_MS` | 500 | first wait before retrying a 5xx, a transport error or a concurrency 429 (doubles each time) |
//! | `OKTA_MAX_RESPONSE_BYTES` | 16 MiB | one response body |
//! | `OKTA_MAX_TOTAL_BYTES` | 96 MiB | all pages of one Fetch All |
//!
//! Beside them, `OKTA_ALLOW_LOCAL_ORGS` sets the egress policy ([`super::domain::Egress`]).

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub between_bytes_timeout: Duration,
    pub action_deadline: Duration,
    pub retry_budget: Duration,
    pub retry_backoff: Duration,
    pub max_response_bytes: usize,
    pub max_total_bytes: usize,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Pages one listing may follow.
    pub max_pages: usize,
    /// The longest request URL sent.
    pub max_url: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(30),
            between_bytes_timeout: Duration::from_secs(30),
            action_deadline: Duration::from_secs(300),
            retry_budget: Duration::from_secs(120),
            retry_backoff: Duration::from_millis(500),
            max_response_bytes: 16 << 20,
            max_total_bytes: 96 << 20,
            max_attempts: 4,
            max_pages: 20_000,
            max_url: 16 * 1024,
        }
    }
}

impl Config {
    /// The defaults, with any of the variables above that the host set.
    pub fn from_env() -> Config {
        let mut c = Config::default();
        let ms =
            |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_millis);
        let bytes = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<usize>().ok());
        if let Some(d) = ms("OKTA_CONNECT_TIMEOUT_MS") {
            c.connect_timeout = d;
        }
        if let Some(d) = ms("OKTA_FIRST_BYTE_TIMEOUT_MS") {
            c.first_byte_timeout = d;
        }
        if let Some(d) = ms("OKTA_BETWEEN_BYTES_TIMEOUT_MS") {
            c.between_bytes_timeout = d;
        }
        if let Some(d) = ms("OKTA_ACTION_DEADLINE_MS") {
            c.action_deadline = d;
        }
        if let Some(d) = ms("OKTA_RETRY_BUDGET_MS") {
            c.retry_budget = d;
        }
        if let Some(d) = ms("OKTA_RETRY_BACKOFF_MS") {
            c.retry_backoff = d;
        }
        if let Some(n) = bytes("OKTA_MAX_RESPONSE_BYTES") {
            c.max_response_bytes = n;
        }
        if let Some(n) = bytes("OKTA_MAX_TOTAL_BYTES") {
            c.max_total_bytes = n;
        }
        c
    }
}
