//! The one place that touches `wasi:http` (through waki). Everything above it deals in plain
//! requests and responses, so it can be tested natively.

use std::time::Duration;

/// A request ready to go on the wire.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

/// A complete response (the body fully read).
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased; repeated headers (such as `Link`) keep every value in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends one request. The error text never includes headers (they hold credentials).
#[cfg(target_arch = "wasm32")]
pub fn send(req: &HttpRequest) -> Result<HttpResponse, String> {
    use waki::Method;
    let method = match req.method {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "PATCH" => Method::Patch,
        "HEAD" => Method::Head,
        other => Method::Other(other.to_string()),
    };
    let mut builder = waki::Client::new()
        .request(method, &req.url)
        .connect_timeout(CONNECT_TIMEOUT)
        .headers(req.headers.iter().map(|(k, v)| (*k, v.as_str())));
    if let Some(body) = &req.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().map_err(|e| format!("{} {}: {e}", req.method, strip_query(&req.url)))?;
    let status = response.status_code();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body =
        response.body().map_err(|e| format!("{} {}: response body cut off: {e}", req.method, strip_query(&req.url)))?;
    Ok(HttpResponse { status, headers, body })
}

/// Native builds (unit tests) have no `wasi:http`.
#[cfg(not(target_arch = "wasm32"))]
pub fn send(req: &HttpRequest) -> Result<HttpResponse, String> {
    let _ = CONNECT_TIMEOUT;
    Err(format!("{} {}: no wasi:http outside a component", req.method, strip_query(&req.url)))
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}
