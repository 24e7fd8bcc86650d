//! The bounds every action runs within. Defaults suit a real org; a host can change them
//! through the component's environment (`wasi:cli/environment`), e.g. to shorten them in tests.
//! The variables, their defaults and what each bounds are declared once, in the WIT world's
//! docs (`wit/world.wit`): the catalog, the package's manifest and this module all read them
//! from there.

use std::time::Duration;

/// A whole-number variable of the component's environment and its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variable {
    pub name: &'static str,
    pub default: u64,
}

impl Variable {
    /// The host's value, when it set one that is a whole number; else the default.
    pub fn value(self) -> u64 {
        std::env::var(self.name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(self.default)
    }
}

include!(concat!(env!("OUT_DIR"), "/environment.rs"));

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
        Config::with(|v| v.default)
    }
}

impl Config {
    /// The defaults, with any of the variables above that the host set.
    pub fn from_env() -> Config {
        Config::with(Variable::value)
    }

    fn with(value: impl Fn(Variable) -> u64) -> Config {
        let ms = |v: Variable| Duration::from_millis(value(v));
        let bytes = |v: Variable| usize::try_from(value(v)).unwrap_or(usize::MAX);
        Config {
            connect_timeout: ms(OKTA_CONNECT_TIMEOUT_MS),
            first_byte_timeout: ms(OKTA_FIRST_BYTE_TIMEOUT_MS),
            between_bytes_timeout: ms(OKTA_BETWEEN_BYTES_TIMEOUT_MS),
            action_deadline: ms(OKTA_ACTION_DEADLINE_MS),
            retry_budget: ms(OKTA_RETRY_BUDGET_MS),
            retry_backoff: ms(OKTA_RETRY_BACKOFF_MS),
            max_response_bytes: bytes(OKTA_MAX_RESPONSE_BYTES),
            max_total_bytes: bytes(OKTA_MAX_TOTAL_BYTES),
            max_attempts: 4,
            max_pages: 20_000,
            max_url: 16 * 1024,
        }
    }
}
