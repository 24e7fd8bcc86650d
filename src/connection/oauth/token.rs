//! The org authorization server's token endpoint (`POST /oauth2/v1/token`): one request with
//! its DPoP proof and client authentication, the `use_dpop_nonce` round, and its OAuth errors
//! as errors a user can act on.

use super::dpop;
use crate::error::{Error, OktaError};
use crate::okta::domain::Origin;
use crate::okta::transport::{HttpRequest, Limits, Transport, TransportError};
use crate::okta::Secret;
use base64ct::Encoding as _;
use serde::Deserialize;
use std::time::{Duration, UNIX_EPOCH};

/// One token set, as Okta issued it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tokens {
    pub access_token: String,
    /// `DPoP` or `Bearer`.
    pub token_type: String,
    /// Epoch seconds (by this instance's clock at issue + `expires_in`); `None` when unknown.
    pub expires_at: Option<u64>,
    pub refresh_token: Option<String>,
    pub scope: String,
}

/// The answer of the token endpoint.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
    scope: Option<String>,
    refresh_token: Option<String>,
}

/// Seconds since the Unix epoch by `transport`'s wall clock.
pub fn unix_seconds(transport: &dyn Transport) -> u64 {
    transport.wall_clock().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// An org's token endpoint, reached through `transport` within the action's `limits`.
#[derive(Clone, Copy)]
pub struct Endpoint<'a> {
    pub origin: &'a Origin,
    pub transport: &'a dyn Transport,
    pub limits: &'a Limits,
}

impl Endpoint<'_> {
    /// `POST /oauth2/v1/token` with the form `form` makes (called again for the retry, so a
    /// client assertion is new each time), a DPoP proof, and `basic` client authentication.
    /// Okta's first answer to a DPoP token request is usually `use_dpop_nonce`: the request is
    /// repeated once with the nonce.
    pub fn request(
        &self,
        basic: Option<(&str, &Secret)>,
        form: &dyn Fn() -> Result<Vec<(String, String)>, Error>,
    ) -> Result<Tokens, Error> {
        let (transport, url) = (self.transport, format!("{}/oauth2/v1/token", self.origin.base()));
        // A token request gets the action's bounds, but never more than 30 s.
        let limits =
            Limits { deadline: self.limits.deadline.min(transport.now() + Duration::from_secs(30)), ..*self.limits };
        for attempt in 0..2 {
            let pairs = form()?;
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
            let mut headers = vec![
                ("accept".to_string(), "application/json".to_string()),
                ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
                ("user-agent".to_string(), crate::okta::client::USER_AGENT.to_string()),
                ("dpop".to_string(), dpop::proof("POST", &url, None, unix_seconds(transport))?),
            ];
            if let Some((id, secret)) = basic {
                // RFC 6749 §2.3.1: both parts form-encoded before base64.
                let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let pair = format!("{}:{}", enc(id), enc(secret.expose()));
                headers.push((
                    "authorization".into(),
                    format!("Basic {}", base64ct::Base64::encode_string(pair.as_bytes())),
                ));
            }
            let http = HttpRequest { method: "POST", url: url.clone(), headers, body: Some(body.into_bytes()) };
            let response = transport.send(&http, &limits).map_err(|e| match e {
                TransportError::Failed(m) | TransportError::TimedOut(m) => Error::Transport(m),
                TransportError::TooLarge(_) => Error::TooLarge("the token endpoint's answer is too large".into()),
            })?;
            if let Some(nonce) = response.header("dpop-nonce") {
                dpop::remember_nonce(&dpop::server(&url), nonce);
            }
            if response.status == 200 {
                let t: TokenResponse = serde_json::from_slice(&response.body).map_err(|_| {
                    Error::UnexpectedResponse("the token endpoint's answer is not a token response".into())
                })?;
                return Ok(Tokens {
                    access_token: t.access_token,
                    token_type: t.token_type,
                    expires_at: t.expires_in.map(|s| unix_seconds(transport) + s),
                    refresh_token: t.refresh_token,
                    scope: t.scope.unwrap_or_default(),
                });
            }
            let err = crate::okta::errors::decode(response.status, &response.body, |h| {
                response.header(h).map(str::to_string)
            });
            if err.code.as_deref() == Some("use_dpop_nonce") && attempt == 0 && response.header("dpop-nonce").is_some()
            {
                continue;
            }
            return Err(token_error(err, attempt > 0));
        }
        Err(unauthorized("use_dpop_nonce", "the authorization server asked for a new DPoP nonce twice in a row"))
    }
}

/// The token endpoint's OAuth errors as typed errors a user can act on.
fn token_error(mut e: OktaError, after_nonce: bool) -> Error {
    let code = e.code.clone().unwrap_or_default();
    let (status, advice) = match code.as_str() {
        "invalid_client" => (401, "the client was refused: check the client id, and that its key or secret is the one registered on the app"),
        "invalid_scope" => (403, "a scope of the connection is not granted to the app: grant it (Okta API Scopes) or remove it from the connection"),
        "invalid_grant" => (401, "the refresh token or code is no longer valid (revoked, expired or already used): the user must connect again"),
        "invalid_dpop_proof" => (401, "Okta refused the DPoP proof"),
        "use_dpop_nonce" if after_nonce => (401, "the authorization server asked for a new DPoP nonce twice in a row"),
        "unauthorized_client" => (403, "the app may not use this grant type: enable it on the app"),
        _ => (e.status, ""),
    };
    if !advice.is_empty() {
        e.summary = format!("{advice} ({})", e.summary);
        e.status = status;
    }
    Error::Okta(Box::new(e))
}

/// A 401 the connector itself decides on (no usable token).
pub fn unauthorized(code: &str, summary: &str) -> Error {
    Error::Okta(Box::new(OktaError {
        status: 401,
        code: Some(code.into()),
        summary: summary.into(),
        ..OktaError::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_read_as_what_to_do() {
        let e = |code: &str, status: u16| OktaError {
            status,
            code: Some(code.into()),
            summary: format!("{code}: x"),
            ..Default::default()
        };
        let shown = |err: Error| match err {
            Error::Okta(o) => (o.status, o.summary),
            other => panic!("{other:?}"),
        };
        let (status, summary) = shown(token_error(e("invalid_grant", 400), false));
        assert_eq!(status, 401, "a revoked refresh token is `unauthorized`");
        assert!(summary.contains("must connect again"));
        let (status, summary) = shown(token_error(e("invalid_scope", 400), false));
        assert_eq!(status, 403);
        assert!(summary.contains("not granted"));
        assert_eq!(shown(token_error(e("server_error", 500), false)).0, 500);
    }
}
