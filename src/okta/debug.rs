//! Debug output of requests that ask for it (Raw Request's Debug): each attempt and its
//! answer on standard error, with credentials and every known secret redacted, bodies cut.
//! Also the `Debug` of requests and responses, which shows method, URL without its query,
//! status, header names and body sizes: never a header value or a body, where tokens,
//! assertions, proofs and client secrets travel.

use super::scrub::scrub_text;
use super::transport::{strip_query, HttpRequest, HttpResponse, TransportError};
use std::fmt;

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &strip_query(&self.url))
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// The most body bytes shown.
const MAX_SHOWN: usize = 4096;

/// Headers whose values are never shown.
const SECRET_HEADERS: [&str; 5] = ["authorization", "dpop", "cookie", "set-cookie", "proxy-authorization"];

/// JSON members whose values are secrets wherever they appear in a body: passwords and
/// recovery answers (Okta's `credentials`), OAuth tokens and assertions.
const SECRET_MEMBERS: [&str; 7] =
    ["password", "answer", "access_token", "refresh_token", "id_token", "client_secret", "client_assertion"];

/// The most body bytes parsed as JSON to redact secret members (a larger body is shown cut,
/// with secrets scrubbed by value only).
const MAX_PARSED: usize = 1 << 20;

/// Replaces the secret members of a JSON body, and an event hook's `authScheme.value` (the
/// secret Okta sends to the hook), with `[redacted]`.
fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                if SECRET_MEMBERS.iter().any(|s| key.eq_ignore_ascii_case(s)) {
                    *member = serde_json::Value::String("[redacted]".into());
                } else if key == "authScheme" {
                    if let Some(v) = member.get_mut("value") {
                        *v = serde_json::Value::String("[redacted]".into());
                    }
                } else {
                    redact_json(member);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

fn clean(text: &str, secrets: &[String]) -> String {
    scrub_text(text.to_string(), secrets)
}

fn headers(list: &[(String, String)], secrets: &[String]) -> String {
    list.iter()
        .map(|(k, v)| {
            let value = if SECRET_HEADERS.iter().any(|h| k.eq_ignore_ascii_case(h)) {
                match v.split_once(' ') {
                    Some((scheme, _)) if k.eq_ignore_ascii_case("authorization") => format!("{scheme} [redacted]"),
                    _ => "[redacted]".to_string(),
                }
            } else {
                clean(v, secrets)
            };
            format!("  {k}: {value}\n")
        })
        .collect()
}

fn body(bytes: &[u8], secrets: &[String]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    let redacted = (bytes.len() <= MAX_PARSED)
        .then(|| serde_json::from_slice::<serde_json::Value>(bytes).ok())
        .flatten()
        .map(|mut v| {
            redact_json(&mut v);
            v.to_string().into_bytes()
        });
    let bytes = redacted.as_deref().unwrap_or(bytes);
    let shown = &bytes[..bytes.len().min(MAX_SHOWN)];
    let mut text = clean(&String::from_utf8_lossy(shown), secrets);
    if bytes.len() > MAX_SHOWN {
        text.push_str(&format!("… ({} bytes in all)", bytes.len()));
    }
    format!("  {text}\n")
}

pub fn request(http: &HttpRequest, secrets: &[String]) {
    let line = clean(&http.url, secrets);
    eprint!(
        "okta-connector debug: > {} {line}\n{}{}",
        http.method,
        headers(&http.headers, secrets),
        body(http.body.as_deref().unwrap_or(&[]), secrets)
    );
}

pub fn response(result: &Result<HttpResponse, TransportError>, secrets: &[String]) {
    match result {
        Ok(r) => {
            eprint!("okta-connector debug: < {}\n{}{}", r.status, headers(&r.headers, secrets), body(&r.body, secrets))
        }
        Err(e) => eprintln!("okta-connector debug: < no answer: {}", clean(&format!("{e:?}"), secrets)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_requests_and_responses_shows_no_secret() {
        let r = HttpRequest {
            method: "POST",
            url: "https://a.okta.com/oauth2/v1/token?code=code-secret-1".into(),
            headers: vec![("authorization".into(), "SSWS tok-secret-1".into())],
            body: Some(b"refresh_token=body-secret-1".to_vec()),
        };
        let shown = format!("{r:?}");
        for secret in ["tok-secret-1", "body-secret-1", "code-secret-1"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("authorization") && shown.contains("https://a.okta.com/oauth2/v1/token"), "{shown}");
        let a = HttpResponse {
            status: 200,
            headers: vec![("set-cookie".into(), "sid=cookie-secret-1".into())],
            body: br#"{"access_token":"answer-secret-1"}"#.to_vec(),
        };
        let shown = format!("{a:?}");
        assert!(!shown.contains("cookie-secret-1") && !shown.contains("answer-secret-1"), "{shown}");
    }

    #[test]
    fn bodies_lose_secret_members() {
        let hook = br#"{"channel":{"config":{"uri":"https://h","authScheme":{"type":"HEADER","key":"X-S","value":"hook-secret-1"}}}}"#;
        let shown = body(hook, &[]);
        assert!(!shown.contains("hook-secret-1") && shown.contains("https://h") && shown.contains("X-S"), "{shown}");
        let user = br#"[{"profile":{"login":"a@b.c"},"credentials":{"password":{"value":"pw-secret-1"},"recovery_question":{"question":"q","answer":"ans-secret-1"}}}]"#;
        let shown = body(user, &[]);
        assert!(
            !shown.contains("pw-secret-1") && !shown.contains("ans-secret-1") && shown.contains("a@b.c"),
            "{shown}"
        );
        assert_eq!(body(b"not json tok-secret-2", &["tok-secret-2".into()]), "  not json [redacted]\n");
    }
}
