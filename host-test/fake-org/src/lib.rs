//! An embedded fake Okta org, served in-process or on a socket: users (with factors, user
//! types, app links), groups, applications and app assignments, policies, realms, the System
//! Log, event hooks and the org authorization server (`/oauth2/v1`: client credentials with
//! `private_key_jwt`, authorization code with PKCE, the device authorization with its
//! `/activate` page, rotating refresh tokens, DPoP).
//!
//! Behaviour follows real recordings (`fixtures/okta/RECORDED-NOTES.md`): two separate `Link`
//! lines, opaque per-listing cursors, `200 {}` on lifecycle calls, two-DELETE user deletion,
//! Okta error bodies in Okta key order, per-family rate-limit buckets with unaligned windows,
//! and the header set real responses carry for each status class.
//!
//! One implementation serves both entry points: [`FakeOrg::handle`] runs the axum router
//! in-process via `tower::ServiceExt::oneshot`, and [`FakeOrg::serve`] wraps `handle` in a
//! hyper HTTP/1 accept loop.
//!
//! # Layout
//!
//! - `areas/<area>/`, one folder per Okta area (`users` with factors and user types, `groups`,
//!   `apps`, `policies`, `realms`, `system_log`, `event_hooks`, `oauth`): its records
//!   (`model.rs`), its part of the org's state with the writes that record the System Log event
//!   Okta would (`state.rs`), its seed from `fixtures/` (`seed.rs`), its routes (`routes.rs`),
//!   and what tests do with a [`FakeOrg`] for that area (`api.rs`). Adding an area is a folder,
//!   its fields in `areas/state.rs`, its lines in `areas/mod.rs` (router and seed) and its
//!   event types in the System Log's table (`areas/system_log/events.rs`).
//! - `areas/state.rs`: every area's data side by side in one `State`, with the request
//!   bookkeeping and the bench's switches (`BenchOptions`); `org.rs`: that state under one
//!   mutex with the clock and the outbound calls, and the router's handle on it.
//! - `infra/`: what all areas share, holding no area's data: the HTTP edge (faults, rate
//!   limits, authentication, the header set), routing and paged listings, error bodies, SCIM
//!   expressions, rendering helpers, order-preserving JSON ([`json::J`]), the clock.
//! - `fixtures.rs` (tests only): the generator of `fixtures/*.json`.
//! - `serve.rs` and `loopback.rs`: serving on a socket, for the binary and the hosts' tests.

mod areas;
#[cfg(test)]
mod fixtures;
mod infra;
pub mod loopback;
mod org;
pub mod serve;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tower::ServiceExt;

use self::areas::state::State;
use self::areas::system_log::seed::seed_past_events;
use self::infra::edge::{self, InjectedFault};
use self::infra::{auth, clock};
use self::org::{Org, Shared};

pub use self::areas::event_hooks::model::Delivery as HookDelivery;
pub use self::areas::oauth::apps::{demo_apps, NativeApp, ServiceApp, WebApp};
pub use self::areas::oauth::authz::TokenStats;
pub use self::areas::state::SeenRequest;
pub use self::infra::faults::Fault;
/// JSON whose objects keep their key order, as the fake org reads and renders Okta's.
pub use self::infra::json;

/// Result of serving one request in-process.
#[derive(Debug)]
pub enum Outcome {
    /// `truncate_at`: deliver only this many body bytes, then fail (for [`Fault::TruncateBody`]).
    Response { response: http::Response<Bytes>, truncate_at: Option<usize> },
    /// The connection is dropped without a response.
    Dropped,
}

/// Handle to a fake org; clones share the same state.
#[derive(Clone)]
pub struct FakeOrg {
    shared: Arc<Shared>,
    router: axum::Router,
}

impl FakeOrg {
    /// The API token the fake org accepts (`Authorization: SSWS <token>`); anything else → 401 E0000011.
    pub const TOKEN: &'static str = auth::TOKEN;

    fn with_state(state: State) -> FakeOrg {
        let shared = Arc::new(Shared::new(state));
        let router = areas::router(Org::new(&shared));
        FakeOrg { shared, router }
    }

    fn st(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// Seeded from `fixtures/` (about 300 users of mixed statuses, groups, apps with
    /// assignments, factors, user types; an ACTIVE admin is `/users/me`), with a System Log
    /// history of the 30 days before now.
    pub fn seeded() -> FakeOrg {
        let org = FakeOrg::with_state(areas::seeded_state());
        let now = clock::epoch_ms(org.now());
        seed_past_events(&mut org.st(), now);
        org
    }

    /// Empty org: user types and the Everyone group only (no users, so no `me`).
    pub fn empty() -> FakeOrg {
        FakeOrg::with_state(areas::empty_state())
    }

    /// Allow `limit` requests per `window` in every bucket (users, single-user GET, groups,
    /// apps, logs, …) and start fresh windows. Default: 600 per minute.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        self.st().rate.configure(limit, window);
    }

    /// Allow at most `limit` API requests in flight at once (Okta's per-org concurrency limit;
    /// `None`: no limit, the default), each holding its slot `hold` before it is answered.
    pub fn set_concurrency_limit(&self, limit: Option<u32>, hold: Duration) {
        self.st().concurrency.configure(limit, hold);
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
        let (mut parts, body) = req.into_parts();
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
        let mut drop_after = false;
        match fault {
            Some(Fault::DropConnection) => return Outcome::Dropped,
            Some(Fault::DropAfterApply) => drop_after = true,
            Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
            Some(Fault::TruncateBody) => truncate = true,
            Some(other) => injected = Some(other),
            None => {}
        }
        // Okta accepts `//api/v1/users/`: normalise before routing.
        parts.uri = edge::normalise_path(&parts.uri);
        let mut req = http::Request::from_parts(parts, axum::body::Body::from(body));
        if let Some(f) = injected {
            req.extensions_mut().insert(InjectedFault(f));
        }
        let response = match self.router.clone().oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let (mut parts, body) = response.into_parts();
        // Okta sends bodies chunked, without Content-Length (axum adds one for full bodies), and
        // its edge sends no `Allow` with a 405.
        parts.headers.remove(http::header::CONTENT_LENGTH);
        parts.headers.remove(http::header::ALLOW);
        let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
        let truncate_at = truncate.then_some(bytes.len() / 2);
        // Events this request wrote go to the event hooks that want them.
        self.shared.deliver_pending();
        if drop_after {
            return Outcome::Dropped;
        }
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
        self.st().bench.tolerate_ssws_without_space = on;
    }

    /// Gives this org an API token of its own instead of the shared [`FakeOrg::TOKEN`] (which
    /// it then refuses), so that a multi-tenant test can tell whose credentials came in.
    pub fn set_api_token(&self, token: &str) {
        self.st().api_token = Some(token.to_string());
    }

    /// Every request seen since the last call, in order, forgotten by the org: what a long
    /// test checks as it goes without the record growing.
    pub fn take_requests(&self) -> Vec<SeenRequest> {
        std::mem::take(&mut self.st().seen)
    }

    /// Every request seen so far, in order (including ones answered with a fault).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.st().seen.clone()
    }

    /// Stops the org clock at `t` (resource timestamps, `published`, `Date`, rate windows).
    pub fn pin_clock(&self, t: SystemTime) {
        self.shared.clock.pin(t);
    }

    /// Moves the org clock forward (pinning it if it followed system time).
    pub fn advance_clock(&self, d: Duration) {
        self.shared.clock.advance(d);
    }

    /// The org clock's current time.
    pub fn now(&self) -> SystemTime {
        self.shared.clock.now()
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
