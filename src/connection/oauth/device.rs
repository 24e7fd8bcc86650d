//! The OAuth 2.0 Device Authorization Grant (RFC 8628) for native apps, which are public
//! clients (no secret), against the org authorization server:
//! `POST /oauth2/v1/device/authorize` gives the user code, the verification URL and the device
//! code; `POST /oauth2/v1/token` with the `device_code` grant is then polled until the user has
//! signed in on another device. Refreshes name the client in the form instead of
//! authenticating it. Token requests carry a DPoP proof like every other token request.
//!
//! What the authorization server sends back is shown to a person, so it is checked first: one
//! printable line each, a URL that is `https://` (or `http://` on a loopback org), an interval
//! and a lifetime within bounds.

use super::token::{token_error, unauthorized, unix_seconds, Endpoint, Lost, Tokens};
use crate::error::Error;
use crate::okta::domain::Origin;
use crate::okta::transport::{HttpRequest, Limits, TransportError};
use serde_json::Value;
use std::time::Duration;

/// The grant type of the polls (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Okta's default, and RFC 8628's, when the answer has no `interval`.
const DEFAULT_INTERVAL: u32 = 5;
/// Waiting longer than this between polls would let the codes expire unseen.
const MAX_INTERVAL: u32 = 60;
/// Okta's codes live 10 minutes; no answer may keep a host polling longer than an hour.
const MAX_LIFETIME: u64 = 3600;
/// A user code, a device code or a URL longer than this is not Okta's.
const MAX_FIELD: usize = 2048;

/// What the host shows the user, and the device code it polls with.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub device_code: String,
    pub interval: u32,
    pub expires_at: u64,
}

/// Where the authorization stands after one poll (RFC 8628 §3.5).
#[derive(Debug, Clone, PartialEq)]
pub enum Poll {
    Pending,
    SlowDown,
    Denied,
    Expired,
    Tokens(Tokens),
}

struct DeviceAuthorizeResponse {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u32>,
}

impl DeviceAuthorizeResponse {
    /// Reads the answer field by field (no deserializer linked for one answer); `None` when a
    /// required field is missing or of another type.
    fn read(body: &[u8]) -> Option<DeviceAuthorizeResponse> {
        let answer: Value = serde_json::from_slice(body).ok()?;
        let text = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_string);
        let interval = match answer.get("interval") {
            None | Some(Value::Null) => None,
            Some(i) => Some(u32::try_from(i.as_u64()?).ok()?),
        };
        Some(DeviceAuthorizeResponse {
            device_code: text("device_code")?,
            user_code: text("user_code")?,
            verification_uri: text("verification_uri")?,
            verification_uri_complete: text("verification_uri_complete"),
            expires_in: answer.get("expires_in")?.as_u64()?,
            interval,
        })
    }
}

/// `POST /oauth2/v1/device/authorize` with the client id and the scopes (the action's bounds,
/// never more than 30 s, as a token request).
pub fn begin(endpoint: Endpoint, client_id: &str, scopes: &[String]) -> Result<Start, Error> {
    if scopes.is_empty() {
        return Err(Error::connection("scopes", "is empty: give the okta.* scopes the actions need"));
    }
    let (origin, transport) = (endpoint.origin, endpoint.transport);
    let limits = Limits {
        deadline: endpoint.limits.deadline.min(transport.now() + Duration::from_secs(30)),
        ..*endpoint.limits
    };
    let url = format!("{}/oauth2/v1/device/authorize", origin.base());
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("scope", &scopes.join(" "))
        .finish();
    let http = HttpRequest {
        method: "POST",
        url,
        headers: vec![
            ("accept".into(), "application/json".into()),
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
            ("user-agent".into(), crate::okta::client::USER_AGENT.into()),
        ],
        body: Some(body.into_bytes()),
    };
    let response = transport.send(&http, &limits).map_err(|e| match e {
        TransportError::Failed(m) | TransportError::TimedOut(m) => Error::Transport(m),
        TransportError::TooLarge(_) => Error::TooLarge("the device authorization answer is too large".into()),
    })?;
    if response.status != 200 {
        let err =
            crate::okta::errors::decode(response.status, &response.body, |h| response.header(h).map(str::to_string));
        return Err(token_error(err, false));
    }
    let answer = DeviceAuthorizeResponse::read(&response.body).ok_or_else(|| {
        Error::UnexpectedResponse("the device authorization answer is not what RFC 8628 describes".into())
    })?;
    checked(answer, origin, unix_seconds(transport))
}

/// The answer, refused unless every part is fit to show and to wait on.
fn checked(a: DeviceAuthorizeResponse, origin: &Origin, now: u64) -> Result<Start, Error> {
    let bad = |what: &str| Error::UnexpectedResponse(format!("the device authorization answer has {what}"));
    for (name, value) in [("user_code", &a.user_code), ("device_code", &a.device_code)] {
        if !one_line(value) {
            return Err(bad(&format!("an unusable {name}")));
        }
    }
    if !url_of(&a.verification_uri, origin) {
        return Err(bad("a verification_uri that is not a URL of the org"));
    }
    let complete = a.verification_uri_complete.filter(|u| url_of(u, origin));
    if a.expires_in == 0 || a.expires_in > MAX_LIFETIME {
        return Err(bad("an expires_in out of bounds"));
    }
    let interval = a.interval.unwrap_or(DEFAULT_INTERVAL);
    if interval == 0 || interval > MAX_INTERVAL {
        return Err(bad("an interval out of bounds"));
    }
    Ok(Start {
        user_code: a.user_code,
        verification_uri: a.verification_uri,
        verification_uri_complete: complete,
        device_code: a.device_code,
        interval,
        expires_at: now + a.expires_in,
    })
}

fn one_line(value: &str) -> bool {
    !value.trim().is_empty() && value.len() <= MAX_FIELD && !value.chars().any(char::is_control)
}

/// A URL a person may be sent to: on the org's own origin (where Okta's `/activate` page is).
fn url_of(url: &str, origin: &Origin) -> bool {
    let base = origin.base();
    one_line(url) && url.strip_prefix(&base).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// One poll of the token endpoint with the device code.
pub fn poll(endpoint: Endpoint, client_id: &str, device_code: &str) -> Result<Poll, Error> {
    let device_code = device_code.trim();
    if device_code.is_empty() {
        return Err(Error::input("device_code", "is required: pass the one begin-device-authorization returned"));
    }
    if !one_line(device_code) {
        return Err(Error::input(
            "device_code",
            "must be one printable line, as begin-device-authorization returned it",
        ));
    }
    // A poll whose answer was lost may have spent the device code on tokens: not repeated.
    let answer = endpoint.request(Lost::Stop, None, &|| {
        Ok(vec![
            ("grant_type".into(), DEVICE_CODE_GRANT.into()),
            ("device_code".into(), device_code.to_string()),
            ("client_id".into(), client_id.to_string()),
        ])
    });
    match answer {
        Ok(tokens) => Ok(Poll::Tokens(tokens)),
        Err(Error::Okta(e)) => match e.code.as_deref() {
            Some("authorization_pending") => Ok(Poll::Pending),
            Some("slow_down") => Ok(Poll::SlowDown),
            Some("access_denied") => Ok(Poll::Denied),
            Some("expired_token") => Ok(Poll::Expired),
            _ => Err(Error::Okta(e)),
        },
        Err(other) => Err(other),
    }
}

/// New tokens for a refresh token of a public client. With rotation Okta answers with a new
/// refresh token too; without it the old one stays valid.
pub fn refresh(endpoint: Endpoint, client_id: &str, refresh_token: &str) -> Result<Tokens, Error> {
    let mut tokens = endpoint.request(Lost::Stop, None, &|| {
        Ok(vec![
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), refresh_token.to_string()),
            ("client_id".into(), client_id.to_string()),
        ])
    })?;
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = Some(refresh_token.to_string());
    }
    Ok(tokens)
}

/// The connection has no token: what to do.
pub fn no_token() -> Error {
    unauthorized(
        "no_token",
        "the connection has no token yet: sign in with the device authorization (begin-device-authorization, then poll-device-authorization) first",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        crate::okta::domain::parse("acme.okta.com").unwrap()
    }

    fn answer(uri: &str, expires_in: u64, interval: Option<u32>) -> DeviceAuthorizeResponse {
        DeviceAuthorizeResponse {
            device_code: "5cbeb234-7e00-4ff7-9aa2-b1a4558a75d2".into(),
            user_code: "RGTCFDTL".into(),
            verification_uri: uri.into(),
            verification_uri_complete: Some(format!("{uri}?user_code=RGTCFDTL")),
            expires_in,
            interval,
        }
    }

    #[test]
    fn oktas_answer_is_taken_as_it_is() {
        let start = checked(answer("https://acme.okta.com/activate", 600, None), &origin(), 1_000).unwrap();
        assert_eq!(start.user_code, "RGTCFDTL");
        assert_eq!(start.interval, DEFAULT_INTERVAL);
        assert_eq!(
            start.verification_uri_complete.as_deref(),
            Some("https://acme.okta.com/activate?user_code=RGTCFDTL")
        );
        assert_eq!(start.expires_at, 1_600);
    }

    #[test]
    fn answers_unfit_to_show_or_to_wait_on_are_refused() {
        let o = origin();
        for bad in [
            answer("https://evil.example.com/activate", 600, Some(5)),
            answer("https://acme.okta.com.evil.example.com/activate", 600, Some(5)),
            answer("javascript:alert(1)", 600, Some(5)),
            answer("https://acme.okta.com/activate\nX-Injected: 1", 600, Some(5)),
            answer("https://acme.okta.com/activate", 0, Some(5)),
            answer("https://acme.okta.com/activate", MAX_LIFETIME + 1, Some(5)),
            answer("https://acme.okta.com/activate", 600, Some(0)),
            answer("https://acme.okta.com/activate", 600, Some(MAX_INTERVAL + 1)),
        ] {
            assert!(matches!(checked(bad, &o, 0), Err(Error::UnexpectedResponse(_))));
        }
        let mut code = answer("https://acme.okta.com/activate", 600, None);
        code.user_code = "A".repeat(MAX_FIELD + 1);
        assert!(checked(code, &o, 0).is_err());
    }

    #[test]
    fn a_device_code_must_be_given_on_one_line() {
        let limits = Limits {
            connect_timeout: Duration::from_secs(1),
            first_byte_timeout: Duration::from_secs(1),
            between_bytes_timeout: Duration::from_secs(1),
            deadline: std::time::Instant::now(),
            max_body: 1024,
        };
        let (o, nothing_sent) = (origin(), crate::okta::testing::Script::new([]));
        let endpoint = Endpoint { holder: "h", origin: &o, transport: &*nothing_sent, limits: &limits };
        for code in ["", " ", "a\nb"] {
            match poll(endpoint, "0oa1", code) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "device_code"),
                other => panic!("{other:?}"),
            }
        }
    }
}
