//! Debug output of requests that ask for it (Raw Request's Debug): each attempt and its
//! answer on standard error, with credentials and every known secret redacted, bodies cut.

use super::transport::{HttpRequest, HttpResponse, TransportError};
use crate::scrub::scrub_text;

/// The most body bytes shown.
const MAX_SHOWN: usize = 4096;

/// Headers whose values are never shown.
const SECRET_HEADERS: [&str; 5] = ["authorization", "dpop", "cookie", "set-cookie", "proxy-authorization"];

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
