//! The org authorization server's endpoints: `POST /oauth2/v1/token` (form-encoded, RFC 6749
//! error bodies, `DPoP-Nonce` on every answer to a DPoP app), `GET /oauth2/v1/authorize`
//! (approved at once by the org's admin: a 302 to the redirect URI with `code` and `state`),
//! `POST /oauth2/v1/device/authorize` (a native app's device and user codes) and the page a
//! person enters the user code at, `/activate` (`GET` shows it; `POST` with `user_code` and
//! `decision=allow|deny` is the org's admin deciding). The checks themselves live in
//! [`super::authz`] and [`super::device`].

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
const ACTIVATE: Endpoint = Endpoint::public(Bucket::Other);

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
    .handler(Method::POST, "/oauth2/v1/device/authorize", AUTHORIZE, |AxState(org): AxState<Org>, cx: Ctx| async move {
        device_authorize(&org, &cx)
    })
    .handler(Method::GET, "/activate", ACTIVATE, |AxState(_): AxState<Org>, cx: Ctx| async move {
        activate_page(cx.q("user_code").unwrap_or(""), None)
    })
    .handler(Method::POST, "/activate", ACTIVATE, |AxState(org): AxState<Org>, cx: Ctx| async move {
        activate(&org, &cx)
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

fn form_encoded(cx: &Ctx) -> bool {
    cx.headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/x-www-form-urlencoded"))
}

/// `POST /oauth2/v1/token`.
fn token(org: &Org, cx: &Ctx) -> Response {
    if !form_encoded(cx) {
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

/// `POST /oauth2/v1/device/authorize`.
fn device_authorize(org: &Org, cx: &Ctx) -> Response {
    if !form_encoded(cx) {
        let e = OAuthError::invalid_request_body();
        return json(e.status, &e.body());
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&cx.body).into_owned().collect();
    match org.with(|st| st.authz.device_authorize(&form, &cx.origin, cx.now_secs)) {
        Some(Ok(body)) => json(200, &body),
        Some(Err(e)) => json(e.status, &e.body()),
        None => json(503, &J::obj([("error", J::s("temporarily_unavailable"))])),
    }
}

/// `POST /activate`: the org's admin, signed in, decides for the code they typed.
fn activate(org: &Org, cx: &Ctx) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&cx.body).into_owned().collect();
    let f = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let user_code = f("user_code").unwrap_or("");
    let allow = match f("decision") {
        Some("allow") => true,
        Some("deny") => false,
        _ => return activate_page(user_code, Some((400, "Choose allow or deny."))),
    };
    match org.with(|st| st.authz.devices.decide(user_code, allow, cx.now_secs)) {
        Some(Ok(())) if allow => activate_page("", Some((200, "Device activated: return to your device."))),
        Some(Ok(())) => activate_page("", Some((200, "Access denied: nothing was granted."))),
        Some(Err(why)) => activate_page(user_code, Some((400, &why))),
        None => activate_page(user_code, Some((503, "Try again later."))),
    }
}

/// The activation page: a form for the code, and the outcome of the last decision.
fn activate_page(user_code: &str, outcome: Option<(u16, &str)>) -> Response {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let (status, message) = outcome.unwrap_or((200, "Enter the code shown on your device."));
    let html = format!(
        "<!doctype html><title>Activate your device</title><h1>Activate your device</h1><p>{}</p>\
         <form method=post action=/activate><input name=user_code value=\"{}\">\
         <button name=decision value=allow>Allow</button><button name=decision value=deny>Deny</button></form>",
        escape(message),
        escape(user_code)
    );
    let mut r = Response::new(Body::from(html));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    header(&mut r, "content-type", "text/html; charset=utf-8");
    r
}
