//! The org authorization server's endpoints: `POST /oauth2/v1/token` (form-encoded, RFC 6749
//! error bodies, `DPoP-Nonce` on every answer to a DPoP app) and `GET /oauth2/v1/authorize`
//! (approved at once by the org's admin: a 302 to the redirect URI with `code` and `state`).
//! The checks themselves live in [`super::authz`].

use axum::body::Body;
use axum::extract::State as AxState;
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode};

use super::authz::{OAuthError, TokenCall};
use crate::infra::edge::Endpoint;
use crate::infra::json::J;
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, Routes};
use crate::org::Org;

const TOKEN: Endpoint = Endpoint::public(Bucket::OAuthToken);
const AUTHORIZE: Endpoint = Endpoint::public(Bucket::OAuthAuthorize);

pub fn routes(r: Routes) -> Routes {
    r.handler(
        Method::POST,
        "/oauth2/v1/token",
        TOKEN,
        |AxState(org): AxState<Org>, cx: Ctx| async move { token(&org, &cx) },
    )
    .handler(Method::GET, "/oauth2/v1/authorize", AUTHORIZE, |AxState(org): AxState<Org>, cx: Ctx| async move {
        authorize(&org, &cx)
    })
}

fn json(status: u16, body: &J) -> Response {
    let mut r = Response::new(Body::from(body.to_vec()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r
}

fn header(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// `POST /oauth2/v1/token`.
fn token(org: &Org, cx: &Ctx) -> Response {
    let form_encoded = cx
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        let e = OAuthError::invalid_request_body();
        return json(e.status, &e.body());
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&cx.body).into_owned().collect();
    let authorization = cx.headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let dpop: Vec<&str> = cx.headers.get_all("dpop").iter().filter_map(|v| v.to_str().ok()).collect();
    let url = format!("{}{}", cx.origin, cx.path);
    let call = TokenCall { form: &form, authorization, dpop, url: &url, now: cx.now_secs };
    let Some(answer) = org.with(|st| st.authz.token(&call)) else {
        return json(503, &J::obj([("error", J::s("temporarily_unavailable"))]));
    };
    let mut r = json(answer.status, &answer.body);
    if let Some(nonce) = &answer.nonce {
        header(&mut r, "dpop-nonce", nonce);
    }
    if answer.status == 200 {
        header(&mut r, "x-robots-tag", "noindex,nofollow");
    }
    r
}

/// `GET /oauth2/v1/authorize`.
fn authorize(org: &Org, cx: &Ctx) -> Response {
    let outcome = org.with(|st| st.authz.authorize(&cx.query, cx.now_secs));
    match outcome {
        Some(Ok(location)) => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::FOUND;
            header(&mut r, "location", &location);
            r
        }
        Some(Err(e)) => json(e.status, &e.body()),
        None => json(503, &J::obj([("error", J::s("temporarily_unavailable"))])),
    }
}
