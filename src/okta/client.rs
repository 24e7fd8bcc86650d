//! [`Okta`]: one org with one set of credentials, for one action. It drives an action's
//! [`Flow`] to the end, performing each request with the org's auth headers, retries
//! ([`retry::decide`]), rate-limit waits, pagination and caps, and reads each answer the way
//! the request asked.

use super::auth::Auth;
use super::config::Config;
use super::domain::Origin;
use super::request::{Answer, Expect, Flow, Request, Shape};
use super::retry::{self, Attempted, Decision, Policy};
use super::transport::{self, HttpRequest, HttpResponse, Limits, Transport, TransportError, WasiHttp};
use super::{errors, ratelimit};
use crate::error::{Error, OktaError};
use serde_json::value::RawValue;
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant, UNIX_EPOCH};

pub const USER_AGENT: &str = concat!("okta-connector/", env!("CARGO_PKG_VERSION"), " (wasm32-wasip2)");

/// A client for one org with one credential, made for one action.
#[derive(Debug)]
pub struct Okta {
    origin: Origin,
    auth: Auth,
    pub(crate) config: Config,
    /// The wire and the clock ([`WasiHttp`] in the component).
    transport: Rc<dyn Transport>,
    started: Instant,
    /// Time this action has spent waiting (retries and rate-limit resets), against the budget.
    waited: Cell<Duration>,
}

impl Okta {
    pub fn new(origin: Origin, auth: Auth) -> Okta {
        Okta::with_config(origin, auth, Config::from_env())
    }

    pub fn with_config(origin: Origin, auth: Auth, config: Config) -> Okta {
        Okta::with_transport(origin, auth, config, Rc::new(WasiHttp))
    }

    /// A client on another wire and clock than `wasi:http` (native tests script one).
    pub fn with_transport(origin: Origin, auth: Auth, config: Config, transport: Rc<dyn Transport>) -> Okta {
        Okta { origin, auth, config, started: transport.now(), transport, waited: Cell::new(Duration::ZERO) }
    }

    /// The wire and clock every request of this client goes through.
    pub fn transport(&self) -> &dyn Transport {
        &*self.transport
    }

    /// The org every request goes to.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// A request to `path` on this org (segments encoded with [`super::segment`]).
    pub fn get(&self, path: impl Into<String>) -> Request {
        Request::get(path)
    }
    pub fn post(&self, path: impl Into<String>) -> Request {
        Request::post(path)
    }
    pub fn put(&self, path: impl Into<String>) -> Request {
        Request::put(path)
    }
    pub fn delete(&self, path: impl Into<String>) -> Request {
        Request::delete(path)
    }

    /// A client for native tests of what actions send (it never sends anything itself).
    #[cfg(test)]
    pub fn for_tests() -> Okta {
        let origin = super::domain::parse("acme.okta.com").expect("a valid domain");
        Okta::with_config(origin, Auth::ApiToken(super::Secret::new("test-token")), Config::default())
    }

    /// Secrets to scrub from anything this action prints.
    pub fn secrets(&self) -> Vec<String> {
        self.auth.secrets()
    }

    /// Performs the flow's requests until it is done. An error is scrubbed of every secret
    /// the credentials hold by then (a token fetched during the flow included).
    pub fn run<T: 'static>(&self, mut flow: Flow<T>) -> Result<T, Error> {
        let result = loop {
            match flow.step() {
                Ok(result) => break result,
                Err((request, expect, next)) => flow = next(self.perform(&request, &expect)),
            }
        };
        result.map_err(|e| e.scrub(&self.auth.secrets()))
    }

    fn perform(&self, request: &Request, expect: &Expect) -> Result<Answer, Error> {
        match expect {
            Expect::Pages(paging) => self.paginate(request, *paging).map(Answer::Page),
            Expect::Raw => self.exchange(request, self.url(request)?, true).map(Answer::Raw),
            Expect::Empty => self.exchange(request, self.url(request)?, false).map(|_| Answer::Empty),
            Expect::Json(shape) => {
                let response = self.exchange(request, self.url(request)?, false)?;
                json_text(&response.body, *shape).map(Answer::Json)
            }
        }
    }

    /// The absolute URL of a request, query form-encoded.
    pub(crate) fn url(&self, request: &Request) -> Result<String, Error> {
        let mut url = format!("{}{}", self.origin.base(), request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(&request.query).finish());
        }
        if url.len() > self.config.max_url {
            return Err(Error::input(
                "input",
                format!(
                    "the request URL would be {} bytes, over the {} the connector sends: shorten the search, filter or ids",
                    url.len(),
                    self.config.max_url
                ),
            ));
        }
        Ok(url)
    }

    /// Sends one request to `url` (on this org), retrying per [`retry::decide`] (or the
    /// request's own rules). A non-2xx answer becomes [`Error::Okta`]; with `raw`, a 3xx is
    /// returned as it came (Okta's API does not redirect, and redirects are never followed).
    pub(crate) fn exchange(&self, request: &Request, url: String, raw: bool) -> Result<HttpResponse, Error> {
        let origin = self.origin.base();
        let bucket = ratelimit::bucket_of(&request.path);
        let policy = Policy {
            max_attempts: self.config.max_attempts,
            budget: self.config.retry_budget,
            backoff: self.config.retry_backoff,
        };
        let method = request.method.as_str();
        let secrets = if request.debug { self.auth.secrets() } else { Vec::new() };
        let mut attempt = 1;
        // Credentials are renewed at most once per request (a new token, a new DPoP nonce).
        let mut renewed = false;
        loop {
            let spent = ratelimit::wait_before(&origin, bucket, self.transport.now());
            if !spent.is_zero() {
                self.wait(spent).map_err(|_| spent_bucket_error(bucket, spent, self.config.retry_budget))?;
                ratelimit::served(&origin, bucket);
            }
            let mut limits = self.limits(self.config.max_response_bytes)?;
            if let Some(timeout) = request.timeout {
                limits.connect_timeout = limits.connect_timeout.min(timeout);
                limits.first_byte_timeout = limits.first_byte_timeout.min(timeout);
                limits.between_bytes_timeout = limits.between_bytes_timeout.min(timeout);
                limits.deadline = limits.deadline.min(self.transport.now() + timeout);
            }
            let http = HttpRequest {
                method,
                url: url.clone(),
                headers: self.headers(request, method, &url, &limits)?,
                body: match &request.body {
                    super::request::Body::None => None,
                    super::request::Body::Json(b) => Some(b.clone()),
                    super::request::Body::Bytes { data, .. } => Some(data.clone()),
                },
            };
            if request.debug {
                super::debug::request(&http, &secrets);
            }
            let sent = self.transport.send(&http, &limits);
            if request.debug {
                super::debug::response(&sent, &secrets);
            }
            let mut redirect = None;
            if let Ok(response) = &sent {
                self.auth.observe(response);
                if matches!(response.status, 400 | 401) && !renewed && self.auth.renew_after(response) {
                    renewed = true;
                    continue;
                }
            }
            let (outcome, error) = match sent {
                Ok(response) => {
                    let rl = ratelimit::read(&response);
                    if (200..300).contains(&response.status) {
                        ratelimit::note(&origin, bucket, &rl, self.transport.now());
                        return Ok(response);
                    }
                    let is_redirect = raw && (300..400).contains(&response.status);
                    if is_redirect && !request.retry.is_some_and(|r| r.all_errors) {
                        return Ok(response);
                    }
                    let err =
                        errors::decode(response.status, &response.body, |h| response.header(h).map(str::to_string));
                    let busy =
                        matches!((err.status, err.code.as_deref()), (409, Some("E0000112")) | (423, Some("E0000239")));
                    let outcome = if busy { Attempted::Busy } else { Attempted::Status(response.status, rl) };
                    if is_redirect {
                        redirect = Some(response);
                    }
                    (outcome, Error::Okta(Box::new(err)))
                }
                Err(TransportError::TooLarge(cap)) => {
                    return Err(Error::TooLarge(format!(
                        "{method} {}: the answer is larger than the {} MiB the connector reads",
                        transport::strip_query(&url),
                        cap >> 20
                    )))
                }
                Err(TransportError::TimedOut(m)) => match request.timeout {
                    Some(t) => (
                        Attempted::Transport,
                        Error::Transport(format!("{m} (the request's Timeout is {} ms)", t.as_millis())),
                    ),
                    None => (Attempted::Transport, Error::Transport(m)),
                },
                Err(TransportError::Failed(m)) => (Attempted::Transport, Error::Transport(m)),
            };
            let idempotent = request.method.idempotent();
            let waited = self.waited.get();
            let retry = match &request.retry {
                Some(custom) => retry::decide_custom(
                    &policy,
                    custom,
                    idempotent,
                    attempt,
                    waited,
                    outcome,
                    jitter(&*self.transport),
                ),
                None => retry::decide(&policy, idempotent, attempt, waited, outcome, jitter(&*self.transport)),
            };
            match retry {
                Decision::Retry(wait) if self.wait(wait).is_ok() => {}
                _ => {
                    return match redirect {
                        Some(response) => Ok(response),
                        None => Err(explain_stop(error, outcome, self.config.retry_budget)),
                    }
                }
            }
            attempt += 1;
        }
    }

    fn headers(
        &self,
        request: &Request,
        method: &str,
        url: &str,
        limits: &Limits,
    ) -> Result<Vec<(String, String)>, Error> {
        let mut headers = self.auth.headers(&*self.transport, method, url, limits)?;
        let given = |name: &str| request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        if !given("accept") {
            headers.push(("accept".into(), "application/json".into()));
        }
        if !given("user-agent") {
            headers.push(("user-agent".into(), USER_AGENT.into()));
        }
        match &request.body {
            super::request::Body::None => {}
            super::request::Body::Json(_) => headers.push(("content-type".into(), "application/json".into())),
            super::request::Body::Bytes { content_type, .. } => {
                headers.push(("content-type".into(), content_type.clone()))
            }
        }
        headers.extend(request.headers.iter().cloned());
        Ok(headers)
    }

    /// The limits of the next exchange; an error once the action's deadline has passed.
    pub fn limits(&self, max_body: usize) -> Result<Limits, Error> {
        let deadline = self.started + self.config.action_deadline;
        if self.transport.now() >= deadline {
            return Err(Error::Transport(format!(
                "the action ran out of time: it may take at most {} s",
                self.config.action_deadline.as_secs()
            )));
        }
        Ok(Limits {
            connect_timeout: self.config.connect_timeout,
            first_byte_timeout: self.config.first_byte_timeout,
            between_bytes_timeout: self.config.between_bytes_timeout,
            deadline,
            max_body,
        })
    }

    /// Sleeps `wait` if it fits in the action's retry budget and deadline; `Err` (without
    /// sleeping) when it does not.
    fn wait(&self, wait: Duration) -> Result<(), ()> {
        let deadline = self.started + self.config.action_deadline;
        if self.waited.get() + wait > self.config.retry_budget || self.transport.now() + wait >= deadline {
            return Err(());
        }
        self.waited.set(self.waited.get() + wait);
        self.transport.sleep(wait);
        Ok(())
    }
}

/// Up to 250 ms, so that many clients hitting the same reset do not all retry at once.
pub fn jitter(transport: &dyn Transport) -> Duration {
    let nanos = transport.wall_clock().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    Duration::from_millis(u64::from(nanos % 250))
}

/// The JSON of a response body, checked against `shape` but kept as Okta sent it.
fn json_text(body: &[u8], shape: Shape) -> Result<String, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return match shape {
            Shape::Array => Err(Error::UnexpectedResponse("expected a JSON array, got an empty body".into())),
            _ => Ok("{}".to_string()),
        };
    }
    let value: &RawValue = serde_json::from_slice(body).map_err(|e| {
        Error::UnexpectedResponse(format!("Okta's answer is not JSON ({})", super::errors::json_error(&e)))
    })?;
    let text = value.get();
    let ok = match shape {
        Shape::Object => text.starts_with('{'),
        Shape::Array => text.starts_with('['),
    };
    if !ok {
        let want = if shape == Shape::Object { "a JSON object" } else { "a JSON array" };
        return Err(Error::UnexpectedResponse(format!("expected {want} from Okta, got {}", kind_of(text))));
    }
    Ok(text.to_string())
}

fn kind_of(json: &str) -> &'static str {
    match json.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// The error of the last attempt, with the reason no retry followed when that helps the user.
fn explain_stop(error: Error, outcome: Attempted, budget: Duration) -> Error {
    match (error, outcome) {
        (Error::Okta(mut e), Attempted::Status(429, rl)) => {
            if let Some(wait) = rl.until_reset().filter(|w| *w + Duration::from_secs(1) > budget) {
                e.summary = format!(
                    "{} (the limit resets in {} s, longer than the {} s the connector waits; retry after the reset)",
                    e.summary,
                    wait.as_secs(),
                    budget.as_secs()
                );
            }
            Error::Okta(e)
        }
        (error, _) => error,
    }
}

/// A bucket known to be spent for longer than the action may wait: fail at once, send nothing.
fn spent_bucket_error(bucket: &str, wait: Duration, budget: Duration) -> Error {
    Error::Okta(Box::new(OktaError {
        status: 429,
        code: None,
        summary: format!(
            "the org's rate limit for /api/v1/{bucket} is spent for another {} s, longer than the {} s the connector waits; nothing was sent: retry after the reset",
            wait.as_secs(),
            budget.as_secs()
        ),
        ..OktaError::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::auth::Secret;
    use crate::okta::domain;

    fn okta() -> Okta {
        Okta::with_config(
            domain::parse("acme.okta.com").unwrap(),
            Auth::ApiToken(Secret::new("topsecret")),
            Config::default(),
        )
    }

    #[test]
    fn query_encoding_and_url() {
        let r = Request::get("/api/v1/users").query("search", "profile.lastName eq \"O'Neil\"").query("limit", 2);
        assert_eq!(
            okta().url(&r).unwrap(),
            "https://acme.okta.com/api/v1/users?search=profile.lastName+eq+%22O%27Neil%22&limit=2"
        );
    }

    #[test]
    fn oversized_urls_are_refused() {
        let r = Request::get("/api/v1/users").query("search", "x".repeat(20_000));
        assert!(matches!(okta().url(&r), Err(Error::InvalidInput { .. })));
    }

    #[test]
    fn secrets_do_not_print() {
        assert!(!format!("{:?}", okta()).contains("topsecret"));
    }

    #[test]
    fn json_shapes() {
        assert_eq!(json_text(b" {\"a\":1} ", Shape::Object).unwrap(), "{\"a\":1}");
        assert_eq!(json_text(b"", Shape::Object).unwrap(), "{}");
        assert!(
            matches!(json_text(b"[1]", Shape::Object), Err(Error::UnexpectedResponse(m)) if m.contains("an array"))
        );
        assert!(json_text(b"{}", Shape::Array).is_err());
        assert!(json_text(b"<html>", Shape::Object).is_err());
    }

    #[test]
    fn a_reset_beyond_the_budget_is_explained() {
        let rl = retry::RateLimit { limit: Some(10), remaining: Some(0), reset: Some(4_600), date: Some(1_000) };
        let e = explain_stop(
            Error::Okta(Box::new(OktaError {
                status: 429,
                summary: "API call exceeded rate limit".into(),
                ..Default::default()
            })),
            Attempted::Status(429, rl),
            Duration::from_secs(120),
        );
        assert!(matches!(&e, Error::Okta(o) if o.summary.contains("resets in 3600 s")), "{e:?}");
    }
}
