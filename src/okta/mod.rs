//! The HTTP core every action goes through: auth headers, retries and rate limits, `Link`
//! pagination and Okta's error bodies. Actions build a [`Call`] and decode what it returns;
//! they never retry, sleep, parse `Link` or read rate-limit headers themselves.

pub mod domain;
pub mod errors;
pub mod link;
pub mod retry;
pub mod transport;

use crate::error::Error;
use domain::Origin;
use retry::{Attempted, Decision, Policy, RateLimit};
use serde_json::value::RawValue;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use transport::{HttpRequest, HttpResponse};

const USER_AGENT: &str = concat!("okta-connector/", env!("CARGO_PKG_VERSION"), " (wasm32-wasip2)");

/// A credential header value; never printed.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A client for one org with one credential, made for one action.
#[derive(Debug, Clone)]
pub struct Okta {
    origin: Origin,
    authorization: Secret,
    policy: Policy,
    /// Time this action has spent waiting to retry, against `policy.budget`.
    waited: Cell<Duration>,
}

/// One page of a list, or all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// A JSON array.
    pub items: String,
    pub next_cursor: Option<String>,
}

impl Okta {
    pub fn new(origin: Origin, authorization: Secret) -> Self {
        Okta { origin, authorization, policy: Policy::default(), waited: Cell::new(Duration::ZERO) }
    }

    pub fn get(&self, path: impl Into<String>) -> Call<'_> {
        self.call("GET", path)
    }
    pub fn post(&self, path: impl Into<String>) -> Call<'_> {
        self.call("POST", path)
    }
    pub fn put(&self, path: impl Into<String>) -> Call<'_> {
        self.call("PUT", path)
    }
    pub fn delete(&self, path: impl Into<String>) -> Call<'_> {
        self.call("DELETE", path)
    }

    /// A request to `path` (starting with `/api/v1/`, segments already encoded with [`segment`]).
    pub fn call(&self, method: &'static str, path: impl Into<String>) -> Call<'_> {
        Call { okta: self, method, path: path.into(), query: Vec::new(), body: None }
    }

    /// Sends a request to an absolute URL on this org, retrying per [`retry::decide`], and
    /// turns a non-2xx answer into [`Error::Okta`].
    fn execute(&self, method: &'static str, url: String, body: Option<Vec<u8>>) -> Result<HttpResponse, Error> {
        let mut headers = vec![
            ("authorization", self.authorization.expose().to_string()),
            ("accept", "application/json".to_string()),
            ("user-agent", USER_AGENT.to_string()),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/json".to_string()));
        }
        let request = HttpRequest { method, url, headers, body };
        let bucket = bucket_of(&request.url);
        let idempotent = matches!(method, "GET" | "PUT" | "DELETE" | "HEAD");
        let mut attempt = 1;
        loop {
            throttle(&bucket);
            let (outcome, result) = match transport::send(&request) {
                Ok(response) => {
                    let rl = rate_limit(&response);
                    note_rate_limit(&bucket, &rl);
                    if (200..300).contains(&response.status) {
                        return Ok(response);
                    }
                    let err =
                        errors::decode(response.status, &response.body, |h| response.header(h).map(str::to_string));
                    (Attempted::Status(response.status, rl), Error::Okta(Box::new(err)))
                }
                Err(message) => (Attempted::Transport, Error::Transport(message)),
            };
            match retry::decide(&self.policy, idempotent, attempt, self.waited.get(), outcome, jitter()) {
                Decision::Retry(wait) => {
                    self.waited.set(self.waited.get() + wait);
                    std::thread::sleep(wait);
                }
                Decision::Stop => return Err(result),
            }
            attempt += 1;
        }
    }

    /// GETs `first_url` and, with `fetch_all`, every `rel="next"` page after it.
    fn paginate(&self, first_url: String, fetch_all: bool) -> Result<Page, Error> {
        // The JSON array is built as pages arrive: each item is copied once, straight from the
        // response body, and never parsed into a tree.
        let mut items = JsonArray::default();
        let mut seen = HashSet::new();
        let mut url = first_url;
        loop {
            let response = self.execute("GET", url.clone(), None)?;
            seen.insert(url);
            let page: Vec<&RawValue> = serde_json::from_slice(&response.body)
                .map_err(|e| Error::UnexpectedResponse(format!("expected a JSON array: {e}")))?;
            page.iter().for_each(|v| items.push(v.get()));
            let next = link::next_url(response.header_values("link"))
                .map(|next| self.check_next(&next).map(|_| next))
                .transpose()?;
            match next {
                // A repeated cursor would loop forever (System Log polling answers next == self).
                Some(next) if !seen.contains(&next) => {
                    if !fetch_all {
                        return Ok(Page { items: items.finish(), next_cursor: link::after_cursor(&next) });
                    }
                    url = next;
                }
                _ => return Ok(Page { items: items.finish(), next_cursor: None }),
            }
        }
    }

    /// Refuses a next link that would send our credentials to another origin.
    fn check_next(&self, next: &str) -> Result<(), Error> {
        let refuse = || Error::UnexpectedResponse("Okta's next-page link points outside the org; not followed".into());
        let uri: http::Uri = next.parse().map_err(|_| refuse())?;
        match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(auth)) if self.origin.same_org(scheme, auth.as_str()) => Ok(()),
            _ => Err(refuse()),
        }
    }
}

/// A request being built.
pub struct Call<'a> {
    okta: &'a Okta,
    method: &'static str,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Call<'_> {
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    pub fn query_opt(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(serde_json::to_vec(body).expect("a Value always serializes"));
        self
    }

    fn url(&self) -> String {
        let mut url = format!("{}{}", self.okta.origin.base(), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.query).finish());
        }
        url
    }

    /// Sends it and returns the raw answer (2xx only).
    pub fn send(self) -> Result<HttpResponse, Error> {
        let url = self.url();
        self.okta.execute(self.method, url, self.body)
    }

    /// Sends it and returns the JSON body as text (`{}` for an empty body).
    pub fn json_text(self) -> Result<String, Error> {
        let response = self.send()?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok("{}".to_string());
        }
        serde_json::from_slice::<&RawValue>(&response.body)
            .map(|v| v.get().to_string())
            .map_err(|e| Error::UnexpectedResponse(format!("expected JSON: {e}")))
    }

    /// Sends it, expecting no body of interest.
    pub fn no_content(self) -> Result<(), Error> {
        self.send().map(drop)
    }

    /// GETs a list: one page with its next cursor, or every page with `fetch_all`.
    pub fn page(self, fetch_all: bool) -> Result<Page, Error> {
        let url = self.url();
        self.okta.paginate(url, fetch_all)
    }
}

/// Percent-encodes one path segment, so an ID or login (`a/b`, `x?y`, `#`, `..`) can never
/// change the path it is put in.
pub fn segment(value: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    if value.chars().all(|c| c == '.') {
        return value.replace('.', "%2E");
    }
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// A JSON array written item by item. Items go into chunks of about 1 MiB; `finish` copies
/// them once into a string of the exact size. A single growing string would double its
/// capacity as it grows and, with the copies that makes, peak at several times the result.
#[derive(Default)]
struct JsonArray {
    chunks: Vec<String>,
    len: usize,
}

const CHUNK: usize = 1 << 20;

impl JsonArray {
    fn push(&mut self, item: &str) {
        if self.chunks.last().is_none_or(|c| c.len() + item.len() + 1 > CHUNK && !c.is_empty()) {
            self.chunks.push(String::with_capacity(CHUNK.max(item.len() + 1)));
        }
        let chunk = self.chunks.last_mut().expect("a chunk was just ensured");
        if self.len > 0 {
            chunk.push(',');
            self.len += 1;
        }
        chunk.push_str(item);
        self.len += item.len();
    }
    fn finish(self) -> String {
        let mut out = String::with_capacity(self.len + 2);
        out.push('[');
        for chunk in self.chunks {
            out.push_str(&chunk);
        }
        out.push(']');
        out
    }
}

fn rate_limit(response: &HttpResponse) -> RateLimit {
    let num = |name| response.header(name).and_then(|v| v.trim().parse().ok());
    RateLimit {
        limit: num("x-rate-limit-limit"),
        remaining: num("x-rate-limit-remaining"),
        reset: num("x-rate-limit-reset"),
        date: response
            .header("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs()),
    }
}

/// Okta's rate-limit buckets follow endpoint families (`/api/v1/users…`, `/api/v1/apps…`).
fn bucket_of(url: &str) -> String {
    let path = url.split("/api/v1/").nth(1).unwrap_or("");
    path.split(['/', '?']).next().unwrap_or("").to_string()
}

/// When a bucket is known to be spent, until when (local monotonic time).
static SPENT_UNTIL: Mutex<Option<HashMap<String, Instant>>> = Mutex::new(None);

/// A 2xx with `X-Rate-Limit-Remaining: 0` means the next call would get a 429: remember it.
fn note_rate_limit(bucket: &str, rl: &RateLimit) {
    if rl.remaining != Some(0) || rl.is_concurrency() {
        return;
    }
    if let Some(wait) = rl.until_reset() {
        let mut guard = SPENT_UNTIL.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .get_or_insert_with(HashMap::new)
            .insert(bucket.to_string(), Instant::now() + wait + Duration::from_secs(1));
    }
}

/// Waits out a bucket known to be spent instead of collecting a 429.
fn throttle(bucket: &str) {
    let until = {
        let mut guard = SPENT_UNTIL.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_mut().and_then(|m| m.remove(bucket))
    };
    if let Some(until) = until {
        let now = Instant::now();
        if until > now {
            std::thread::sleep(until - now);
        }
    }
}

/// Up to 250 ms, so that many clients hitting the same reset do not all retry at once.
fn jitter() -> Duration {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    Duration::from_millis(u64::from(nanos % 250))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(segment("00u1abc"), "00u1abc");
        assert_eq!(segment("john.doe@example.com"), "john.doe%40example.com");
        assert_eq!(segment("a/b"), "a%2Fb");
        assert_eq!(segment("x?y#z"), "x%3Fy%23z");
        assert_eq!(segment(".."), "%2E%2E");
        assert_eq!(segment("."), "%2E");
        assert_eq!(segment("../../groups"), "..%2F..%2Fgroups");
        assert_eq!(segment("a b+c%"), "a%20b%2Bc%25");
        assert_eq!(segment("jöhn"), "j%C3%B6hn");
    }

    #[test]
    fn query_encoding_and_url() {
        let okta = Okta::new(domain::parse("acme.okta.com").unwrap(), Secret::new("SSWS x".into()));
        let call = okta.get("/api/v1/users").query("search", "profile.lastName eq \"O'Neil\"").query("limit", 2);
        assert_eq!(call.url(), "https://acme.okta.com/api/v1/users?search=profile.lastName+eq+%22O%27Neil%22&limit=2");
    }

    #[test]
    fn next_links_must_stay_in_the_org() {
        let okta = Okta::new(domain::parse("acme.okta.com").unwrap(), Secret::new("SSWS x".into()));
        assert!(okta.check_next("https://acme.okta.com/api/v1/users?after=1").is_ok());
        assert!(okta.check_next("https://acme-admin.okta.com/api/v1/users?after=1").is_ok());
        assert!(okta.check_next("https://evil.example.com/api/v1/users?after=1").is_err());
        assert!(okta.check_next("http://acme.okta.com/api/v1/users?after=1").is_err());
        assert!(okta.check_next("/api/v1/users?after=1").is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        let okta = Okta::new(domain::parse("acme.okta.com").unwrap(), Secret::new("SSWS topsecret".into()));
        assert!(!format!("{okta:?}").contains("topsecret"));
    }

    #[test]
    fn json_arrays_are_built_item_by_item() {
        assert_eq!(JsonArray::default().finish(), "[]");
        let mut a = JsonArray::default();
        a.push(r#"{"id":"1"}"#);
        a.push("2");
        assert_eq!(a.finish(), r#"[{"id":"1"},2]"#);

        // Across chunk boundaries, and an item larger than a chunk.
        let items: Vec<String> = (0..5000)
            .map(|i| format!(r#"{{"id":"{i}","pad":"{}"}}"#, "x".repeat(i % 700)))
            .chain(std::iter::once(format!(r#""{}""#, "y".repeat(CHUNK + 10))))
            .collect();
        let mut a = JsonArray::default();
        items.iter().for_each(|i| a.push(i));
        let text = a.finish();
        assert_eq!(text.len(), text.capacity(), "allocated once, exactly");
        assert_eq!(text, format!("[{}]", items.join(",")));
    }

    #[test]
    fn buckets() {
        assert_eq!(bucket_of("https://a.okta.com/api/v1/users/00u1/lifecycle/activate"), "users");
        assert_eq!(bucket_of("https://a.okta.com/api/v1/users?limit=1"), "users");
        assert_eq!(bucket_of("https://a.okta.com/api/v1/apps"), "apps");
    }

    #[test]
    fn rate_limit_headers_by_server_clock() {
        let r = HttpResponse {
            status: 429,
            headers: vec![
                ("date".into(), "Mon, 29 Sep 2025 03:49:50 GMT".into()),
                ("x-rate-limit-limit".into(), "50".into()),
                ("x-rate-limit-remaining".into(), "0".into()),
                ("x-rate-limit-reset".into(), "1759117805".into()),
            ],
            body: vec![],
        };
        let rl = rate_limit(&r);
        assert_eq!(rl.until_reset(), Some(Duration::from_secs(15)));
        assert!(!rl.is_concurrency());
    }
}
