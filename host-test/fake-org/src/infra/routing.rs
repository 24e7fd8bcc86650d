//! How an area declares its endpoints: axum routes (method routers, `{param}` paths) built with
//! [`Routes`], each carrying its [`Endpoint`] (rate-limit bucket and OAuth scope) as data, each
//! wrapped in the edge guard. Handlers receive a [`Ctx`] and answer a [`Reply`] or an
//! [`ApiError`]; synchronous handlers run with the state locked.

use std::time::SystemTime;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, Path, Request, State as AxState};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodFilter;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use super::auth::Caller;
use super::clock::epoch_ms;
use super::edge::{self, Endpoint, Guard, RequestMeta};
use super::errors::ApiError;
use super::json::J;
use super::time::epoch_secs;
use super::util;
use crate::areas::state::State;
use crate::areas::system_log::events::{Actor, Audit};
use crate::org::Org;

/// Everything a handler needs to know about the request.
pub struct Ctx {
    /// `scheme://authority` used for `Link` and `_links` URLs.
    pub origin: String,
    pub now: SystemTime,
    pub now_secs: i64,
    /// Request path (normalised).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub raw_query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub request_id: String,
    pub caller: Caller,
}

impl Ctx {
    /// First value of a query parameter.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Boolean query parameter (`true`/`false`, any case); anything else is a 400.
    pub fn q_bool(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.q(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::validation(name, [format!("{name}: '{v}' is not a valid boolean value.")])),
        }
    }

    /// The JSON body as an object (400 E0000003 when absent or not JSON).
    pub fn json_object(&self) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(ApiError::malformed_body()),
        }
    }

    /// The JSON body as an order-preserving object (400 E0000003 when absent or not JSON).
    pub fn json_ordered(&self) -> Result<J, ApiError> {
        match std::str::from_utf8(&self.body).ok().and_then(J::parse) {
            Some(j @ J::Obj(_)) => Ok(j),
            _ => Err(ApiError::malformed_body()),
        }
    }

    /// `okta-response=` flags from the `Content-Type` header (e.g. `omitCredentials`).
    pub fn okta_response_flag(&self, flag: &str) -> bool {
        self.headers.get_all(http::header::CONTENT_TYPE).iter().filter_map(|v| v.to_str().ok()).any(|v| {
            v.split(';').any(|p| {
                p.trim().strip_prefix("okta-response=").map(|l| l.split(',').any(|f| f.trim() == flag)).unwrap_or(false)
            })
        })
    }

    /// How writes of this request are recorded in the System Log.
    pub fn audit(&self) -> Audit {
        let header = |name: &str| self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let ip = header("x-forwarded-for")
            .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
            .unwrap_or_else(|| "127.0.0.1".to_string());
        Audit {
            actor: self.caller.actor.clone(),
            now_ms: epoch_ms(self.now),
            request_id: self.request_id.clone(),
            ip,
            user_agent: header("user-agent").unwrap_or_default(),
            request_uri: self.path.clone(),
            url: match &self.raw_query {
                Some(q) => format!("{}?{q}", self.path),
                None => self.path.clone(),
            },
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Ctx, ApiError> {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let meta = parts.extensions.get::<RequestMeta>().cloned().unwrap_or_else(|| RequestMeta {
            request_id: util::request_id(),
            now: SystemTime::now(),
            origin: edge::origin_of(&parts.uri, &parts.headers),
            caller: Caller { actor: Actor::system(), credential: super::auth::Credential::ApiToken },
        });
        let query = parts
            .uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(Ctx {
            origin: meta.origin,
            now: meta.now,
            now_secs: epoch_secs(meta.now),
            path: parts.uri.path().to_string(),
            raw_query: parts.uri.query().map(str::to_string),
            query,
            headers: parts.headers,
            body,
            request_id: meta.request_id,
            caller: meta.caller,
        })
    }
}

/// A successful answer.
#[derive(Debug)]
pub enum Reply {
    Json { status: u16, body: J, links: Vec<String>, etag: bool },
    NoContent,
}

impl Reply {
    pub fn ok(body: J) -> Reply {
        Reply::Json { status: 200, body, links: Vec::new(), etag: false }
    }
    pub fn list(body: J, links: Vec<String>) -> Reply {
        Reply::Json { status: 200, body, links, etag: false }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::NoContent => StatusCode::NO_CONTENT.into_response(),
            Reply::Json { status, body, links, etag } => {
                let bytes = body.to_vec();
                let tag = etag.then(|| format!("W/\"{}\"", util::digest_hex(&bytes)));
                let mut r = Response::new(Body::from(bytes));
                *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                for l in links {
                    if let Ok(v) = HeaderValue::from_str(&l) {
                        r.headers_mut().append(http::header::LINK, v);
                    }
                }
                if let Some(v) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
                    r.headers_mut().insert(http::header::ETAG, v);
                }
                r
            }
        }
    }
}

pub type HResult = Result<Reply, ApiError>;

/// A handler that runs with the state locked.
pub type Sync0 = fn(&mut State, &Ctx) -> HResult;
/// ... with one path parameter.
pub type Sync1 = fn(&mut State, &Ctx, &str) -> HResult;
/// ... with two path parameters.
pub type Sync2 = fn(&mut State, &Ctx, &str, &str) -> HResult;

fn locked(org: &Org, f: impl FnOnce(&mut State) -> HResult) -> HResult {
    org.with(f).unwrap_or_else(|| Err(ApiError::for_status(503)))
}

/// The routes of all areas, each behind the edge guard.
pub struct Routes {
    org: Org,
    router: axum::Router<Org>,
}

impl Routes {
    pub fn new(org: Org) -> Routes {
        Routes { org, router: axum::Router::new() }
    }

    /// Any axum handler (for handlers that await, such as outbound calls).
    pub fn handler<H, T>(self, method: Method, path: &str, endpoint: Endpoint, handler: H) -> Routes
    where
        H: Handler<T, Org>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method).expect("a standard HTTP method");
        let guard = axum::middleware::from_fn_with_state(Guard { org: self.org.clone(), endpoint }, edge::guard);
        let method_router = axum::routing::on(filter, handler).route_layer(guard);
        Routes { router: self.router.route(path, method_router), org: self.org }
    }

    pub fn sync0(self, method: Method, path: &str, endpoint: Endpoint, f: Sync0) -> Routes {
        self.handler(method, path, endpoint, move |AxState(org): AxState<Org>, cx: Ctx| async move {
            locked(&org, |st| f(st, &cx))
        })
    }

    pub fn sync1(self, method: Method, path: &str, endpoint: Endpoint, f: Sync1) -> Routes {
        self.handler(
            method,
            path,
            endpoint,
            move |AxState(org): AxState<Org>, p: Result<Path<String>, PathRejection>, cx: Ctx| async move {
                let Ok(Path(a)) = p else { return Err(ApiError::path_not_found()) };
                locked(&org, |st| f(st, &cx, &a))
            },
        )
    }

    pub fn sync2(self, method: Method, path: &str, endpoint: Endpoint, f: Sync2) -> Routes {
        self.handler(
            method,
            path,
            endpoint,
            move |AxState(org): AxState<Org>, p: Result<Path<(String, String)>, PathRejection>, cx: Ctx| async move {
                let Ok(Path((a, b))) = p else { return Err(ApiError::path_not_found()) };
                locked(&org, |st| f(st, &cx, &a, &b))
            },
        )
    }

    /// The finished router: 405 for known paths with another method, 404 (behind the guard)
    /// for unknown paths.
    pub fn into_router(self) -> axum::Router {
        let guard = axum::middleware::from_fn_with_state(
            Guard { org: self.org.clone(), endpoint: Endpoint::NOT_FOUND },
            edge::guard,
        );
        let not_found = axum::routing::any(edge::not_found).layer(guard).with_state(self.org.clone());
        self.router
            .method_not_allowed_fallback(edge::method_not_allowed)
            .fallback_service(not_found)
            .with_state(self.org)
    }
}
