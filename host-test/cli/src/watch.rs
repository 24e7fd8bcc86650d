//! What `run` shows on stderr while the action runs, from each exchange as the host's
//! `send_request` hook completes it: `--trace` prints the exchange (redacted); progress, when
//! stderr is a terminal, keeps one line up to date with the pages and items received and any
//! rate-limit wait, and clears it at the end.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use okta_harness::{scrub, Exchange, ExchangeObserver};

use super::output::err;

/// Erase the terminal's current line and return to its start.
const CLEAR_LINE: &str = "\r\x1b[2K";

pub struct Watch {
    state: Arc<Mutex<State>>,
}

struct State {
    action: String,
    trace: bool,
    progress: bool,
    started: Instant,
    requests: usize,
    pages: usize,
    items: usize,
    /// A line is on the terminal that `finish` must clear.
    shown: bool,
    /// Values never printed, whatever the server echoes (the connection's, the input's).
    secrets: Vec<String>,
}

impl Watch {
    /// `progress`: keep a progress line on stderr (the caller checks that it is a terminal).
    pub fn new(action: &str, trace: bool, progress: bool, secrets: Vec<String>) -> Watch {
        Watch {
            state: Arc::new(Mutex::new(State {
                action: action.to_string(),
                trace,
                progress,
                started: Instant::now(),
                requests: 0,
                pages: 0,
                items: 0,
                shown: false,
                secrets,
            })),
        }
    }

    /// The observer to give the instance, when there is anything to show.
    pub fn observer(&self) -> Option<ExchangeObserver> {
        let state = self.state.clone();
        let active = {
            let s = state.lock().unwrap();
            s.trace || s.progress
        };
        active.then(|| ExchangeObserver::new(move |exchange| state.lock().unwrap().saw(exchange)))
    }

    /// Clears the progress line.
    pub fn finish(&self) {
        let mut s = self.state.lock().unwrap();
        if s.shown {
            err(CLEAR_LINE);
            s.shown = false;
        }
    }
}

impl State {
    fn saw(&mut self, exchange: &Exchange) {
        self.requests += 1;
        if self.trace {
            err(&scrub(&format!("#{} {exchange}", self.requests), &self.secrets));
        }
        if !self.progress {
            return;
        }
        if let Some(items) = list_length(exchange) {
            self.pages += 1;
            self.items += items;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let mut line = match self.pages {
            0 => format!("{}: {} ({elapsed:.1} s)", self.action, plural(self.requests, "request")),
            _ => format!(
                "{}: {}, {} ({}, {elapsed:.1} s)",
                self.action,
                plural(self.pages, "page"),
                plural(self.items, "item"),
                plural(self.requests, "request")
            ),
        };
        if let Some(wait) = rate_limit_wait(exchange) {
            line.push_str(&format!("; rate limit reached, waiting about {wait} s for the reset"));
        }
        err(&format!("{CLEAR_LINE}{line}"));
        self.shown = true;
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The number of elements of a successful response whose body is a JSON array (a list page).
pub(crate) fn list_length(exchange: &Exchange) -> Option<usize> {
    if !exchange.status.is_some_and(|s| (200..300).contains(&s)) || !exchange.response_body.starts_with(b"[") {
        return None;
    }
    serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(&exchange.response_body).ok().map(|v| v.len())
}

/// Seconds until the bucket resets when this answer spent it (a 429, or `Remaining: 0`):
/// `X-Rate-Limit-Reset` against the response's own `Date`, as the connector measures it.
pub(crate) fn rate_limit_wait(exchange: &Exchange) -> Option<u64> {
    let remaining = exchange.response_header("x-rate-limit-remaining");
    if exchange.status != Some(429) && remaining != Some("0") {
        return None;
    }
    let reset: u64 = exchange.response_header("x-rate-limit-reset")?.trim().parse().ok()?;
    let date = httpdate::parse_http_date(exchange.response_header("date")?).ok()?;
    let now = date.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(reset.saturating_sub(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            method: "GET".into(),
            url: "https://acme.okta.com/api/v1/users".into(),
            path: "/api/v1/users".into(),
            query: None,
            request_headers: Vec::new(),
            request_body: Vec::new(),
            status: Some(status),
            response_headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            response_body: body.as_bytes().to_vec(),
            error: None,
        }
    }

    #[test]
    fn pages_are_successful_json_arrays() {
        assert_eq!(list_length(&exchange(200, &[], r#"[{"id":"a"},{"id":"b"}]"#)), Some(2));
        assert_eq!(list_length(&exchange(200, &[], "[]")), Some(0));
        assert_eq!(list_length(&exchange(200, &[], r#"{"id":"a"}"#)), None);
        assert_eq!(list_length(&exchange(404, &[], "[1]")), None);
    }

    #[test]
    fn a_spent_bucket_waits_until_its_reset_by_the_servers_clock() {
        let date = "Sun, 29 Nov 2026 00:00:00 GMT";
        let reset = (httpdate::parse_http_date(date).unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
            + 23)
            .to_string();
        let spent = [("date", date), ("x-rate-limit-remaining", "0"), ("x-rate-limit-reset", reset.as_str())];
        assert_eq!(rate_limit_wait(&exchange(200, &spent, "[]")), Some(23));
        assert_eq!(rate_limit_wait(&exchange(429, &spent, "{}")), Some(23));
        let left = [("date", date), ("x-rate-limit-remaining", "5"), ("x-rate-limit-reset", reset.as_str())];
        assert_eq!(rate_limit_wait(&exchange(200, &left, "[]")), None);
    }
}
