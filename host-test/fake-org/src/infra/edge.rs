//! The HTTP edge: every rule that is the same for all Okta areas, in the order real Okta
//! applies them.
//!
//! 1. Path normalisation before routing: repeated slashes collapse and a trailing slash is
//!    dropped (Okta accepted `POST //api/v1/users`).
//! 2. Routing (axum). A known path with a method it does not take gets a bare 405 E0000022
//!    from the edge: only `Date` and `Content-Type`, no request id, no rate-limit headers
//!    ([`method_not_allowed`]). An unknown path reaches [`not_found`] through the guard below,
//!    so its 404 E0000008 counts against a bucket and needs a valid token like any call.
//! 3. [`guard`], around every endpoint: an injected fault answers first; then the endpoint's
//!    rate-limit bucket is spent (404s and 401s count too); then the caller is authenticated
//!    (SSWS, Bearer, or DPoP with its proof) and the endpoint's scope checked (403, empty
//!    body, `WWW-Authenticate`); then the handler runs. The authorization server's endpoints
//!    (`/oauth2/v1/*`) authenticate their clients themselves.
//! 4. [`finish`]: the header set Okta sends for the status class (RECORDED-NOTES §3).

use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};

use super::auth::{self, Caller, Credential, Scope};
use super::errors::ApiError;
use super::faults::Fault;
use super::ratelimit::{Bucket, RateHeaders};
use super::time::epoch_secs;
use super::util;
use crate::areas::system_log::events::Actor;
use crate::org::Org;

/// What the edge needs to know about an endpoint, declared with its route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Endpoint {
    pub bucket: Bucket,
    /// The OAuth scope Okta requires (`None` for the not-found fallback and the
    /// authorization server).
    pub scope: Option<Scope>,
    /// Endpoints of the authorization server authenticate their callers themselves.
    pub public: bool,
}

impl Endpoint {
    pub const fn new(bucket: Bucket, scope: Scope) -> Endpoint {
        Endpoint { bucket, scope: Some(scope), public: false }
    }
    /// An endpoint of the authorization server (`/oauth2/v1/*`).
    pub const fn public(bucket: Bucket) -> Endpoint {
        Endpoint { bucket, scope: None, public: true }
    }
    /// Paths that are not an endpoint.
    pub const NOT_FOUND: Endpoint = Endpoint { bucket: Bucket::Other, scope: None, public: false };
}

/// Marks a request that must be answered with an injected status fault.
#[derive(Clone, Debug)]
pub struct InjectedFault(pub Fault);

/// Per-request facts the guard establishes for the handler.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    /// The `X-Okta-Request-Id` of the response, also the `transaction.id` of logged events.
    pub request_id: String,
    /// The org clock when the request arrived.
    pub now: SystemTime,
    /// `scheme://authority` used for `Link` and `_links` URLs.
    pub origin: String,
    pub caller: Caller,
}

/// Collapses repeated slashes and drops a trailing slash, keeping the query.
pub fn normalise_path(uri: &Uri) -> Uri {
    let path = uri.path();
    let mut clean: String = String::with_capacity(path.len());
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(seg);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if clean == path {
        return uri.clone();
    }
    let pq = match uri.query() {
        Some(q) => format!("{clean}?{q}"),
        None => clean,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = pq.parse().ok();
    Uri::from_parts(parts).unwrap_or_else(|_| uri.clone())
}

/// Scheme + authority for links: from an absolute request URI, else `http://{Host}`.
pub fn origin_of(uri: &Uri, headers: &HeaderMap) -> String {
    if let (Some(scheme), Some(auth)) = (uri.scheme_str(), uri.authority()) {
        return format!("{scheme}://{auth}");
    }
    match headers.get(http::header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) if !host.is_empty() => format!("http://{host}"),
        _ => "http://localhost".to_string(),
    }
}

/// State of the per-endpoint guard layer.
#[derive(Clone, Debug)]
pub struct Guard {
    pub org: Org,
    pub endpoint: Endpoint,
}

enum Admitted {
    /// With the `DPoP-Nonce` to send back, when API calls need one.
    Yes(RateHeaders, Caller, Option<String>),
    No(Response),
}

/// Faults, rate limit, authentication and scope, then the handler, then the header set.
pub async fn guard(State(g): State<Guard>, mut req: Request, next: Next) -> Response {
    let now = g.org.now();
    let origin = origin_of(req.uri(), req.headers());
    let request_id = util::request_id();
    let injected = req.extensions().get::<InjectedFault>().map(|f| f.0.clone());
    let admitted = g.org.with(|st| {
        st.last_origin = Some(origin.clone());
        if let Some(fault) = injected {
            let mut rl = st.rate.peek(g.endpoint.bucket, now);
            let err = match fault {
                Fault::Status(405) => return Admitted::No(plain_error(now, &ApiError::method_not_allowed())),
                Fault::Status(429) => {
                    rl.remaining = 0;
                    ApiError::rate_limited()
                }
                Fault::Status(code) => ApiError::for_status(code),
                Fault::RateLimited { reset_after_secs } => {
                    rl.remaining = 0;
                    rl.reset = epoch_secs(now) + reset_after_secs as i64;
                    ApiError::rate_limited()
                }
                Fault::ConcurrencyLimited => {
                    rl = RateHeaders { limit: 0, remaining: 0, reset: epoch_secs(now) + 1 };
                    ApiError::rate_limited()
                }
                // Answered before the router.
                Fault::Delay(_) | Fault::DropConnection | Fault::DropAfterApply | Fault::TruncateBody => {
                    ApiError::for_status(500)
                }
            };
            return Admitted::No(finish(err.into_response(), now, &request_id, Some(rl)));
        }
        let rl = match st.rate.take(g.endpoint.bucket, now) {
            Ok(h) => h,
            Err(h) => return Admitted::No(finish(ApiError::rate_limited().into_response(), now, &request_id, Some(h))),
        };
        if g.endpoint.public {
            let caller = Caller { actor: Actor::system(), credential: Credential::None };
            return Admitted::Yes(rl, caller, None);
        }
        let facts = auth::Facts {
            method: req.method().as_str(),
            origin: &origin,
            path: req.uri().path(),
            headers: req.headers(),
            now: epoch_secs(now),
            scope: g.endpoint.scope,
        };
        let caller = match auth::authenticate(st, &facts) {
            Ok(c) => c,
            Err(refusal) => return Admitted::No(finish(refusal.into_response(), now, &request_id, Some(rl))),
        };
        if !caller.allows(g.endpoint.scope) {
            let refusal = auth::insufficient_scope(&facts, &caller);
            return Admitted::No(finish(refusal.into_response(), now, &request_id, Some(rl)));
        }
        // Every answer to a DPoP call carries the resource server's current nonce.
        let nonce = match caller.credential {
            Credential::OAuth { dpop: true, .. } => st.authz.api_nonce().map(str::to_string),
            _ => None,
        };
        Admitted::Yes(rl, caller, nonce)
    });
    let (rl, caller, nonce) = match admitted {
        None => return plain_error(now, &ApiError::for_status(503)),
        Some(Admitted::No(resp)) => return resp,
        Some(Admitted::Yes(rl, caller, nonce)) => (rl, caller, nonce),
    };
    req.extensions_mut().insert(RequestMeta { request_id: request_id.clone(), now, origin, caller });
    let mut resp = next.run(req).await;
    if let Some(v) = nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert("dpop-nonce", v);
    }
    finish(resp, now, &request_id, Some(rl))
}

/// The router's answer for a known path and a method it does not take.
pub async fn method_not_allowed(State(org): State<Org>) -> Response {
    plain_error(org.now(), &ApiError::method_not_allowed())
}

/// Handler behind the guard for paths that are not an endpoint.
pub async fn not_found() -> ApiError {
    ApiError::path_not_found()
}

fn header(h: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.append(HeaderName::from_static(name), v);
    }
}

/// 405 (and the no-org fallback): only `Date` and `Content-Type`, like Okta's edge.
pub fn plain_error(now: SystemTime, err: &ApiError) -> Response {
    let mut resp = Response::new(Body::from(err.body().to_vec()));
    *resp.status_mut() = StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    header(h, "date", &httpdate::fmt_http_date(now));
    header(h, "content-type", "application/json");
    resp
}

/// Rebuilds the headers of a handler's response in the set and order Okta sends for the
/// status class: `Date`, `Content-Type` (not on 204), `X-Okta-Request-Id`, the rate-limit trio,
/// the cache trio (not on 429), then the handler's own (`Link`, `ETag`, …). A 405 keeps only
/// `Date` and `Content-Type`.
pub fn finish(resp: Response, now: SystemTime, request_id: &str, rl: Option<RateHeaders>) -> Response {
    let (mut parts, body) = resp.into_parts();
    let own = std::mem::take(&mut parts.headers);
    let status = parts.status;
    let h = &mut parts.headers;
    header(h, "date", &httpdate::fmt_http_date(now));
    if status != StatusCode::NO_CONTENT {
        header(h, "content-type", "application/json");
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return Response::from_parts(parts, body);
    }
    header(h, "x-okta-request-id", request_id);
    if let Some(rl) = rl {
        header(h, "x-rate-limit-limit", &rl.limit.to_string());
        header(h, "x-rate-limit-remaining", &rl.remaining.to_string());
        header(h, "x-rate-limit-reset", &rl.reset.to_string());
    }
    if status != StatusCode::TOO_MANY_REQUESTS {
        header(h, "cache-control", "no-cache, no-store");
        header(h, "pragma", "no-cache");
        header(h, "expires", "0");
    }
    let mut last: Option<HeaderName> = None;
    for (name, value) in own {
        // `HeaderMap::into_iter` yields the name only for the first of repeated values.
        if let Some(n) = name {
            last = Some(n);
        }
        let Some(n) = &last else { continue };
        if n == http::header::CONTENT_TYPE || n == http::header::CONTENT_LENGTH || n == http::header::DATE {
            continue;
        }
        h.append(n.clone(), value);
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_paths() {
        let n = |s: &str| normalise_path(&s.parse::<Uri>().unwrap()).to_string();
        assert_eq!(n("//api/v1/users/?limit=1"), "/api/v1/users?limit=1");
        assert_eq!(n("https://x.test//api//v1/users/"), "https://x.test/api/v1/users");
        assert_eq!(n("/api/v1/users"), "/api/v1/users");
        assert_eq!(n("/"), "/");
    }

    #[test]
    fn header_sets_per_status_class() {
        let now = SystemTime::UNIX_EPOCH;
        let rl = Some(RateHeaders { limit: 5, remaining: 4, reset: 60 });
        let mut ok = Response::new(Body::from("[]"));
        ok.headers_mut().append("link", HeaderValue::from_static("<a>; rel=\"self\""));
        ok.headers_mut().append("link", HeaderValue::from_static("<b>; rel=\"next\""));
        let r = finish(ok, now, "rid", rl);
        let names: Vec<&str> = r.headers().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "date",
                "content-type",
                "x-okta-request-id",
                "x-rate-limit-limit",
                "x-rate-limit-remaining",
                "x-rate-limit-reset",
                "cache-control",
                "pragma",
                "expires",
                "link"
            ]
        );
        assert_eq!(r.headers().get_all("link").iter().count(), 2);
        let r = finish(ApiError::rate_limited().into_response(), now, "rid", rl);
        assert!(r.headers().get("cache-control").is_none() && r.headers().get("x-okta-request-id").is_some());
        let r = finish(StatusCode::NO_CONTENT.into_response(), now, "rid", rl);
        assert!(r.headers().get("content-type").is_none());
        let r = finish(ApiError::method_not_allowed().into_response(), now, "rid", rl);
        assert_eq!(r.headers().len(), 2);
    }
}
