//! The wire and the clock, behind [`Transport`]: the component's is [`WasiHttp`], the one
//! place that touches `wasi:http` (through waki's WASI bindings); native tests script their own
//! (`okta::testing::Script`), so the retry loop, pagination, rate-limit waits and token
//! renewal run without a host, and their waits take no time. Everything above deals in plain
//! requests and responses.
//!
//! Every wait here is bounded: the connect, first-byte and between-bytes timeouts go to the
//! host in the request options (the host enforces them), and the guest itself never waits past
//! the action's deadline (each blocking step polls a timer beside the I/O). Response headers
//! and bodies are read up to a cap.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// What the core needs from outside the component. One call per request: the body is streamed
/// and capped inside [`Transport::send`].
pub trait Transport: fmt::Debug {
    /// Sends one request and reads its whole answer within `limits`.
    fn send(&self, request: &HttpRequest, limits: &Limits) -> Result<HttpResponse, TransportError>;
    /// The monotonic clock deadlines and rate-limit resets are measured on.
    fn now(&self) -> Instant;
    /// The wall clock (token lifetimes, JWT `iat` and `exp`).
    fn wall_clock(&self) -> SystemTime;
    /// Blocks for `wait` (retries and rate-limit resets).
    fn sleep(&self, wait: Duration);
}

/// The component's transport: `wasi:http` for the wire, the standard clocks (`wasi:clocks`).
#[derive(Debug, Clone, Copy, Default)]
pub struct WasiHttp;

impl Transport for WasiHttp {
    fn send(&self, request: &HttpRequest, limits: &Limits) -> Result<HttpResponse, TransportError> {
        wasi_impl::send(request, limits)
    }
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall_clock(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, wait: Duration) {
        std::thread::sleep(wait)
    }
}

/// A request ready to go on the wire (its `Debug`, written in `okta::debug`, shows no header
/// value or body).
#[derive(Clone)]
pub struct HttpRequest {
    pub method: &'static str,
    /// Absolute URL (`https://acme.okta.com/api/v1/users?limit=2`).
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A complete response (the body fully read; its `Debug` shows no header value or body).
#[derive(Clone, Default, PartialEq)]
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

/// Limits of one exchange.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub between_bytes_timeout: Duration,
    /// The action's deadline: nothing waits past it.
    pub deadline: Instant,
    /// The most body bytes read from this response.
    pub max_body: usize,
}

/// Why an exchange failed. The text never includes headers or bodies (they may hold secrets).
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// No complete answer: refused, reset, DNS, TLS, cut off. Okta may have acted on it.
    Failed(String),
    /// A timeout or the action's deadline.
    TimedOut(String),
    /// The answer is larger than the cap; nothing more was read.
    TooLarge(usize),
}

#[cfg(target_arch = "wasm32")]
mod wasi_impl {
    use super::*;
    use waki::bindings::wasi::clocks::monotonic_clock;
    use waki::bindings::wasi::http::outgoing_handler;
    use waki::bindings::wasi::http::types::{
        ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
    };
    use waki::bindings::wasi::io::poll::{poll, Pollable};
    use waki::bindings::wasi::io::streams::StreamError;

    /// Most response header bytes accepted (names and values together).
    const MAX_HEADER_BYTES: usize = 256 * 1024;
    /// Read size per body chunk.
    const CHUNK: u64 = 64 * 1024;

    /// Sends one request and reads its whole answer within `limits`.
    pub fn send(req: &HttpRequest, limits: &Limits) -> Result<HttpResponse, TransportError> {
        let failed = |what: &str| TransportError::Failed(format!("{} {}: {what}", req.method, strip_query(&req.url)));
        let uri: http::Uri = req.url.parse().map_err(|_| failed("not a valid URL"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(failed("not an absolute URL"));
        };
        let fields: Vec<(String, Vec<u8>)> =
            req.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.as_bytes().to_vec())).collect();
        let headers = Fields::from_list(&fields).map_err(|_| failed("a request header is not valid"))?;
        let outgoing = OutgoingRequest::new(headers);
        let method = match req.method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            other => Method::Other(other.to_string()),
        };
        let scheme = if scheme.eq_ignore_ascii_case("http") { Scheme::Http } else { Scheme::Https };
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        outgoing
            .set_method(&method)
            .and_then(|()| outgoing.set_scheme(Some(&scheme)))
            .and_then(|()| outgoing.set_authority(Some(authority.as_str())))
            .and_then(|()| outgoing.set_path_with_query(Some(path)))
            .map_err(|()| failed("the request line was refused"))?;
        let body = outgoing.body().map_err(|()| failed("no request body stream"))?;

        let remaining = || limits.deadline.saturating_duration_since(Instant::now());
        let timed_out =
            |what: &str| TransportError::TimedOut(format!("{} {}: {what}", req.method, strip_query(&req.url)));
        let ns = |d: Duration| u64::try_from(d.min(remaining()).as_nanos()).unwrap_or(u64::MAX).max(1);
        let options = RequestOptions::new();
        // A host that does not support an option still gets the guest's own deadline.
        let _ = options.set_connect_timeout(Some(ns(limits.connect_timeout)));
        let _ = options.set_first_byte_timeout(Some(ns(limits.first_byte_timeout)));
        let _ = options.set_between_bytes_timeout(Some(ns(limits.between_bytes_timeout)));
        let future = outgoing_handler::handle(outgoing, Some(options)).map_err(|e| failed(&describe(&e)))?;

        write_body(&body, req.body.as_deref().unwrap_or(&[]), limits).map_err(|e| match e {
            Wait::Deadline => timed_out("the action's deadline passed while sending the body"),
            Wait::Failed(m) => failed(&m),
        })?;
        OutgoingBody::finish(body, None).map_err(|e| failed(&describe(&e)))?;

        let ready = future.subscribe();
        let response = loop {
            if let Some(result) = future.get() {
                break result.map_err(|()| failed("the response was already taken"))?.map_err(|e| match e {
                    ErrorCode::ConnectionTimeout | ErrorCode::ConnectionReadTimeout => timed_out(&describe(&e)),
                    ErrorCode::HttpResponseTimeout => timed_out(&describe(&e)),
                    other => failed(&describe(&other)),
                })?;
            }
            if !wait(&ready, limits.deadline) {
                return Err(timed_out("no response before the action's deadline"));
            }
        };
        drop(ready);
        let status = response.status();
        let mut headers = Vec::new();
        let mut header_bytes = 0;
        for (name, value) in response.headers().entries() {
            header_bytes += name.len() + value.len();
            if header_bytes > MAX_HEADER_BYTES {
                return Err(failed("the response headers are larger than 256 KiB"));
            }
            headers.push((name.to_ascii_lowercase(), String::from_utf8_lossy(&value).into_owned()));
        }
        let incoming = response.consume().map_err(|()| failed("no response body"))?;
        let body = read_body(&incoming, limits).map_err(|e| match e {
            Read::Deadline => timed_out("the response body did not arrive before the action's deadline"),
            Read::TooLarge => TransportError::TooLarge(limits.max_body),
            Read::Failed(m) => failed(&format!("the response body was cut off ({m})")),
        })?;
        drop(IncomingBody::finish(incoming));
        Ok(HttpResponse { status, headers, body })
    }

    enum Wait {
        Deadline,
        Failed(String),
    }

    enum Read {
        Deadline,
        TooLarge,
        Failed(String),
    }

    /// Blocks until `ready` or the deadline; false when the deadline came first.
    fn wait(ready: &Pollable, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return ready.ready();
        }
        let timer = monotonic_clock::subscribe_duration(u64::try_from(left.as_nanos()).unwrap_or(u64::MAX));
        let fired = poll(&[ready, &timer]);
        fired.contains(&0) || ready.ready()
    }

    fn write_body(body: &OutgoingBody, mut data: &[u8], limits: &Limits) -> Result<(), Wait> {
        if data.is_empty() {
            return Ok(());
        }
        let out = body.write().map_err(|()| Wait::Failed("no request body stream".into()))?;
        let ready = out.subscribe();
        while !data.is_empty() {
            let permit = out.check_write().map_err(stream_failed)?;
            if permit == 0 {
                if !wait(&ready, limits.deadline) {
                    return Err(Wait::Deadline);
                }
                continue;
            }
            let n = data.len().min(usize::try_from(permit).unwrap_or(usize::MAX));
            out.write(&data[..n]).map_err(stream_failed)?;
            data = &data[n..];
        }
        out.flush().map_err(stream_failed)?;
        loop {
            if out.check_write().map_err(stream_failed)? > 0 {
                return Ok(());
            }
            if !wait(&ready, limits.deadline) {
                return Err(Wait::Deadline);
            }
        }
    }

    fn stream_failed(e: StreamError) -> Wait {
        Wait::Failed(stream_error(e))
    }

    fn stream_error(e: StreamError) -> String {
        match e {
            StreamError::Closed => "the connection closed".into(),
            StreamError::LastOperationFailed(err) => match waki::bindings::wasi::http::types::http_error_code(&err) {
                Some(code) => describe(&code),
                None => "the connection failed".into(),
            },
        }
    }

    fn read_body(incoming: &IncomingBody, limits: &Limits) -> Result<Vec<u8>, Read> {
        let stream = incoming.stream().map_err(|()| Read::Failed("no body stream".into()))?;
        let ready = stream.subscribe();
        let mut body = Vec::new();
        loop {
            match stream.read(CHUNK) {
                Ok(chunk) if chunk.is_empty() => {
                    if !wait(&ready, limits.deadline) {
                        return Err(Read::Deadline);
                    }
                }
                Ok(chunk) => {
                    if body.len() + chunk.len() > limits.max_body {
                        return Err(Read::TooLarge);
                    }
                    body.extend_from_slice(&chunk);
                }
                Err(StreamError::Closed) => break,
                Err(e) => return Err(Read::Failed(stream_error(e))),
            }
        }
        drop(ready);
        drop(stream);
        Ok(body)
    }

    /// wasi-http's error codes in words a user can act on.
    fn describe(e: &ErrorCode) -> String {
        match e {
            ErrorCode::DnsTimeout => "the DNS lookup timed out".into(),
            ErrorCode::DnsError(d) => match &d.rcode {
                Some(rcode) => format!("the DNS lookup failed ({rcode}): check the Okta domain"),
                None => "the DNS lookup failed: check the Okta domain".into(),
            },
            ErrorCode::DestinationNotFound => "the host was not found: check the Okta domain".into(),
            ErrorCode::DestinationUnavailable => "the host is unavailable".into(),
            ErrorCode::DestinationIpProhibited | ErrorCode::DestinationIpUnroutable => {
                "the host's address cannot be reached from here".into()
            }
            ErrorCode::ConnectionRefused => "the connection was refused".into(),
            ErrorCode::ConnectionTerminated => "the connection was closed before a complete answer".into(),
            ErrorCode::ConnectionTimeout => "timed out connecting".into(),
            ErrorCode::ConnectionReadTimeout => "timed out reading the answer".into(),
            ErrorCode::ConnectionWriteTimeout => "timed out sending the request".into(),
            ErrorCode::ConnectionLimitReached => "the host's connection limit was reached".into(),
            ErrorCode::TlsProtocolError => "the TLS handshake failed".into(),
            ErrorCode::TlsCertificateError => "the server's TLS certificate was not accepted".into(),
            ErrorCode::TlsAlertReceived(_) => "the server ended the TLS handshake with an alert".into(),
            ErrorCode::HttpRequestDenied => "the host refused to send the request".into(),
            ErrorCode::HttpRequestLengthRequired => "the server wants a Content-Length".into(),
            ErrorCode::HttpRequestBodySize(_) => "the request body has the wrong size".into(),
            ErrorCode::HttpRequestMethodInvalid => "the request method is not valid".into(),
            ErrorCode::HttpRequestUriInvalid => "the request URL is not valid".into(),
            ErrorCode::HttpRequestUriTooLong => "the request URL is too long".into(),
            ErrorCode::HttpRequestHeaderSectionSize(_) | ErrorCode::HttpRequestHeaderSize(_) => {
                "the request headers are too large".into()
            }
            ErrorCode::HttpRequestTrailerSectionSize(_) | ErrorCode::HttpRequestTrailerSize(_) => {
                "the request trailers are too large".into()
            }
            ErrorCode::HttpResponseIncomplete => "the answer was cut off".into(),
            ErrorCode::HttpResponseHeaderSectionSize(_) | ErrorCode::HttpResponseHeaderSize(_) => {
                "the response headers are too large".into()
            }
            ErrorCode::HttpResponseBodySize(_) => "the response body has the wrong size".into(),
            ErrorCode::HttpResponseTrailerSectionSize(_) | ErrorCode::HttpResponseTrailerSize(_) => {
                "the response trailers are too large".into()
            }
            ErrorCode::HttpResponseTransferCoding(_) => "the response uses an unknown transfer coding".into(),
            ErrorCode::HttpResponseContentCoding(_) => "the response uses an unknown content coding".into(),
            ErrorCode::HttpResponseTimeout => "timed out waiting for the answer".into(),
            ErrorCode::HttpUpgradeFailed => "the HTTP upgrade failed".into(),
            ErrorCode::HttpProtocolError => "the server broke the HTTP protocol".into(),
            ErrorCode::LoopDetected => "a request loop was detected".into(),
            ErrorCode::ConfigurationError => "the host's HTTP configuration is wrong".into(),
            ErrorCode::InternalError(_) => "the host failed to send the request".into(),
        }
    }
}

/// Native builds (unit tests) have no `wasi:http`.
#[cfg(not(target_arch = "wasm32"))]
mod wasi_impl {
    use super::*;

    pub fn send(req: &HttpRequest, _limits: &Limits) -> Result<HttpResponse, TransportError> {
        Err(TransportError::Failed(format!(
            "{} {}: no wasi:http outside a component",
            req.method,
            strip_query(&req.url)
        )))
    }
}

/// The URL without its query, for messages (queries can carry search terms and cursors).
pub fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
