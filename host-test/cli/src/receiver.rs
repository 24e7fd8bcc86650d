//! `hook serve`'s HTTP side: Okta's requests, bounded before the component sees any, and the
//! deliveries of the hook received one at a time.
//!
//! Bounds, all enforced before a component is instantiated:
//! - connections: at most `--max-connections` are served at once; the next is accepted when
//!   one closes;
//! - headers: complete within `--header-timeout` of the request's first byte, at most 64 KiB;
//! - idle: a connection that sends nothing for `--idle-timeout` (after connecting, between
//!   requests, or not reading its answer) is closed;
//! - body: at most 4 MiB (a larger `Content-Length` is answered 413 before any of it is
//!   read), arriving within `--idle-timeout` (else 408);
//! - a delivery (`POST`) without the hook's secret header is answered 401 unread.
//!
//! The trigger's state is what makes each event come out once (WIT `triggers`), so this
//! follows its contract for concurrent receivers by construction: one lock per hook, held
//! from reading the state, through the component's receive, to storing the new state and
//! printing the events. Okta gets its answer after that.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use okta_harness::{Backend, Connector};

use crate::output::{err, outln};

/// The largest delivery read (the component's own limit).
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// The most header bytes buffered for one request.
const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The header the Event Hook trigger has Okta send its shared secret in.
const SECRET_HEADER: &str = "x-okta-connector-secret";

/// The receiver's bounds (see the module's header).
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// The hook being served: the trigger's input, and its state behind the per-hook lock.
pub struct Hook {
    connector: Arc<Connector>,
    input: Value,
    state: tokio::sync::Mutex<String>,
}

impl Hook {
    pub fn new(connector: Arc<Connector>, input: Value) -> Hook {
        Hook { connector, input, state: tokio::sync::Mutex::new(String::new()) }
    }

    /// The state now (waits for a delivery being received).
    pub async fn state(&self) -> String {
        self.state.lock().await.clone()
    }

    /// Sets the state (that of the deploy).
    pub async fn set_state(&self, state: String) {
        *self.state.lock().await = state;
    }
}

/// Accepts connections until the listener fails, at most `bounds.max_connections` at once.
pub async fn accept(listener: tokio::net::TcpListener, hook: Arc<Hook>, bounds: Bounds) {
    let slots = Arc::new(tokio::sync::Semaphore::new(bounds.max_connections.max(1)));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: try again shortly rather than spin or stop.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let hook = hook.clone();
        tokio::spawn(async move {
            serve_connection(stream, hook, bounds).await;
            drop(slot);
        });
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, hook: Arc<Hook>, bounds: Bounds) {
    let phase = Arc::new(Phase::new());
    let io = Watched::new(stream, phase.clone(), bounds);
    let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let (hook, phase) = (hook.clone(), phase.clone());
        async move {
            let _busy = phase.busy();
            Ok::<_, std::convert::Infallible>(answer(&hook, req, bounds).await)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .max_buf_size(MAX_HEADER_BYTES)
        .serve_connection(hyper_util::rt::TokioIo::new(io), service)
        .await;
}

fn reply(status: u16, reason: &str) -> http::Response<Full<Bytes>> {
    let body = if reason.is_empty() { String::new() } else { json!({ "error": reason }).to_string() };
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

/// One request from Okta: checked against the bounds, then through the component's receive
/// under the hook's lock.
async fn answer(hook: &Hook, req: http::Request<hyper::body::Incoming>, bounds: Bounds) -> http::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    if parts.method == http::Method::POST && !parts.headers.contains_key(SECRET_HEADER) {
        return reply(401, "the shared secret is missing or wrong");
    }
    let declared = parts.headers.get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return reply(413, "the delivery is larger than 4 MiB");
    }
    let body = match tokio::time::timeout(bounds.idle_timeout, Limited::new(body, MAX_BODY).collect()).await {
        Err(_) => return reply(408, "the body did not arrive in time"),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return reply(413, "the delivery is larger than 4 MiB");
        }
        Ok(Err(_)) => return reply(400, "the body was cut off"),
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let headers: Vec<(String, String)> =
        parts.headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let reception = {
        let mut state = hook.state.lock().await;
        let received = match hook.connector.instantiate(Backend::Scripted(Vec::new())).await {
            Ok(mut instance) => {
                instance.receive_hook(&hook.input, &state, parts.method.as_str(), &header_refs, &body).await
            }
            Err(e) => Err(e),
        };
        let reception = match received {
            Ok(r) => r,
            Err(e) => {
                err(&format!("the component failed: {e:#}\n"));
                return reply(500, "");
            }
        };
        if !reception.state.is_empty() {
            *state = reception.state.clone();
        }
        if let Ok(Value::Array(events)) = serde_json::from_str::<Value>(&reception.events) {
            for event in events {
                if outln!("{event}").is_err() {
                    break;
                }
            }
        }
        reception
    };
    let mut response = http::Response::builder().status(reception.status);
    for kv in &reception.headers {
        response = response.header(kv.key.as_str(), kv.value.as_str());
    }
    response.body(Full::new(Bytes::from(reception.body))).unwrap_or_default()
}

/// Where a connection is: waiting for a request (since when), reading a request's headers
/// (since their first byte), or busy with a request (its body, its reception, its answer).
#[derive(Clone, Copy)]
enum State {
    Waiting(Instant),
    Head(Instant),
    Busy,
}

/// A connection's [`State`], shared by its socket and its requests.
struct Phase(Mutex<State>);

impl Phase {
    fn new() -> Phase {
        Phase(Mutex::new(State::Waiting(Instant::now())))
    }

    fn get(&self) -> State {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, state: State) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    /// When the connection is cut if nothing changes.
    fn deadline(&self, bounds: &Bounds) -> Option<Instant> {
        match self.get() {
            State::Waiting(since) => Some(since + bounds.idle_timeout),
            State::Head(since) => Some(since + bounds.header_timeout),
            State::Busy => None,
        }
    }

    /// Bytes came in: a waiting connection starts a request's headers.
    fn bytes_in(&self) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let State::Waiting(_) = *s {
            *s = State::Head(Instant::now());
        }
    }

    /// Busy until the guard is dropped, then waiting for the next request.
    fn busy(self: &Arc<Self>) -> Busy {
        self.set(State::Busy);
        Busy(self.clone())
    }
}

struct Busy(Arc<Phase>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.set(State::Waiting(Instant::now()));
    }
}

/// A socket that fails with `TimedOut` when its [`Phase`]'s deadline passes while it waits to
/// read or write: what cuts off slow and silent clients.
struct Watched<T> {
    io: T,
    phase: Arc<Phase>,
    bounds: Bounds,
    timer: Pin<Box<Sleep>>,
    armed: Option<Instant>,
}

impl<T> Watched<T> {
    fn new(io: T, phase: Arc<Phase>, bounds: Bounds) -> Watched<T> {
        Watched { io, phase, bounds, timer: Box::pin(tokio::time::sleep(Duration::ZERO)), armed: None }
    }

    /// `Ready(TimedOut)` once the deadline has passed; otherwise arms the timer to wake the
    /// task at the deadline.
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        let Some(deadline) = self.phase.deadline(&self.bounds) else { return Poll::Pending };
        if self.armed != Some(deadline) {
            self.timer.as_mut().reset(deadline);
            self.armed = Some(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(std::io::Error::new(std::io::ErrorKind::TimedOut, "the client was too slow"))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.phase.bytes_in();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.check(cx).map(Err),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, data) {
            Poll::Pending => self.check(cx).map(Err),
            done => done,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match Pin::new(&mut self.io).poll_flush(cx) {
            Poll::Pending => self.check(cx).map(Err),
            done => done,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_cut_waiting_or_reading_headers_never_while_busy() {
        let bounds = Bounds {
            header_timeout: Duration::from_secs(2),
            idle_timeout: Duration::from_secs(300),
            max_connections: 1,
        };
        let left = |phase: &Phase| phase.deadline(&bounds).map(|d| d.saturating_duration_since(Instant::now()));
        let near = |left: Option<Duration>, want: u64| {
            left.is_some_and(|l| {
                l <= Duration::from_secs(want) && l + Duration::from_secs(1) > Duration::from_secs(want)
            })
        };
        let phase = Arc::new(Phase::new());
        assert!(near(left(&phase), 300), "silent since connecting: {:?}", left(&phase));
        phase.bytes_in();
        assert!(near(left(&phase), 2), "headers, from their first byte: {:?}", left(&phase));
        let busy = phase.busy();
        assert_eq!(left(&phase), None, "waiting for the hook's lock is not the client's fault");
        drop(busy);
        assert!(near(left(&phase), 300), "waiting for the next request: {:?}", left(&phase));
    }
}
