//! An embedded fake Okta org: the Users area of the management API (plus the bits of groups,
//! factors, app links and user types that user flows touch), served in-process or on a socket.
//!
//! Behaviour follows real recordings (`fixtures/okta/RECORDED-NOTES.md`): two separate `Link`
//! lines, opaque per-listing cursors, `200 {}` on lifecycle calls, two-DELETE user deletion,
//! Okta error bodies in Okta key order, per-family rate-limit buckets with unaligned windows,
//! and the header set real responses carry for each status class.
//!
//! One implementation serves both entry points: [`FakeOrg::handle`] runs the axum router
//! in-process via `tower::ServiceExt::oneshot`, and [`FakeOrg::serve`] wraps `handle` in a
//! hyper HTTP/1 accept loop.

mod errors;
mod faults;
mod json;
mod paging;
mod query;
mod ratelimit;
mod resources;
mod router;
mod seed;
mod state;
mod time;
mod users;
mod util;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tower::ServiceExt;

use state::State;

/// A fault injected into the next matching request(s).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this status and an Okta error body (500 → E0000009, 503 → E0000010,
    /// 429 → E0000047 with `Remaining: 0`, 404 → E0000008, …).
    Status(u16),
    /// A real-looking 429: `X-Rate-Limit-Limit` = the bucket limit, `Remaining: 0`,
    /// `Reset` = `Date` + `reset_after_secs`.
    RateLimited { reset_after_secs: u64 },
    /// Concurrency-limit 429: `X-Rate-Limit-Limit: 0`, `Remaining: 0`, `Reset` = `Date` + 1 s.
    ConcurrencyLimited,
    /// Wait, then answer normally.
    Delay(Duration),
    /// No response at all (the socket is closed).
    DropConnection,
    /// Headers and half of the body, then the connection fails.
    TruncateBody,
}

/// Result of serving one request in-process.
#[derive(Debug)]
pub enum Outcome {
    /// `truncate_at`: deliver only this many body bytes, then fail (for [`Fault::TruncateBody`]).
    Response { response: http::Response<Bytes>, truncate_at: Option<usize> },
    /// The connection is dropped without a response.
    Dropped,
}

/// A request as the org saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

struct Inner {
    state: Mutex<State>,
    router: axum::Router,
}

/// Handle to a fake org; clones share the same state.
#[derive(Clone)]
pub struct FakeOrg {
    inner: Arc<Inner>,
}

/// Marks a request that must be answered with an injected status fault.
#[derive(Clone, Debug)]
pub(crate) struct InjectedFault(pub Fault);

/// The router's state: a weak handle, so the org does not own itself through its router.
#[derive(Clone)]
pub(crate) struct WeakOrg(Weak<Inner>);

impl WeakOrg {
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        let inner = self.0.upgrade()?;
        let mut guard = lock(&inner.state);
        Some(f(&mut guard))
    }
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FakeOrg {
    /// The API token the fake org accepts (`Authorization: SSWS <token>`); anything else → 401 E0000011.
    pub const TOKEN: &'static str = "fake-org-token-0123456789";

    fn with_state(state: State) -> FakeOrg {
        let inner = Arc::new_cyclic(|weak: &Weak<Inner>| Inner {
            state: Mutex::new(state),
            router: router::build(WeakOrg(weak.clone())),
        });
        FakeOrg { inner }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    /// Seeded from `fixtures/` (about 300 users of mixed statuses, groups, apps with
    /// assignments, factors, user types; an ACTIVE admin is `/users/me`).
    pub fn seeded() -> FakeOrg {
        FakeOrg::with_state(seed::seeded_state())
    }

    /// Empty org: user types and the Everyone group only (no users, so no `me`).
    pub fn empty() -> FakeOrg {
        FakeOrg::with_state(seed::empty_state())
    }

    /// Adds `n` deterministically generated ACTIVE users (with passwords). Ids and logins depend
    /// only on how many users were generated before, so the same calls give the same users on
    /// every run. Their ids sort after the fixtures and before users created through the API.
    pub fn generate_users(&self, n: usize) {
        seed::generate_users(&mut self.st(), n);
    }

    /// Allow `limit` requests per `window` in every bucket (users, single-user GET, groups,
    /// meta, other) and start fresh windows. Default: 600 per minute.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        self.st().rate.configure(limit, window);
    }

    /// Queue a fault for the next `times` requests matching `method` (or `*`) and
    /// `path_pattern`, where `*` matches one path segment and a final `**` any remainder.
    pub fn inject_fault(&self, method: &str, path_pattern: &str, fault: Fault, times: u32) {
        self.st().faults.push(method, path_pattern, fault, times);
    }

    /// Like [`FakeOrg::inject_fault`], after letting `skip` matching requests through (a
    /// fault in the middle of a listing).
    pub fn inject_fault_after(&self, method: &str, path_pattern: &str, fault: Fault, skip: u32, times: u32) {
        self.st().faults.push_after(method, path_pattern, fault, skip, times);
    }

    /// Serve one request in-process. The request carries an absolute URI or a `Host` header;
    /// links are built from that origin (`http://{Host}` without an absolute URI).
    pub async fn handle(&self, req: http::Request<Bytes>) -> Outcome {
        let (parts, body) = req.into_parts();
        let fault = {
            let mut st = self.st();
            st.seen.push(SeenRequest {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                query: parts.uri.query().map(str::to_string),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect(),
                body: body.to_vec(),
            });
            st.faults.take(parts.method.as_str(), parts.uri.path())
        };
        let mut injected = None;
        let mut truncate = false;
        match fault {
            Some(Fault::DropConnection) => return Outcome::Dropped,
            Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
            Some(Fault::TruncateBody) => truncate = true,
            Some(other) => injected = Some(other),
            None => {}
        }
        let mut req = http::Request::from_parts(parts, axum::body::Body::from(body));
        if let Some(f) = injected {
            req.extensions_mut().insert(InjectedFault(f));
        }
        let response = match self.inner.router.clone().oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let (mut parts, body) = response.into_parts();
        // Okta sends bodies chunked, without Content-Length (axum adds one for full bodies).
        parts.headers.remove(http::header::CONTENT_LENGTH);
        let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
        let truncate_at = truncate.then_some(bytes.len() / 2);
        Outcome::Response { response: http::Response::from_parts(parts, bytes), truncate_at }
    }

    /// Serve on a real socket until the future is dropped (same code path as [`handle`]).
    /// Links use `http://{Host header}`. Dropping the future also closes open connections.
    ///
    /// [`handle`]: FakeOrg::handle
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, _) = accepted?;
                    let org = self.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let org = org.clone();
                            async move { org.serve_one(req).await }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }

    async fn serve_one(
        &self,
        req: http::Request<hyper::body::Incoming>,
    ) -> Result<http::Response<WireBody>, std::io::Error> {
        let (parts, body) = req.into_parts();
        let bytes =
            body.collect().await.map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?.to_bytes();
        match self.handle(http::Request::from_parts(parts, bytes)).await {
            // hyper closes the connection without answering when the service fails.
            Outcome::Dropped => {
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "injected fault: drop connection"))
            }
            Outcome::Response { response, truncate_at } => {
                let (parts, body) = response.into_parts();
                Ok(http::Response::from_parts(parts, WireBody::new(body, truncate_at)))
            }
        }
    }

    /// Bench only, off by default: also accept `Authorization: SSWS<token>` without the space
    /// (what Okta's Python SDK 3.4.x sends; real Okta answers 401).
    pub fn tolerate_ssws_without_space(&self, on: bool) {
        self.st().tolerate_ssws_without_space = on;
    }

    /// Every user's id, any status, in id order (the order listings use).
    pub fn user_ids(&self) -> Vec<String> {
        self.st().users.keys().cloned().collect()
    }

    /// Number of users in the org, any status (deleted users are gone).
    pub fn user_count(&self) -> usize {
        self.st().users.len()
    }

    /// A user as `GET /api/v1/users/{id_or_login}` would return it (links use the origin of the
    /// last request, or `http://localhost`).
    pub fn get_user_json(&self, id_or_login: &str) -> Option<serde_json::Value> {
        let st = self.st();
        let id = st.resolve_user(id_or_login)?;
        let origin = st.last_origin.clone().unwrap_or_else(|| "http://localhost".to_string());
        let user = st.users.get(&id)?;
        Some(users::render_user(&st, user, &origin, users::LinkSet::Full, false).to_value())
    }

    /// Every request seen so far, in order (including ones answered with a fault).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.st().seen.clone()
    }
}

/// Response body on the socket: no length hint (chunked, like Okta), optionally cut short
/// with an error so hyper aborts the connection mid-body. Before failing it pauses briefly so
/// the head and the partial body are flushed to the client first.
struct WireBody {
    data: Option<Bytes>,
    fail: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl WireBody {
    fn new(body: Bytes, truncate_at: Option<usize>) -> WireBody {
        match truncate_at {
            Some(n) => {
                let part = body.slice(..n.min(body.len()));
                WireBody {
                    data: (!part.is_empty()).then_some(part),
                    fail: Some(Box::pin(tokio::time::sleep(Duration::from_millis(50)))),
                }
            }
            None => WireBody { data: (!body.is_empty()).then_some(body), fail: None },
        }
    }
}

impl HttpBody for WireBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if let Some(pause) = self.fail.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.fail = None;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "injected fault: truncated body",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.fail.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
