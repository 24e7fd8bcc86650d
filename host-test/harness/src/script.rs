//! Scripted answers: the requests a test expects, in order, and what each one gets back.
//!
//! Fail-closed: a request that differs from the next expected one (method, path, query,
//! chosen headers, body) or that comes after the script ran out fails the call that made it,
//! with a diff. An expectation states everything about the request it cares about; what it
//! leaves out is not checked, except the query and the body: no `?…` in the expected path
//! means no query may be sent, no [`ExpectedRequest::json`] means no body may be sent.

use std::fmt::Write as _;

use bytes::Bytes;
use serde_json::Value;

use super::exchange::{decode_query, find_header, redact_body, redact_header};

/// What a request header must look like.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderRule {
    /// Present with exactly this value.
    Equals(String),
    /// Present, any value.
    Present,
    /// Present, starting with this (e.g. `application/json` for a `Content-Type` with a charset).
    StartsWith(String),
    /// Not sent.
    Absent,
}

/// What the request body must be.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyRule {
    /// No body (or an empty one).
    Empty,
    /// JSON equal to this value (object key order does not matter).
    Json(Value),
    /// Exactly these bytes.
    Bytes(Vec<u8>),
    /// Anything.
    Any,
}

/// One request a scripted test expects.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedRequest {
    pub method: String,
    pub path: String,
    /// Decoded query pairs; compared as a multiset (order does not matter).
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, HeaderRule)>,
    pub body: BodyRule,
}

impl ExpectedRequest {
    /// Expects `method` on `path_and_query` (`/api/v1/users?activate=true&provider=false`;
    /// the query may be percent- or form-encoded). No body.
    pub fn new(method: &str, path_and_query: &str) -> ExpectedRequest {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, decode_query(q)),
            None => (path_and_query, Vec::new()),
        };
        ExpectedRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            query,
            headers: Vec::new(),
            body: BodyRule::Empty,
        }
    }

    pub fn get(path_and_query: &str) -> ExpectedRequest {
        ExpectedRequest::new("GET", path_and_query)
    }
    pub fn post(path_and_query: &str) -> ExpectedRequest {
        ExpectedRequest::new("POST", path_and_query)
    }
    pub fn put(path_and_query: &str) -> ExpectedRequest {
        ExpectedRequest::new("PUT", path_and_query)
    }
    pub fn delete(path_and_query: &str) -> ExpectedRequest {
        ExpectedRequest::new("DELETE", path_and_query)
    }

    /// Adds one query pair (unencoded), for values awkward to write in the path.
    pub fn query_pair(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// Header `name` must equal `value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), HeaderRule::Equals(value.to_string())));
        self
    }

    /// Header `name` must be sent, with any value.
    pub fn header_present(mut self, name: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), HeaderRule::Present));
        self
    }

    /// Header `name` must start with `prefix`.
    pub fn header_prefix(mut self, name: &str, prefix: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), HeaderRule::StartsWith(prefix.to_string())));
        self
    }

    /// Header `name` must not be sent.
    pub fn header_absent(mut self, name: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), HeaderRule::Absent));
        self
    }

    /// The headers every Okta management call carries with an API token:
    /// `Authorization: SSWS <token>`, `Accept: application/json`, a `User-Agent`, and
    /// `Content-Type: application/json` exactly when there is a body (call after
    /// [`ExpectedRequest::json`], or use [`ExpectedRequest::okta_json`]).
    pub fn okta_ssws(self, token: &str) -> Self {
        let with_body = !matches!(self.body, BodyRule::Empty);
        let r = self
            .header("authorization", &format!("SSWS {token}"))
            .header("accept", "application/json")
            .header_present("user-agent");
        if with_body {
            r.header_prefix("content-type", "application/json")
        } else {
            r.header_absent("content-type")
        }
    }

    /// The body must be JSON equal to `body`, sent as `application/json`.
    pub fn json(mut self, body: Value) -> Self {
        self.body = BodyRule::Json(body);
        self
    }

    /// [`ExpectedRequest::json`] then [`ExpectedRequest::okta_ssws`].
    pub fn okta_json(self, token: &str, body: Value) -> Self {
        self.json(body).okta_ssws(token)
    }

    /// The body must be exactly `bytes`.
    pub fn bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = BodyRule::Bytes(bytes.into());
        self
    }

    /// Any body is accepted.
    pub fn any_body(mut self) -> Self {
        self.body = BodyRule::Any;
        self
    }

    /// `METHOD path?query` as expected.
    pub fn line(&self) -> String {
        if self.query.is_empty() {
            format!("{} {}", self.method, self.path)
        } else {
            format!("{} {}?{}", self.method, self.path, encode_pairs(&self.query))
        }
    }

    /// Every way `actual` differs from this expectation; empty when it matches.
    pub fn differences(&self, actual: &ActualRequest<'_>) -> Vec<String> {
        let mut diffs = Vec::new();
        if !self.method.eq_ignore_ascii_case(actual.method) {
            diffs.push(format!("method: expected {}, got {}", self.method, actual.method));
        }
        if self.path != actual.path {
            diffs.push(format!("path: expected {}, got {}", self.path, actual.path));
        }
        let got_query = decode_query(actual.query.unwrap_or(""));
        let (missing, extra) = multiset_diff(&self.query, &got_query);
        if !missing.is_empty() || !extra.is_empty() {
            let mut d = String::from("query:");
            if !missing.is_empty() {
                let _ = write!(d, " missing {}", encode_pairs(&missing));
                if !extra.is_empty() {
                    d.push(';');
                }
            }
            if !extra.is_empty() {
                let _ = write!(d, " unexpected {}", encode_pairs(&extra));
            }
            diffs.push(d);
        }
        for (name, rule) in &self.headers {
            let got = find_header(actual.headers, name);
            let show = |v: &str| redact_header(name, v);
            let problem = match (rule, got) {
                (HeaderRule::Equals(want), Some(v)) if v == want => None,
                (HeaderRule::Equals(want), Some(v)) if show(want) == show(v) => {
                    Some(format!("got {:?}, with another secret than expected", show(v)))
                }
                (HeaderRule::Equals(want), Some(v)) => Some(format!("expected {:?}, got {:?}", show(want), show(v))),
                (HeaderRule::Equals(want), None) => Some(format!("expected {:?}, not sent", show(want))),
                (HeaderRule::Present, Some(_)) => None,
                (HeaderRule::Present, None) => Some("expected, not sent".to_string()),
                (HeaderRule::StartsWith(p), Some(v)) if v.starts_with(p.as_str()) => None,
                (HeaderRule::StartsWith(p), Some(v)) => {
                    Some(format!("expected to start with {p:?}, got {:?}", show(v)))
                }
                (HeaderRule::StartsWith(p), None) => Some(format!("expected to start with {p:?}, not sent")),
                (HeaderRule::Absent, None) => None,
                (HeaderRule::Absent, Some(v)) => Some(format!("not expected, got {:?}", show(v))),
            };
            if let Some(p) = problem {
                diffs.push(format!("header {name}: {p}"));
            }
        }
        match &self.body {
            BodyRule::Any => {}
            BodyRule::Bytes(want) if want.as_slice() == actual.body => {}
            BodyRule::Bytes(want) => diffs.push(format!(
                "body: expected the bytes {:?}, got {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(actual.body)
            )),
            BodyRule::Empty if actual.body.is_empty() => {}
            BodyRule::Empty => diffs.push(format!("body: expected none, got {}", redact_body(actual.body))),
            BodyRule::Json(want) => match serde_json::from_slice::<Value>(actual.body) {
                Ok(got) if &got == want => {}
                Ok(got) => {
                    let mut lines = Vec::new();
                    json_diff("", want, &got, &mut lines);
                    lines.truncate(12);
                    diffs.push(format!(
                        "body:\n      {}\n      expected {}\n      got      {}",
                        lines.join("\n      "),
                        redact_body(want.to_string().as_bytes()),
                        redact_body(actual.body)
                    ));
                }
                Err(_) if actual.body.is_empty() => {
                    diffs.push(format!("body: expected {}, got none", redact_body(want.to_string().as_bytes())))
                }
                Err(e) => diffs.push(format!("body: expected JSON, got {} ({e})", redact_body(actual.body))),
            },
        }
        diffs
    }
}

/// The parts of a request the script compares.
pub struct ActualRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// Decoded query pairs.
type Pairs = Vec<(String, String)>;

/// `(missing, extra)`: what `want` has that `got` lacks, and the other way round.
fn multiset_diff(want: &[(String, String)], got: &[(String, String)]) -> (Pairs, Pairs) {
    let mut extra: Pairs = got.to_vec();
    let mut missing = Vec::new();
    for pair in want {
        match extra.iter().position(|p| p == pair) {
            Some(i) => {
                extra.remove(i);
            }
            None => missing.push(pair.clone()),
        }
    }
    (missing, extra)
}

/// Lists where two JSON values differ, as `/json/pointer: expected X, got Y`.
fn json_diff(at: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    let short = |v: &Value| redact_body(v.to_string().as_bytes());
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let here = format!("{at}/{k}");
                match g.get(k) {
                    Some(gv) => json_diff(&here, wv, gv, out),
                    None => out.push(format!("{here}: missing (expected {})", short(wv))),
                }
            }
            for (k, gv) in g {
                if !w.contains_key(k) {
                    out.push(format!("{at}/{k}: unexpected {}", short(gv)));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                json_diff(&format!("{at}/{i}"), wv, gv, out);
            }
        }
        _ if want == got => {}
        _ => {
            out.push(format!("{}: expected {}, got {}", if at.is_empty() { "/" } else { at }, short(want), short(got)))
        }
    }
}

/// How the scripted server answers one request.
#[derive(Clone, Debug)]
pub struct CannedResponse {
    pub status: u16,
    /// Response headers. A `Date` header from the instance's clock is added when absent.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// What happens on the wire.
    pub fault: CannedFault,
}

/// A transport failure instead of (or in the middle of) the answer.
#[derive(Clone, Debug, PartialEq)]
pub enum CannedFault {
    /// The answer arrives whole.
    None,
    /// The connection drops before any answer.
    Dropped,
    /// The headers and the first `n` body bytes arrive, then the connection drops.
    TruncateAt(usize),
}

impl CannedResponse {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: Value) -> CannedResponse {
        CannedResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.to_string()),
            fault: CannedFault::None,
        }
    }

    /// `status` with no body (e.g. 204).
    pub fn empty(status: u16) -> CannedResponse {
        CannedResponse { status, headers: Vec::new(), body: Bytes::new(), fault: CannedFault::None }
    }

    /// `status` with a body of any content type.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> CannedResponse {
        CannedResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            fault: CannedFault::None,
        }
    }

    /// An Okta error answer (`errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`).
    pub fn okta_error(status: u16, code: &str, summary: &str) -> CannedResponse {
        CannedResponse::json(
            status,
            serde_json::json!({
                "errorCode": code,
                "errorSummary": summary,
                "errorLink": code,
                "errorId": "oaeScriptedError0000000",
                "errorCauses": [],
            }),
        )
        .header("x-okta-request-id", "scripted-request-id")
    }

    /// The connection drops before any answer.
    pub fn dropped() -> CannedResponse {
        CannedResponse { fault: CannedFault::Dropped, ..CannedResponse::empty(0) }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Adds `Link: <url>; rel="next"`.
    pub fn link_next(self, url: &str) -> Self {
        self.header("link", &format!("<{url}>; rel=\"next\""))
    }

    /// Sends only the first `n` body bytes, then drops the connection.
    pub fn truncated_at(mut self, n: usize) -> Self {
        self.fault = CannedFault::TruncateAt(n);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn actual<'a>(
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> ActualRequest<'a> {
        ActualRequest { method, path, query, headers, body }
    }

    #[test]
    fn query_order_does_not_matter_but_values_do() {
        let e = ExpectedRequest::post("/api/v1/users?activate=true&provider=false");
        assert!(e
            .differences(&actual("POST", "/api/v1/users", Some("provider=false&activate=true"), &[], b""))
            .is_empty());
        let d = e.differences(&actual("POST", "/api/v1/users", Some("activate=false&provider=false"), &[], b""));
        assert_eq!(d, vec!["query: missing activate=true; unexpected activate=false"]);
        let d = e.differences(&actual("POST", "/api/v1/users", None, &[], b""));
        assert_eq!(d.len(), 1, "{d:?}");
    }

    #[test]
    fn headers_and_bodies_are_compared_with_secrets_hidden() {
        let e = ExpectedRequest::post("/x").okta_json("secret-token", json!({"a": 1, "b": [1, 2]}));
        let headers = vec![
            ("authorization".to_string(), "SSWS wrong-token".to_string()),
            ("accept".to_string(), "application/json".to_string()),
        ];
        let d = e.differences(&actual("POST", "/x", None, &headers, br#"{"a":2,"b":[1,2],"c":true}"#));
        let all = d.join("\n");
        assert!(!all.contains("secret-token") && !all.contains("wrong-token"), "{all}");
        assert!(all.contains("header user-agent: expected, not sent"), "{all}");
        assert!(all.contains("header content-type"), "{all}");
        assert!(all.contains("/a: expected 1, got 2"), "{all}");
        assert!(all.contains("/c: unexpected true"), "{all}");
    }
}
