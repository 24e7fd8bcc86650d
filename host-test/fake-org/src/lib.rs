//! An embedded fake Okta org, served in-process or on a socket: users (with factors, user
//! types, app links), groups, applications and app assignments, policies, realms, the System
//! Log, event hooks and the org authorization server (`/oauth2/v1`: client credentials with
//! `private_key_jwt`, authorization code with PKCE, rotating refresh tokens, DPoP), each area
//! in its own module under `areas/`, sharing the infrastructure under `infra/` (state and its System
//! Log, rendering, paging, the HTTP edge, authentication).
//!
//! Behaviour follows real recordings (`fixtures/okta/RECORDED-NOTES.md`): two separate `Link`
//! lines, opaque per-listing cursors, `200 {}` on lifecycle calls, two-DELETE user deletion,
//! Okta error bodies in Okta key order, per-family rate-limit buckets with unaligned windows,
//! and the header set real responses carry for each status class.
//!
//! One implementation serves both entry points: [`FakeOrg::handle`] runs the axum router
//! in-process via `tower::ServiceExt::oneshot`, and [`FakeOrg::serve`] wraps `handle` in a
//! hyper HTTP/1 accept loop.

mod areas;
mod infra;
pub mod loopback;
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

use self::infra::edge::{self, InjectedFault};
use self::infra::org::{Org, Shared};
use self::infra::render::{render_user, LinkSet};
use self::infra::{auth, authz, clock, events, json, scope, seed, time};

pub use self::infra::authz::TokenStats;
pub use self::infra::faults::Fault;
pub use self::infra::state::Delivery as HookDelivery;
pub use self::infra::state::SeenRequest;

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

    fn with_state(state: self::infra::state::State) -> FakeOrg {
        let shared = Arc::new(Shared::new(state));
        let router = areas::router(Org::new(&shared));
        FakeOrg { shared, router }
    }

    fn st(&self) -> std::sync::MutexGuard<'_, self::infra::state::State> {
        self.shared.lock()
    }

    /// Seeded from `fixtures/` (about 300 users of mixed statuses, groups, apps with
    /// assignments, factors, user types; an ACTIVE admin is `/users/me`), with a System Log
    /// history of the 30 days before now.
    pub fn seeded() -> FakeOrg {
        let org = FakeOrg::with_state(seed::seeded_state());
        let now = clock::epoch_ms(org.now());
        seed::seed_past_events(&mut org.st(), now);
        org
    }

    /// Empty org: user types and the Everyone group only (no users, so no `me`).
    pub fn empty() -> FakeOrg {
        FakeOrg::with_state(seed::empty_state())
    }

    /// Adds `n` deterministically generated ACTIVE users (with passwords). Ids and logins depend
    /// only on how many users were generated before, so the same calls give the same users on
    /// every run. Their ids sort after the fixtures and before users created through the API.
    /// This is seeding, not an API write: nothing is logged.
    pub fn generate_users(&self, n: usize) {
        seed::generate_users(&mut self.st(), n);
    }

    /// Allow `limit` requests per `window` in every bucket (users, single-user GET, groups,
    /// apps, logs, …) and start fresh windows. Default: 600 per minute.
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
        match fault {
            Some(Fault::DropConnection) => return Outcome::Dropped,
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

    /// An OAuth access token for these scopes (`okta.users.read`, …) that never expires,
    /// accepted as `Authorization: Bearer <token>`; endpoints whose scope it lacks answer 403
    /// with an empty body and `WWW-Authenticate: Bearer …, scope="…",
    /// error="insufficient_scope"`. `Err` names an unknown scope.
    pub fn issue_access_token(&self, scopes: &[&str]) -> Result<String, String> {
        let parsed = scopes
            .iter()
            .map(|s| scope::Scope::parse(s).ok_or_else(|| format!("unknown scope {s}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.st().issue_access_token(parsed))
    }

    /// Registers a service app: client credentials with a `private_key_jwt` assertion checked
    /// against its public keys. `Err` names a key or scope the org cannot take.
    pub fn register_service_app(&self, app: &ServiceApp) -> Result<(), String> {
        let keys = app
            .keys
            .iter()
            .map(|(kid, text)| authz::PublicKey::parse(text, kid.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("a service app needs a public key".into());
        }
        let scopes = known_scopes(&app.scopes)?;
        self.st().authz.register(authz::Client {
            id: app.client_id.clone(),
            auth: authz::ClientAuth::PrivateKeyJwt { keys },
            scopes,
            dpop: app.dpop,
        });
        Ok(())
    }

    /// Registers a web app: authorization code (PKCE checked when a challenge was sent) with
    /// `client_secret_basic`, refresh tokens for `offline_access`.
    pub fn register_web_app(&self, app: &WebApp) -> Result<(), String> {
        if app.redirect_uris.is_empty() {
            return Err("a web app needs a redirect URI".into());
        }
        let scopes = known_scopes(&app.scopes)?;
        let rotation = match app.rotation_grace {
            Some(g) => authz::Rotation::Rotate { grace_secs: g.as_secs() as i64 },
            None => authz::Rotation::Static,
        };
        self.st().authz.register(authz::Client {
            id: app.client_id.clone(),
            auth: authz::ClientAuth::Secret {
                secret: app.client_secret.clone(),
                redirect_uris: app.redirect_uris.clone(),
                rotation,
            },
            scopes,
            dpop: app.dpop,
        });
        Ok(())
    }

    /// Registers the [`demo_apps`]: a web app and a DPoP service app.
    pub fn register_demo_apps(&self) {
        use demo_apps::*;
        let web = WebApp::new(WEB_CLIENT_ID, WEB_CLIENT_SECRET, WEB_REDIRECT_URI, &SCOPES);
        let service = ServiceApp::new(SERVICE_CLIENT_ID, SERVICE_PUBLIC_KEY, Some(SERVICE_KEY_ID), &SCOPES);
        for registered in [self.register_web_app(&web), self.register_service_app(&service)] {
            registered.expect("the demo apps are valid");
        }
    }

    /// How long access tokens issued from now on live (`expires_in`; default one hour).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.st().authz.lifetime_secs = lifetime.as_secs() as i64;
    }

    /// What the token endpoint did so far.
    pub fn token_stats(&self) -> TokenStats {
        self.st().authz.stats
    }

    /// Plays the user's browser at an authorize URL: the org's admin approves at once. Returns
    /// the `Location` the org redirects to (with `code` and `state`, or `error`), or `Err` with
    /// the status and body when the org refuses to redirect.
    pub async fn authorize(&self, url: &str) -> Result<String, String> {
        let request = http::Request::get(url).body(Bytes::new()).map_err(|e| e.to_string())?;
        match self.handle(request).await {
            Outcome::Response { response, .. } if response.status() == http::StatusCode::FOUND => response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| "a redirect without Location".to_string()),
            Outcome::Response { response, .. } => {
                Err(format!("{} {}", response.status().as_u16(), String::from_utf8_lossy(response.body())))
            }
            Outcome::Dropped => Err("connection dropped".into()),
        }
    }

    /// Revokes every access token issued so far: the next API call with one gets 401.
    pub fn revoke_access_tokens(&self) {
        self.st().authz.revoke_access_tokens();
    }

    /// Revokes every refresh token of a client (the user must connect again).
    pub fn revoke_refresh_tokens(&self, client_id: &str) {
        self.st().authz.revoke_refresh_tokens(client_id);
    }

    /// Makes API calls with DPoP-bound tokens carry the resource server's nonce (401
    /// `use_dpop_nonce` otherwise); every answer to them hands out the current nonce. Okta
    /// does not ask for one today; off by default.
    pub fn require_api_dpop_nonce(&self, on: bool) {
        self.st().authz.require_api_nonce = on;
    }

    /// A new resource-server nonce, handed out from now on; the previous one keeps working
    /// until [`FakeOrg::expire_dpop_nonces`].
    pub fn rotate_api_dpop_nonce(&self) {
        self.st().authz.rotate_api_nonce();
    }

    /// A new token-endpoint nonce; the previous one keeps working (Okta's daily rotation).
    pub fn rotate_token_dpop_nonce(&self) {
        self.st().authz.rotate_token_nonce();
    }

    /// New nonces everywhere, the old ones refused at once.
    pub fn expire_dpop_nonces(&self) {
        self.st().authz.expire_nonces();
    }

    /// Bench only, off by default: also accept `Authorization: SSWS<token>` without the space
    /// (what Okta's Python SDK 3.4.x sends; real Okta answers 401).
    pub fn tolerate_ssws_without_space(&self, on: bool) {
        self.st().tolerate_ssws_without_space = on;
    }

    /// Every user's id, any status, in id order (the order listings use).
    pub fn user_ids(&self) -> Vec<String> {
        self.st().users().keys().cloned().collect()
    }

    /// Number of users in the org, any status (deleted users are gone).
    pub fn user_count(&self) -> usize {
        self.st().users().len()
    }

    /// A user as `GET /api/v1/users/{id_or_login}` would return it (links use the origin of the
    /// last request, or `http://localhost`).
    pub fn get_user_json(&self, id_or_login: &str) -> Option<serde_json::Value> {
        let st = self.st();
        let id = st.resolve_user(id_or_login)?;
        let origin = st.last_origin.clone().unwrap_or_else(|| "http://localhost".to_string());
        let user = st.user(&id)?;
        Some(render_user(&st, user, &origin, LinkSet::Full, false).to_value())
    }

    /// Every request seen so far, in order (including ones answered with a fault).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.st().seen.clone()
    }

    /// Every System Log event, in persistence order (the order polling queries return them), as
    /// `GET /api/v1/logs` renders them.
    pub fn log_events(&self) -> Vec<serde_json::Value> {
        self.st().log().all().iter().map(|e| e.doc.to_value()).collect()
    }

    /// Records an event of a known type (`user.lifecycle.create`, …) by the admin, published at
    /// `published` but persisted now: a late event that polling queries return after events
    /// published later. Returns its `uuid`, or `None` for an event type the org does not know.
    pub fn append_log_event_late(&self, event_type: &str, published: SystemTime) -> Option<String> {
        let ev = events::EVENT_TYPES.iter().find(|(_, s)| s.name == event_type)?.0;
        let now = clock::epoch_ms(self.now());
        let mut st = self.st();
        let audit = events::Audit::system(st.admin_actor(), now);
        let published = clock::epoch_ms(published);
        st.record_at(&audit, ev, Vec::new(), events::EventOutcome::Success, published);
        let uuid = st.log().all().last().map(|e| e.uuid.clone());
        drop(st);
        self.shared.deliver_pending();
        uuid
    }

    /// Stores a complete LogEvent document (JSON text, key order kept) persisted at `persisted`,
    /// for replaying recorded events. It needs `uuid`, `eventType` and `published`.
    pub fn append_log_event_json(&self, doc: &str, persisted: SystemTime) -> Result<String, String> {
        let j = json::J::parse(doc).ok_or("not JSON")?;
        let uuid = j.get("uuid").and_then(json::J::as_str).ok_or("no uuid")?.to_string();
        j.get("eventType").and_then(json::J::as_str).ok_or("no eventType")?;
        let published =
            j.get("published").and_then(json::J::as_str).and_then(time::parse_iso_ms).ok_or("no valid published")?;
        self.st().append_event_doc(j, published, clock::epoch_ms(persisted));
        self.shared.deliver_pending();
        Ok(uuid)
    }

    /// Every event-hook delivery attempt so far, in order (no header values: the hook's
    /// secret stays out).
    pub fn hook_deliveries(&self) -> Vec<HookDelivery> {
        self.st().deliveries().to_vec()
    }

    /// Delivers a logged event again to the hooks that want it, with a new `eventId`: Okta
    /// delivers at least once. `false` for an unknown uuid.
    pub fn redeliver_event(&self, uuid: &str) -> bool {
        let queued = self.st().requeue_event(uuid);
        self.shared.deliver_pending();
        queued
    }

    /// How long the org waits for an event-hook endpoint (verification and delivery; default
    /// 3 s, as Okta).
    pub fn set_hook_timeout(&self, timeout: Duration) {
        self.shared.outbound.set_timeout(timeout);
    }

    /// Waits until at least `n` delivery attempts were made, at most `timeout`.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.st().deliveries().len() >= n {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Events written from now on are persisted `delay` after they happen: log queries see
    /// them only then, after events persisted in between.
    pub fn set_log_persist_delay(&self, delay: Duration) {
        self.st().set_log_delay(delay.as_millis() as i64);
    }

    /// Stops the org clock at `t` (resource timestamps, `published`, `Date`, rate windows).
    pub fn pin_clock(&self, t: SystemTime) {
        self.shared.clock.pin(t);
    }

    /// Moves the org clock forward (pinning it if it followed system time).
    pub fn advance_clock(&self, d: Duration) {
        self.shared.clock.advance(d);
    }

    /// Lets the org clock follow system time again.
    pub fn release_clock(&self) {
        self.shared.clock.release();
    }

    /// The org clock's current time.
    pub fn now(&self) -> SystemTime {
        self.shared.clock.now()
    }
}

/// The OAuth apps [`FakeOrg::register_demo_apps`] registers, for hosts and demos that talk
/// to a served fake org.
pub mod demo_apps {
    /// A web app: authorization code, rotating refresh tokens, no DPoP.
    pub const WEB_CLIENT_ID: &str = "0oafakeweb0000000001";
    pub const WEB_CLIENT_SECRET: &str = "fake-web-secret-0123456789";
    pub const WEB_REDIRECT_URI: &str = "http://localhost:8765/callback";
    /// A service app requiring DPoP, with the public half of `fixtures/keys/rsa-pkcs8.pem`.
    pub const SERVICE_CLIENT_ID: &str = "0oafakesvc0000000001";
    pub const SERVICE_KEY_ID: &str = "fake-org-key";
    pub(super) const SERVICE_PUBLIC_KEY: &str = include_str!("../../../fixtures/keys/rsa-public.pem");
    /// What both are granted.
    pub const SCOPES: [&str; 6] = [
        "okta.users.read",
        "okta.users.manage",
        "okta.groups.read",
        "okta.groups.manage",
        "okta.apps.read",
        "okta.logs.read",
    ];
}

/// A service app to register with [`FakeOrg::register_service_app`].
#[derive(Clone, Debug)]
pub struct ServiceApp {
    pub client_id: String,
    /// Its public keys: `(kid, JWK or `-----BEGIN PUBLIC KEY-----` PEM)`; a JWK's own `kid`
    /// applies when none is given.
    pub keys: Vec<(Option<String>, String)>,
    /// The scopes granted to it.
    pub scopes: Vec<String>,
    /// Require DPoP (on, as for API service apps made since February 2024).
    pub dpop: bool,
}

impl ServiceApp {
    /// A DPoP-requiring app with one key.
    pub fn new(client_id: &str, public_key: &str, kid: Option<&str>, scopes: &[&str]) -> ServiceApp {
        ServiceApp {
            client_id: client_id.to_string(),
            keys: vec![(kid.map(str::to_string), public_key.to_string())],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            dpop: true,
        }
    }
}

/// A web app to register with [`FakeOrg::register_web_app`].
#[derive(Clone, Debug)]
pub struct WebApp {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    /// The `okta.*` scopes granted to it (`openid`, `offline_access`, … always allowed).
    pub scopes: Vec<String>,
    /// Refresh-token rotation with this grace period; `None`: the same refresh token stays.
    pub rotation_grace: Option<Duration>,
    /// Require DPoP on token requests.
    pub dpop: bool,
}

impl WebApp {
    /// Rotating refresh tokens with Okta's default 30 s grace, no DPoP.
    pub fn new(client_id: &str, client_secret: &str, redirect_uri: &str, scopes: &[&str]) -> WebApp {
        WebApp {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            redirect_uris: vec![redirect_uri.to_string()],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            rotation_grace: Some(Duration::from_secs(authz::DEFAULT_GRACE_SECS as u64)),
            dpop: false,
        }
    }
}

/// Granted scopes: the management API's own (`okta.users.read`, …) or OIDC ones.
fn known_scopes(scopes: &[String]) -> Result<Vec<String>, String> {
    for s in scopes {
        if s.starts_with("okta.") && scope::Scope::parse(s).is_none() {
            return Err(format!("unknown scope {s}"));
        }
    }
    Ok(scopes.to_vec())
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
