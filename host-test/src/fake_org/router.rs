//! The axum router (one fallback handler with a hand-written dispatcher, so Okta's 404/405/
//! error-body rules apply uniformly), request context, and response finishing.
//!
//! Order of checks, as real Okta behaves: a known path with the wrong method gets a bare 405
//! E0000022 (no request id, no rate-limit headers: it is answered at the edge); then the
//! rate-limit bucket is spent (404s and 401s count too); then the token is checked; then the
//! endpoint runs.

use std::time::SystemTime;

use axum::body::Body;
use axum::extract::State as AxState;
use axum::response::Response;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

use super::errors::ApiError;
use super::json::J;
use super::ratelimit::{Bucket, RateHeaders};
use super::state::State;
use super::time::epoch_secs;
use super::{resources, users, util, FakeOrg, Fault, InjectedFault, WeakOrg};

/// Everything a handler needs to know about the request.
pub struct Ctx {
    /// `scheme://authority` used for `Link` and `_links` URLs.
    pub origin: String,
    pub now: SystemTime,
    pub now_secs: i64,
    pub method: Method,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
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

    /// `okta-response=` flags from the `Content-Type` header (e.g. `omitCredentials`).
    pub fn okta_response_flag(&self, flag: &str) -> bool {
        self.headers.get_all(http::header::CONTENT_TYPE).iter().filter_map(|v| v.to_str().ok()).any(|v| {
            v.split(';').any(|p| {
                p.trim().strip_prefix("okta-response=").map(|l| l.split(',').any(|f| f.trim() == flag)).unwrap_or(false)
            })
        })
    }
}

/// A successful answer.
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

pub type HResult = Result<Reply, ApiError>;

/// Endpoints, with their path parameters (percent-decoded).
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Users,
    User(String),
    Lifecycle(String, String),
    ChangePassword(String),
    Sessions(String),
    AppLinks(String),
    UserGroups(String),
    Grants(String),
    Blocks(String),
    Factors(String),
    Factor(String, String),
    UserTypes,
    UserType(String),
    Groups,
    Group(String),
    GroupUsers(String),
    GroupUser(String, String),
}

const GET: &[Method] = &[Method::GET];
const POST: &[Method] = &[Method::POST];
const DELETE: &[Method] = &[Method::DELETE];

/// Matches decoded path segments to a route and the methods it allows.
pub fn route(segs: &[String]) -> Option<(Route, &'static [Method])> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let rest = match s.as_slice() {
        ["api", "v1", rest @ ..] => rest,
        _ => return None,
    };
    let own = |x: &str| x.to_string();
    Some(match rest {
        ["users"] => (Route::Users, &[Method::GET, Method::POST]),
        ["users", id] => (Route::User(own(id)), &[Method::GET, Method::POST, Method::PUT, Method::DELETE]),
        ["users", id, "lifecycle", op] => (Route::Lifecycle(own(id), own(op)), POST),
        ["users", id, "credentials", "change_password"] => (Route::ChangePassword(own(id)), POST),
        ["users", id, "sessions"] => (Route::Sessions(own(id)), DELETE),
        ["users", id, "appLinks"] => (Route::AppLinks(own(id)), GET),
        ["users", id, "groups"] => (Route::UserGroups(own(id)), GET),
        ["users", id, "grants"] => (Route::Grants(own(id)), GET),
        ["users", id, "blocks"] => (Route::Blocks(own(id)), GET),
        ["users", id, "factors"] => (Route::Factors(own(id)), GET),
        ["users", id, "factors", fid] => (Route::Factor(own(id), own(fid)), &[Method::GET, Method::DELETE]),
        ["meta", "types", "user"] => (Route::UserTypes, GET),
        ["meta", "types", "user", tid] => (Route::UserType(own(tid)), GET),
        ["groups"] => (Route::Groups, &[Method::GET, Method::POST]),
        ["groups", gid] => (Route::Group(own(gid)), &[Method::GET, Method::PUT, Method::DELETE]),
        ["groups", gid, "users"] => (Route::GroupUsers(own(gid)), GET),
        ["groups", gid, "users", uid] => (Route::GroupUser(own(gid), own(uid)), &[Method::PUT, Method::DELETE]),
        _ => return None,
    })
}

fn bucket_for(route: Option<&Route>, method: &Method) -> Bucket {
    match route {
        Some(Route::User(_)) if method == Method::GET => Bucket::UserGet,
        Some(Route::UserTypes | Route::UserType(_)) => Bucket::Meta,
        Some(Route::Groups | Route::Group(_) | Route::GroupUsers(_) | Route::GroupUser(..)) => Bucket::Groups,
        Some(_) => Bucket::Users,
        None => Bucket::Other,
    }
}

/// The axum router: every request goes to [`dispatch`].
pub fn build(org: WeakOrg) -> axum::Router {
    axum::Router::new().fallback(dispatch).with_state(org)
}

/// Scheme + authority for links: from an absolute request URI, else `http://{Host}`.
fn origin_of(uri: &http::Uri, headers: &HeaderMap) -> String {
    if let (Some(scheme), Some(auth)) = (uri.scheme_str(), uri.authority()) {
        return format!("{scheme}://{auth}");
    }
    match headers.get(http::header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) if !host.is_empty() => format!("http://{host}"),
        _ => "http://localhost".to_string(),
    }
}

async fn dispatch(AxState(org): AxState<WeakOrg>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let injected = parts.extensions.get::<InjectedFault>().map(|f| f.0.clone());
    let now = SystemTime::now();
    let query: Vec<(String, String)> =
        parts.uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let segs: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let ctx = Ctx {
        origin: origin_of(&parts.uri, &parts.headers),
        now,
        now_secs: epoch_secs(now),
        method: parts.method,
        query,
        headers: parts.headers,
        body,
    };
    org.with_state(|st| respond(st, &ctx, &segs, injected))
        .unwrap_or_else(|| plain_error(&ctx, &ApiError::for_status(503)))
}

fn authorized(headers: &HeaderMap, tolerate_ssws_without_space: bool) -> bool {
    let value = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // Bench only: Okta's Python SDK 3.4.x sends `SSWS<token>` (no space), which Okta refuses.
    if tolerate_ssws_without_space && value.and_then(|v| v.strip_prefix("SSWS")) == Some(FakeOrg::TOKEN) {
        return true;
    }
    value
        .and_then(|v| v.split_once(' '))
        .map(|(scheme, token)| scheme.eq_ignore_ascii_case("SSWS") && token.trim() == FakeOrg::TOKEN)
        .unwrap_or(false)
}

fn respond(st: &mut State, ctx: &Ctx, segs: &[String], injected: Option<Fault>) -> Response {
    st.last_origin = Some(ctx.origin.clone());
    let routed = route(segs);
    if let Some((_, allowed)) = &routed {
        if !allowed.contains(&ctx.method) {
            return plain_error(ctx, &ApiError::method_not_allowed());
        }
    }
    let bucket = bucket_for(routed.as_ref().map(|r| &r.0), &ctx.method);
    if let Some(fault) = injected {
        let mut rl = st.rate.peek(bucket, ctx.now);
        let err = match fault {
            Fault::Status(405) => return plain_error(ctx, &ApiError::method_not_allowed()),
            Fault::Status(429) => {
                rl.remaining = 0;
                ApiError::rate_limited()
            }
            Fault::Status(code) => ApiError::for_status(code),
            Fault::RateLimited { reset_after_secs } => {
                rl.remaining = 0;
                rl.reset = ctx.now_secs + reset_after_secs as i64;
                ApiError::rate_limited()
            }
            Fault::ConcurrencyLimited => {
                rl = RateHeaders { limit: 0, remaining: 0, reset: ctx.now_secs + 1 };
                ApiError::rate_limited()
            }
            // Handled before the router.
            Fault::Delay(_) | Fault::DropConnection | Fault::TruncateBody => ApiError::for_status(500),
        };
        return finish(ctx, Err(err), Some(rl));
    }
    let rl = match st.rate.take(bucket, ctx.now) {
        Ok(h) => h,
        Err(h) => return finish(ctx, Err(ApiError::rate_limited()), Some(h)),
    };
    if !authorized(&ctx.headers, st.tolerate_ssws_without_space) {
        return finish(ctx, Err(ApiError::invalid_token()), Some(rl));
    }
    if ctx.method != Method::GET {
        st.version += 1;
    }
    let result = match routed {
        None => Err(ApiError::path_not_found()),
        Some((route, _)) => handle_route(st, ctx, route),
    };
    finish(ctx, result, Some(rl))
}

fn handle_route(st: &mut State, ctx: &Ctx, route: Route) -> HResult {
    let m = &ctx.method;
    match route {
        Route::Users if m == Method::GET => users::list(st, ctx),
        Route::Users => users::create(st, ctx),
        Route::User(id) if m == Method::GET => users::get(st, ctx, &id),
        Route::User(id) if m == Method::POST => users::update(st, ctx, &id, false),
        Route::User(id) if m == Method::PUT => users::update(st, ctx, &id, true),
        Route::User(id) => users::delete(st, ctx, &id),
        Route::Lifecycle(id, op) => users::lifecycle(st, ctx, &id, &op),
        Route::ChangePassword(id) => users::change_password(st, ctx, &id),
        Route::Sessions(id) => users::clear_sessions(st, &id),
        Route::AppLinks(id) => resources::app_links(st, ctx, &id),
        Route::UserGroups(id) => resources::user_groups(st, ctx, &id),
        Route::Grants(id) => resources::grants(st, ctx, &id),
        Route::Blocks(id) => resources::blocks(st, &id),
        Route::Factors(id) => resources::factors(st, ctx, &id),
        Route::Factor(id, fid) if m == Method::GET => resources::factor(st, ctx, &id, &fid),
        Route::Factor(id, fid) => resources::unenroll_factor(st, ctx, &id, &fid),
        Route::UserTypes => resources::user_types(st, ctx),
        Route::UserType(tid) => resources::user_type(st, ctx, &tid),
        Route::Groups if m == Method::GET => resources::list_groups(st, ctx),
        Route::Groups => resources::create_group(st, ctx),
        Route::Group(gid) if m == Method::GET => resources::get_group(st, ctx, &gid),
        Route::Group(gid) if m == Method::PUT => resources::replace_group(st, ctx, &gid),
        Route::Group(gid) => resources::delete_group(st, &gid),
        Route::GroupUsers(gid) => resources::group_users(st, ctx, &gid),
        Route::GroupUser(gid, uid) => resources::group_membership(st, ctx, &gid, &uid),
    }
}

fn header(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().append(HeaderName::from_static(name), v);
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// 405 (and the no-state fallback): only `Date` and `Content-Type`, like Okta's edge.
fn plain_error(ctx: &Ctx, err: &ApiError) -> Response {
    let mut resp = Response::new(Body::from(err.body().to_vec()));
    *resp.status_mut() = status(err.status);
    header(&mut resp, "date", &httpdate::fmt_http_date(ctx.now));
    header(&mut resp, "content-type", "application/json");
    resp
}

/// Adds the header set real Okta sends for the status class (RECORDED-NOTES §3).
fn finish(ctx: &Ctx, result: HResult, rl: Option<RateHeaders>) -> Response {
    let request_id = util::request_id();
    let (mut resp, is_429, links, etag) = match result {
        Ok(Reply::NoContent) => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NO_CONTENT;
            (r, false, Vec::new(), None)
        }
        Ok(Reply::Json { status: code, body, links, etag }) => {
            let bytes = body.to_vec();
            let tag = etag.then(|| format!("W/\"{}\"", util::digest_hex(&bytes)));
            let mut r = Response::new(Body::from(bytes));
            *r.status_mut() = status(code);
            (r, false, links, tag)
        }
        Err(err) => {
            if err.status == 405 {
                return plain_error(ctx, &err);
            }
            let mut r = Response::new(Body::from(err.body().to_vec()));
            *r.status_mut() = status(err.status);
            (r, err.status == 429, Vec::new(), None)
        }
    };
    header(&mut resp, "date", &httpdate::fmt_http_date(ctx.now));
    if resp.status() != StatusCode::NO_CONTENT {
        header(&mut resp, "content-type", "application/json");
    }
    header(&mut resp, "x-okta-request-id", &request_id);
    if let Some(rl) = rl {
        header(&mut resp, "x-rate-limit-limit", &rl.limit.to_string());
        header(&mut resp, "x-rate-limit-remaining", &rl.remaining.to_string());
        header(&mut resp, "x-rate-limit-reset", &rl.reset.to_string());
    }
    if !is_429 {
        // 429s come without the cache headers; everything else carries them.
        header(&mut resp, "cache-control", "no-cache, no-store");
        header(&mut resp, "pragma", "no-cache");
        header(&mut resp, "expires", "0");
    }
    for l in &links {
        header(&mut resp, "link", l);
    }
    if let Some(tag) = etag {
        header(&mut resp, "etag", &tag);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        p.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn routes() {
        assert_eq!(route(&segs("/api/v1/users")).unwrap().0, Route::Users);
        assert_eq!(route(&segs("//api/v1/users/")).unwrap().0, Route::Users);
        assert_eq!(route(&segs("/api/v1/users/me")).unwrap().0, Route::User("me".into()));
        assert_eq!(
            route(&segs("/api/v1/users/x/lifecycle/suspend")).unwrap().0,
            Route::Lifecycle("x".into(), "suspend".into())
        );
        assert!(route(&segs("/api/v1/users/x/unknown")).is_none());
        assert!(route(&segs("/api/v2/users")).is_none());
        assert_eq!(route(&segs("/api/v1/meta/types/user")).unwrap().1, GET);
    }
}
