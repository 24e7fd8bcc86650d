//! The org authorization server's token endpoint (`POST /oauth2/v1/token`): one request with
//! its DPoP proof and client authentication, the `use_dpop_nonce` round, retries, and its
//! OAuth errors as errors a user can act on.
//!
//! The token endpoint's 429s and 5xx are retried as the core retries an API call (a 429
//! waits for its reset), within the retry budget and the token request's own 30 s; a lost
//! answer (a transport error) is retried only when [`Lost::Retry`] says nothing was spent.

use super::dpop;
use crate::error::{Error, OktaError};
use crate::okta::client::jitter;
use crate::okta::config::Config;
use crate::okta::domain::Origin;
use crate::okta::ratelimit;
use crate::okta::retry::{self, Attempted, Decision, Policy};
use crate::okta::transport::{HttpRequest, Limits, Transport, TransportError};
use crate::okta::Secret;
use base64ct::Encoding as _;
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

/// One token set, as Okta issued it. Its `Debug` shows no token.
#[derive(Clone, PartialEq)]
pub struct Tokens {
    pub access_token: String,
    /// `DPoP` or `Bearer`.
    pub token_type: String,
    /// Epoch seconds (by this instance's clock at issue + `expires_in`); `None` when unknown.
    pub expires_at: Option<u64>,
    pub refresh_token: Option<String>,
    pub scope: String,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .field("scope", &self.scope)
            .finish()
    }
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

impl TokenResponse {
    /// The token set, issued at `now`. An `expires_in` past the end of time is an unknown
    /// lifetime (the token is used until refused), not an overflow.
    fn issued(self, now: u64) -> Tokens {
        Tokens {
            access_token: self.access_token,
            token_type: self.token_type,
            expires_at: self.expires_in.and_then(|s| now.checked_add(s)),
            refresh_token: self.refresh_token,
            scope: self.scope.unwrap_or_default(),
        }
    }
}

/// Seconds since the Unix epoch by `transport`'s wall clock.
pub fn unix_seconds(transport: &dyn Transport) -> u64 {
    transport.wall_clock().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Whether a token request whose answer was lost (a transport error) is sent again.
#[derive(Clone, Copy, PartialEq)]
pub enum Lost {
    /// Client credentials: a new assertion asks for a new token; nothing is spent.
    Retry,
    /// A code or a refresh token: it may have been spent by the request that got no answer.
    Stop,
}

/// An org's token endpoint, reached through `transport` within the action's `limits`.
#[derive(Clone, Copy)]
pub struct Endpoint<'a> {
    /// The connection's identity, whose DPoP key signs the proofs.
    pub holder: &'a str,
    pub origin: &'a Origin,
    pub transport: &'a dyn Transport,
    pub limits: &'a Limits,
}

impl Endpoint<'_> {
    /// `POST /oauth2/v1/token` with the form `form` makes (called again for each attempt, so
    /// a client assertion is new each time), a DPoP proof of the holder's key, and `basic`
    /// client authentication. Okta's first answer to a DPoP token request is usually
    /// `use_dpop_nonce`: the request is repeated once with the nonce. 429s and 5xx are retried
    /// as for an API call, lost answers only when `lost` says so.
    pub fn request(
        &self,
        lost: Lost,
        basic: Option<(&str, &Secret)>,
        form: &dyn Fn() -> Result<Vec<(String, String)>, Error>,
    ) -> Result<Tokens, Error> {
        let (transport, url) = (self.transport, format!("{}/oauth2/v1/token", self.origin.base()));
        // A token request gets the action's bounds, but never more than 30 s.
        let limits =
            Limits { deadline: self.limits.deadline.min(transport.now() + Duration::from_secs(30)), ..*self.limits };
        let config = Config::from_env();
        let policy =
            Policy { max_attempts: config.max_attempts, budget: config.retry_budget, backoff: config.retry_backoff };
        let (mut attempt, mut waited, mut nonce_retried) = (1, Duration::ZERO, false);
        loop {
            let pairs = form()?;
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
            let mut headers = vec![
                ("accept".to_string(), "application/json".to_string()),
                ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
                ("user-agent".to_string(), crate::okta::client::USER_AGENT.to_string()),
                ("dpop".to_string(), dpop::proof(self.holder, "POST", &url, None, unix_seconds(transport))?),
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
            let (outcome, error, repeatable) = match transport.send(&http, &limits) {
                Ok(response) => {
                    if let Some(nonce) = response.header("dpop-nonce") {
                        dpop::remember_nonce(self.holder, &dpop::server(&url), nonce);
                    }
                    if response.status == 200 {
                        let answer: TokenResponse = serde_json::from_slice(&response.body).map_err(|_| {
                            Error::UnexpectedResponse("the token endpoint's answer is not a token response".into())
                        })?;
                        return Ok(answer.issued(unix_seconds(transport)));
                    }
                    let err = crate::okta::errors::decode(response.status, &response.body, |h| {
                        response.header(h).map(str::to_string)
                    });
                    if err.code.as_deref() == Some("use_dpop_nonce")
                        && !nonce_retried
                        && response.header("dpop-nonce").is_some()
                    {
                        nonce_retried = true;
                        continue;
                    }
                    // Okta answers a 5xx before it acts on the grant; a 429 before it reads it.
                    let outcome = Attempted::Status(response.status, ratelimit::read(&response));
                    (outcome, token_error(err, nonce_retried), true)
                }
                Err(TransportError::TooLarge(_)) => {
                    return Err(Error::TooLarge("the token endpoint's answer is too large".into()))
                }
                Err(TransportError::Failed(m) | TransportError::TimedOut(m)) => {
                    (Attempted::Transport, Error::Transport(m), lost == Lost::Retry)
                }
            };
            match retry::decide(&policy, repeatable, attempt, waited, outcome, jitter(transport)) {
                Decision::Retry(wait) if transport.now() + wait < limits.deadline => {
                    transport.sleep(wait);
                    waited += wait;
                    attempt += 1;
                }
                _ => return Err(error),
            }
        }
    }
}

/// The token endpoint's OAuth errors as typed errors a user can act on.
pub(super) fn token_error(mut e: OktaError, after_nonce: bool) -> Error {
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

    #[test]
    fn an_expires_in_past_the_end_of_time_is_an_unknown_lifetime() {
        let answer = |expires_in| TokenResponse {
            access_token: "at".into(),
            token_type: "Bearer".into(),
            expires_in,
            scope: None,
            refresh_token: None,
        };
        assert_eq!(answer(Some(3600)).issued(1_000).expires_at, Some(4_600));
        assert_eq!(answer(Some(u64::MAX)).issued(1_000).expires_at, None);
        assert_eq!(answer(Some(u64::MAX - 999)).issued(1_000).expires_at, None);
        assert_eq!(answer(None).issued(1_000).expires_at, None);
    }

    #[test]
    fn tokens_print_without_their_values() {
        let t = Tokens {
            access_token: "access-secret-1".into(),
            token_type: "DPoP".into(),
            expires_at: Some(1),
            refresh_token: Some("refresh-secret-1".into()),
            scope: "okta.users.read".into(),
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("access-secret-1") && !shown.contains("refresh-secret-1"), "{shown}");
        assert!(shown.contains("DPoP") && shown.contains("okta.users.read"), "{shown}");
    }
}
