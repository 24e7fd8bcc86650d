//! OAuth 2.0 access tokens from the org authorization server (`/oauth2/v1/token`): client
//! credentials with a `private_key_jwt` assertion, and the authorization-code flow (PKCE,
//! `client_secret_basic`, rotating refresh tokens). Every token request carries a DPoP proof;
//! `token_type: DPoP` answers make every API request carry one too.
//!
//! Tokens live in the instance as [`sessions`], each reached only by a connection presenting
//! one of its tokens (or, for a service app, its key), and are renewed a minute before they
//! expire, so an instance asks for a token once an hour, not once per action. After a
//! refresh the newest token set (rotated refresh token included) can be read back with
//! `current-tokens`.
//!
//! The token endpoint's 429s and 5xx are retried as the core retries an API call (a 429
//! waits for its reset), within the retry budget and the token request's own 30 s; a lost
//! answer (a transport error) is retried only for client credentials: a code or a rotating
//! refresh token may already have been spent.

pub mod code;
pub mod dpop;
pub mod keys;
pub mod random;
pub mod sessions;

use crate::error::{Error, OktaError};
use crate::okta::auth::Credentials;
use crate::okta::config::Config;
use crate::okta::domain::Origin;
use crate::okta::retry::{self, Attempted, Decision, Policy};
use crate::okta::transport::{self, HttpRequest, HttpResponse, Limits, TransportError};
use crate::okta::{ratelimit, Secret};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Renew a token this long before Okta says it expires.
const RENEW_BEFORE: u64 = 60;

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

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .field("scope", &self.scope)
            .finish()
    }
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn fresh(t: &Tokens) -> bool {
    t.expires_at.is_none_or(|at| at > now().saturating_add(RENEW_BEFORE))
}

/// A stable key for the cache from the identifying parts of a connection (secrets hashed).
pub fn identity(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    keys::base64url(&h.finalize())
}

/// How tokens are obtained for one connection.
pub enum Grant {
    ClientCredentials {
        client_id: String,
        key: std::rc::Rc<keys::SigningKey>,
        scopes: String,
    },
    AuthorizationCode {
        client_id: String,
        client_secret: Secret,
        access_token: Option<String>,
        refresh_token: Option<String>,
    },
}

/// The per-attempt credentials of an OAuth connection.
pub struct OAuth {
    pub origin: Origin,
    /// The connection's identity: its session's scope, and the holder of its DPoP key.
    pub identity: String,
    /// What the connection presents to find its session: [`sessions::token_hash`] of each
    /// token it carries, or [`sessions::SERVICE`] for a service app.
    pub presented: Vec<String>,
    pub grant: Grant,
    /// The connection's own secrets (client secret, private key, handed-in tokens).
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OAuth({})", self.origin.base())
    }
}

impl OAuth {
    /// A token that is not about to expire: the session's, or a new one.
    pub fn token(&self, limits: &Limits) -> Result<Tokens, Error> {
        let previous = sessions::with(|s| s.tokens(&self.identity, &self.presented));
        if let Some(t) = previous.clone().filter(fresh) {
            return Ok(t);
        }
        let tokens = match &self.grant {
            Grant::ClientCredentials { client_id, key, scopes } => {
                let token_url = self.token_url();
                token_request(&self.identity, &self.origin, limits, Lost::Retry, None, || {
                    let assertion = keys::client_assertion(key, client_id, &token_url, now())?;
                    Ok(vec![
                        ("grant_type".into(), "client_credentials".into()),
                        ("scope".into(), scopes.clone()),
                        (
                            "client_assertion_type".into(),
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                        ),
                        ("client_assertion".into(), assertion),
                    ])
                })?
            }
            Grant::AuthorizationCode { client_id, client_secret, access_token, refresh_token } => {
                let refresh = |token: &str| {
                    sessions::with(|s| s.may_rotate(&self.identity, &self.presented))?;
                    let app = code::WebApp { holder: &self.identity, origin: &self.origin, client_id, client_secret };
                    code::refresh(&app, token, limits)
                };
                match (previous, access_token, refresh_token) {
                    // A known session whose access token expired (or was refused): refresh
                    // with the newest refresh token.
                    (Some(prev), _, handed_refresh) => match prev.refresh_token.as_ref().or(handed_refresh.as_ref()) {
                        Some(r) => refresh(r)?,
                        None => return Err(no_refresh_token()),
                    },
                    // The host's access token, of unknown lifetime: used until Okta refuses it,
                    // so a new instance does not spend (and rotate) the refresh token at once.
                    (None, Some(access), handed_refresh) => Tokens {
                        access_token: access.clone(),
                        token_type: "Bearer".into(),
                        expires_at: None,
                        refresh_token: handed_refresh.clone(),
                        scope: String::new(),
                    },
                    (None, None, Some(r)) => refresh(r)?,
                    (None, None, None) => {
                        return Err(unauthorized(
                            "no_token",
                            "the connection has no token: run the authorization-code flow (begin-authorization, then exchange-code) and pass the tokens it returns in the connection",
                        ))
                    }
                }
            }
        };
        sessions::with(|s| s.put(&self.identity, &self.presented, tokens.clone(), false));
        Ok(tokens)
    }

    fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.origin.base())
    }

    fn session(&self) -> Option<Tokens> {
        sessions::with(|s| s.tokens(&self.identity, &self.presented))
    }
}

impl Credentials for OAuth {
    fn headers(&self, method: &str, url: &str, limits: &Limits) -> Result<Vec<(String, String)>, Error> {
        let t = self.token(limits)?;
        if t.token_type.eq_ignore_ascii_case("DPoP") {
            Ok(vec![
                ("authorization".into(), format!("DPoP {}", t.access_token)),
                ("dpop".into(), dpop::proof(&self.identity, method, url, Some(&t.access_token), now())?),
            ])
        } else {
            Ok(vec![("authorization".into(), format!("Bearer {}", t.access_token))])
        }
    }

    fn renew_after(&self, response: &HttpResponse, _limits: &Limits) -> bool {
        let challenge = response.header("www-authenticate").unwrap_or("");
        if challenge.contains("use_dpop_nonce") && response.header("dpop-nonce").is_some() {
            // `observe` kept the nonce; the next proof carries it.
            return true;
        }
        if response.status == 401 {
            let renewable = match &self.grant {
                Grant::ClientCredentials { .. } => true,
                Grant::AuthorizationCode { refresh_token, .. } => {
                    refresh_token.is_some() || self.session().is_some_and(|t| t.refresh_token.is_some())
                }
            };
            if renewable {
                sessions::with(|s| s.expire(&self.identity, &self.presented));
                return true;
            }
        }
        false
    }

    fn observe(&self, response: &HttpResponse) {
        if let Some(nonce) = response.header("dpop-nonce") {
            dpop::remember_nonce(&self.identity, &format!("{}#api", self.origin.base()), nonce);
        }
    }

    fn secrets(&self) -> Vec<String> {
        let mut v = self.secrets.clone();
        if let Some(t) = self.session() {
            v.push(t.access_token);
            v.extend(t.refresh_token);
        }
        v
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

/// Whether a token request whose answer was lost (a transport error) is sent again.
#[derive(Clone, Copy, PartialEq)]
pub enum Lost {
    /// Client credentials: a new assertion asks for a new token; nothing is spent.
    Retry,
    /// A code or a refresh token: it may have been spent by the request that got no answer.
    Stop,
}

/// `POST /oauth2/v1/token` with the form `form` makes (called again for each attempt, so a
/// client assertion is new each time), a DPoP proof of `holder`'s key, and `basic` client
/// authentication. Okta's first answer to a DPoP token request is usually `use_dpop_nonce`:
/// the request is repeated once with the nonce. 429s and 5xx are retried as for an API call,
/// lost answers only when `lost` says so.
pub fn token_request(
    holder: &str,
    origin: &Origin,
    limits: &Limits,
    lost: Lost,
    basic: Option<(&str, &Secret)>,
    form: impl Fn() -> Result<Vec<(String, String)>, Error>,
) -> Result<Tokens, Error> {
    let url = format!("{}/oauth2/v1/token", origin.base());
    let limits = token_limits(limits);
    let config = Config::from_env();
    let policy =
        Policy { max_attempts: config.max_attempts, budget: config.retry_budget, backoff: config.retry_backoff };
    let mut attempt = 1;
    let mut waited = Duration::ZERO;
    let mut nonce_retried = false;
    loop {
        let pairs = form()?;
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let mut headers = vec![
            ("accept".to_string(), "application/json".to_string()),
            ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
            ("user-agent".to_string(), crate::okta::client::USER_AGENT.to_string()),
            ("dpop".to_string(), dpop::proof(holder, "POST", &url, None, now())?),
        ];
        if let Some((id, secret)) = basic {
            use base64::Engine as _;
            // RFC 6749 §2.3.1: both parts form-encoded before base64.
            let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", enc(id), enc(secret.expose()));
            headers.push((
                "authorization".into(),
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)),
            ));
        }
        let http = HttpRequest { method: "POST", url: url.clone(), headers, body: Some(body.into_bytes()) };
        let (outcome, error, repeatable) = match transport::send(&http, &limits) {
            Ok(response) => {
                if let Some(nonce) = response.header("dpop-nonce") {
                    dpop::remember_nonce(holder, &dpop::server(&url), nonce);
                }
                if response.status == 200 {
                    let answer: TokenResponse = serde_json::from_slice(&response.body).map_err(|_| {
                        Error::UnexpectedResponse("the token endpoint's answer is not a token response".into())
                    })?;
                    return Ok(answer.issued(now()));
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
                (Attempted::Status(response.status, ratelimit::read(&response)), token_error(err, nonce_retried), true)
            }
            Err(TransportError::TooLarge(_)) => {
                return Err(Error::TooLarge("the token endpoint's answer is too large".into()))
            }
            Err(TransportError::Failed(m) | TransportError::TimedOut(m)) => {
                (Attempted::Transport, Error::Transport(m), lost == Lost::Retry)
            }
        };
        match retry::decide(&policy, repeatable, attempt, waited, outcome, jitter()) {
            Decision::Retry(wait) if Instant::now() + wait < limits.deadline => {
                std::thread::sleep(wait);
                waited += wait;
                attempt += 1;
            }
            _ => return Err(error),
        }
    }
}

/// Up to 250 ms from the host's random source, so that many instances hitting the same
/// reset do not all retry at once.
fn jitter() -> Duration {
    let [a, b] = random::bytes::<2>().unwrap_or_default();
    Duration::from_millis(u64::from(u16::from_le_bytes([a, b]) % 250))
}

/// A token request gets the action's bounds, but never more than 30 s.
fn token_limits(limits: &Limits) -> Limits {
    Limits { deadline: limits.deadline.min(Instant::now() + Duration::from_secs(30)), ..*limits }
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

fn no_refresh_token() -> Error {
    unauthorized(
        "no_refresh_token",
        "the access token expired and the connection has no refresh token: the user must connect again (request offline_access to get a refresh token)",
    )
}

fn unauthorized(code: &str, summary: &str) -> Error {
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

    #[test]
    fn identities_differ_by_every_part() {
        assert_ne!(identity(&["a", "bc"]), identity(&["ab", "c"]));
        assert_eq!(identity(&["a", "b"]), identity(&["a", "b"]));
    }
}
