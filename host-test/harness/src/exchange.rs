//! The record of one HTTP exchange the guest made, and the redaction applied whenever one
//! is printed.

use std::fmt;

/// One request the guest sent and what it got back, in the order sent.
///
/// The fields hold the exact values (tests assert on them); `Debug` and `Display` redact
/// secrets (`Authorization`, `DPoP`, cookies, OAuth form fields, password values, an event
/// hook's shared secret).
#[derive(Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Upper-case method.
    pub method: String,
    /// The full URL as sent (`https://acme.okta.com/api/v1/users?limit=2`).
    pub url: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Request headers in the order sent, names in lower case.
    pub request_headers: Vec<(String, String)>,
    /// The request body (empty when none).
    pub request_body: Vec<u8>,
    /// The response status, when a response came.
    pub status: Option<u16>,
    /// Response headers, names in lower case.
    pub response_headers: Vec<(String, String)>,
    /// The response body as the guest received it (cut short when truncated).
    pub response_body: Vec<u8>,
    /// A transport error the guest saw (dropped connection, truncated body, script mismatch).
    pub error: Option<String>,
}

impl Exchange {
    /// The first value of request header `name` (case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find_header(&self.request_headers, name)
    }

    /// Every value of request header `name` (case-insensitive).
    pub fn request_header_all(&self, name: &str) -> Vec<&str> {
        self.request_headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    /// The first value of response header `name` (case-insensitive).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find_header(&self.response_headers, name)
    }

    /// The request body parsed as JSON (None when empty or not JSON).
    pub fn request_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.request_body).ok()
    }

    /// The response body parsed as JSON (None when empty or not JSON).
    pub fn response_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.response_body).ok()
    }

    /// `METHOD path?query`, the short form used in messages.
    pub fn line(&self) -> String {
        match &self.query {
            Some(q) => format!("{} {}?{}", self.method, self.path, q),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Decodes `a=1&b=x%20y` into pairs (form encoding: `+` is a space).
pub fn decode_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Headers whose values are secrets.
const SECRET_HEADERS: &[&str] = &["authorization", "dpop", "cookie", "set-cookie", "proxy-authorization"];

/// Form and JSON fields whose values are secrets.
const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "refresh_token",
    "access_token",
    "id_token",
    "code",
    "code_verifier",
    "password",
    "token",
];

/// A header value fit for printing: the scheme of `Authorization` stays, the rest goes.
pub fn redact_header(name: &str, value: &str) -> String {
    if !SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        return value.to_string();
    }
    match value.split_once(' ') {
        Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
            format!("{scheme} [redacted]")
        }
        _ => "[redacted]".to_string(),
    }
}

/// A body fit for printing: JSON with secret fields, password values and an event hook's
/// `authScheme.value` masked, forms with secret fields masked, anything else as (lossy) text,
/// cut at 4 KiB.
pub fn redact_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) {
        redact_json(&mut v, false);
        return cut(v.to_string());
    }
    let text = String::from_utf8_lossy(body);
    if !text.contains(' ') && text.contains('=') {
        let pairs: Vec<String> = decode_query(&text)
            .into_iter()
            .map(
                |(k, v)| {
                    if SECRET_FIELDS.contains(&k.as_str()) {
                        format!("{k}=[redacted]")
                    } else {
                        format!("{k}={v}")
                    }
                },
            )
            .collect();
        return cut(pairs.join("&"));
    }
    cut(text.into_owned())
}

fn redact_json(v: &mut serde_json::Value, in_secret: bool) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                let secret = in_secret
                    || SECRET_FIELDS.contains(&k.as_str())
                    || k.eq_ignore_ascii_case("oldPassword")
                    || k.eq_ignore_ascii_case("newPassword")
                    || k == "answer";
                if secret && (child.is_string() || child.is_number()) {
                    *child = serde_json::Value::String("[redacted]".into());
                } else if k == "authScheme" {
                    // An event hook's shared secret: Okta sends it to the hook as a header.
                    if let Some(value) = child.get_mut("value") {
                        *value = serde_json::Value::String("[redacted]".into());
                    }
                } else {
                    redact_json(child, secret);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                redact_json(item, in_secret);
            }
        }
        serde_json::Value::String(s) if in_secret => *s = "[redacted]".into(),
        _ => {}
    }
}

fn cut(mut s: String) -> String {
    const MAX: usize = 4096;
    if s.len() > MAX {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let total = s.len();
        s.truncate(end);
        s.push_str(&format!("… ({total} bytes)"));
    }
    s
}

/// The URL with any `user:password@` part removed.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s && !url[s + 3..at].contains('/') => {
            format!("{}[redacted]@{}", &url[..s + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

impl fmt::Display for Exchange {
    /// A multi-line, redacted rendering; `{:#}` leaves out the bodies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, redact_url(&self.url))?;
        for (k, v) in &self.request_headers {
            writeln!(f, "  {k}: {}", redact_header(k, v))?;
        }
        if !f.alternate() && !self.request_body.is_empty() {
            writeln!(f, "  {}", redact_body(&self.request_body))?;
        }
        match self.status {
            Some(status) => {
                writeln!(f, "=> {status}")?;
                for (k, v) in &self.response_headers {
                    writeln!(f, "  {k}: {}", redact_header(k, v))?;
                }
                if !f.alternate() && !self.response_body.is_empty() {
                    writeln!(f, "  {}", redact_body(&self.response_body))?;
                }
            }
            None => writeln!(f, "=> no response")?,
        }
        if let Some(e) = &self.error {
            writeln!(f, "  error: {e}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers = |h: &[(String, String)]| -> Vec<(String, String)> {
            h.iter().map(|(k, v)| (k.clone(), redact_header(k, v))).collect()
        };
        f.debug_struct("Exchange")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("request_headers", &headers(&self.request_headers))
            .field("request_body", &redact_body(&self.request_body))
            .field("status", &self.status)
            .field("response_headers", &headers(&self.response_headers))
            .field("response_body", &redact_body(&self.response_body))
            .field("error", &self.error)
            .finish()
    }
}

/// Renders exchanges one after the other, numbered, redacted.
pub fn render(exchanges: &[Exchange]) -> String {
    let mut out = String::new();
    for (i, e) in exchanges.iter().enumerate() {
        out.push_str(&format!("#{} ", i + 1));
        out.push_str(&e.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_keeps_only_its_scheme() {
        assert_eq!(redact_header("Authorization", "SSWS abc"), "SSWS [redacted]");
        assert_eq!(redact_header("authorization", "Bearer x.y.z"), "Bearer [redacted]");
        assert_eq!(redact_header("DPoP", "eyJ..."), "[redacted]");
        assert_eq!(redact_header("accept", "application/json"), "application/json");
    }

    #[test]
    fn bodies_lose_their_secrets() {
        let b = br#"{"profile":{"login":"a"},"credentials":{"password":{"value":"hunter2"}}}"#;
        let r = redact_body(b);
        assert!(!r.contains("hunter2"), "{r}");
        assert!(r.contains("\"login\":\"a\""), "{r}");
        let form = b"grant_type=client_credentials&client_assertion=eyJabc&scope=okta.users.read";
        let r = redact_body(form);
        assert!(!r.contains("eyJabc"), "{r}");
        assert!(r.contains("scope=okta.users.read"), "{r}");
    }

    #[test]
    fn an_event_hooks_shared_secret_is_redacted() {
        let hook = br#"{"name":"h","channel":{"type":"HTTP","config":{"uri":"https://h.example.com/okta","headers":[{"key":"X-Other","value":"visible"}],"authScheme":{"type":"HEADER","key":"X-Okta-Connector-Secret","value":"hook-shared-secret-1"}}}}"#;
        let r = redact_body(hook);
        assert!(!r.contains("hook-shared-secret-1"), "{r}");
        assert!(r.contains("X-Okta-Connector-Secret") && r.contains("https://h.example.com/okta"), "{r}");
    }
}
