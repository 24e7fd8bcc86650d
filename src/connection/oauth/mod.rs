//! OAuth 2.0 access tokens from the org authorization server (`/oauth2/v1/token`): client
//! credentials with a `private_key_jwt` assertion, the authorization-code flow (PKCE,
//! `client_secret_basic`, rotating refresh tokens), and the device authorization grant for
//! native apps ([`device`]: no secret). Every token request carries a DPoP proof;
//! `token_type: DPoP` answers make every API request carry one too.
//!
//! Tokens live in the instance, keyed by the connection's identity (domain, client, key or
//! secret, scopes, and the tokens the host handed in), and are renewed a minute before they
//! expire, so an instance asks for a token once an hour, not once per action. After a
//! refresh the newest token set (rotated refresh token included) can be read back with
//! [`current_tokens`].

pub mod code;
pub mod device;
pub mod dpop;
pub mod keys;
pub mod random;

use crate::error::{Error, OktaError};
use crate::okta::auth::Credentials;
use crate::okta::domain::Origin;
use crate::okta::transport::{self, HttpRequest, HttpResponse, Limits, TransportError};
use crate::okta::Secret;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Renew a token this long before Okta says it expires.
const RENEW_BEFORE: u64 = 60;

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

/// A cached token set and the tokens the host handed in when it was made: a connection that
/// brings those (or the newer ones) again is the same session; other tokens start anew.
struct Entry {
    tokens: Tokens,
    handed: String,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The hash by which handed-in tokens are compared (never kept in clear).
pub fn handed(token: Option<&str>) -> String {
    identity(&[token.unwrap_or("")])
}

/// The instance's tokens for a connection: when it brings the tokens they were made from (or
/// the newer ones), or no token at all (the instance's own, e.g. after `exchange-code`).
fn cached(identity: &str, handed_in: &str) -> Option<Tokens> {
    CACHE.with(|c| {
        let c = c.borrow();
        let e = c.get(identity)?;
        let newest = [Some(e.tokens.access_token.as_str()), e.tokens.refresh_token.as_deref()];
        let same = e.handed == handed_in || handed_in == handed(None) || newest.iter().any(|t| handed(*t) == handed_in);
        same.then(|| e.tokens.clone())
    })
}

/// The most connections an instance keeps tokens for; a long-lived instance serving many
/// connections drops the expired ones first, then all, rather than grow without bound.
const MAX_CACHED: usize = 256;

fn store(identity: &str, handed_in: &str, tokens: Tokens) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CACHED && !c.contains_key(identity) {
            c.retain(|_, e| fresh(&e.tokens) || e.tokens.refresh_token.is_some());
            if c.len() >= MAX_CACHED {
                c.clear();
            }
        }
        c.insert(identity.to_string(), Entry { tokens, handed: handed_in.to_string() });
    })
}

/// Marks the cached access token unusable, keeping its refresh token.
fn expire(identity: &str) {
    CACHE.with(|c| {
        if let Some(e) = c.borrow_mut().get_mut(identity) {
            e.tokens.expires_at = Some(0);
        }
    })
}

fn fresh(t: &Tokens) -> bool {
    t.expires_at.is_none_or(|at| at > now() + RENEW_BEFORE)
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
    /// A native app signed in with the device authorization: like the authorization code,
    /// without a client secret.
    Device {
        client_id: String,
        access_token: Option<String>,
        refresh_token: Option<String>,
    },
}

/// The per-attempt credentials of an OAuth connection.
pub struct OAuth {
    pub origin: Origin,
    pub identity: String,
    /// [`handed`] of the token the connection brought (refresh, else access), or of none.
    pub handed: String,
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
    /// A token that is not about to expire: the cached one, or a new one.
    pub fn token(&self, limits: &Limits) -> Result<Tokens, Error> {
        let previous = cached(&self.identity, &self.handed);
        if let Some(t) = previous.clone().filter(fresh) {
            return Ok(t);
        }
        let tokens = match &self.grant {
            Grant::ClientCredentials { client_id, key, scopes } => {
                let token_url = self.token_url();
                token_request(&self.origin, limits, None, || {
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
            Grant::AuthorizationCode { client_id, access_token, refresh_token, .. }
            | Grant::Device { client_id, access_token, refresh_token } => {
                let refresh = |token: &str| match &self.grant {
                    Grant::AuthorizationCode { client_secret, .. } => {
                        code::refresh(&self.origin, client_id, client_secret, token, limits)
                    }
                    _ => device::refresh(&self.origin, client_id, token, limits),
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
                    (None, None, None) if matches!(self.grant, Grant::Device { .. }) => return Err(device::no_token()),
                    (None, None, None) => {
                        return Err(unauthorized(
                            "no_token",
                            "the connection has no token yet: run the authorization-code flow (begin-authorization, then exchange-code) first",
                        ))
                    }
                }
            }
        };
        store(&self.identity, &self.handed, tokens.clone());
        Ok(tokens)
    }

    fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.origin.base())
    }
}

impl Credentials for OAuth {
    fn headers(&self, method: &str, url: &str, limits: &Limits) -> Result<Vec<(String, String)>, Error> {
        let t = self.token(limits)?;
        if t.token_type.eq_ignore_ascii_case("DPoP") {
            Ok(vec![
                ("authorization".into(), format!("DPoP {}", t.access_token)),
                ("dpop".into(), dpop::proof(method, url, Some(&t.access_token), now())?),
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
                Grant::AuthorizationCode { refresh_token, .. } | Grant::Device { refresh_token, .. } => {
                    refresh_token.is_some()
                        || cached(&self.identity, &self.handed).is_some_and(|t| t.refresh_token.is_some())
                }
            };
            if renewable {
                expire(&self.identity);
                return true;
            }
        }
        false
    }

    fn observe(&self, response: &HttpResponse) {
        if let Some(nonce) = response.header("dpop-nonce") {
            dpop::remember_nonce(&format!("{}#api", self.origin.base()), nonce);
        }
    }

    fn secrets(&self) -> Vec<String> {
        let mut v = self.secrets.clone();
        if let Some(t) = cached(&self.identity, &self.handed) {
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

/// `POST /oauth2/v1/token` with the form `form` makes (called again for the retry, so a
/// client assertion is new each time), a DPoP proof, and `basic` client authentication.
/// Okta's first answer to a DPoP token request is usually `use_dpop_nonce`: the request is
/// repeated once with the nonce.
pub fn token_request(
    origin: &Origin,
    limits: &Limits,
    basic: Option<(&str, &Secret)>,
    form: impl Fn() -> Result<Vec<(String, String)>, Error>,
) -> Result<Tokens, Error> {
    let url = format!("{}/oauth2/v1/token", origin.base());
    for attempt in 0..2 {
        let pairs = form()?;
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let mut headers = vec![
            ("accept".to_string(), "application/json".to_string()),
            ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
            ("user-agent".to_string(), crate::okta::client::USER_AGENT.to_string()),
            ("dpop".to_string(), dpop::proof("POST", &url, None, now())?),
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
        let response = transport::send(&http, &token_limits(limits)).map_err(|e| match e {
            TransportError::Failed(m) | TransportError::TimedOut(m) => Error::Transport(m),
            TransportError::TooLarge(_) => Error::TooLarge("the token endpoint's answer is too large".into()),
        })?;
        if let Some(nonce) = response.header("dpop-nonce") {
            dpop::remember_nonce(&dpop::server(&url), nonce);
        }
        if response.status == 200 {
            let t: TokenResponse = serde_json::from_slice(&response.body)
                .map_err(|_| Error::UnexpectedResponse("the token endpoint's answer is not a token response".into()))?;
            return Ok(Tokens {
                access_token: t.access_token,
                token_type: t.token_type,
                expires_at: t.expires_in.map(|s| now() + s),
                refresh_token: t.refresh_token,
                scope: t.scope.unwrap_or_default(),
            });
        }
        let err =
            crate::okta::errors::decode(response.status, &response.body, |h| response.header(h).map(str::to_string));
        if err.code.as_deref() == Some("use_dpop_nonce") && attempt == 0 && response.header("dpop-nonce").is_some() {
            continue;
        }
        return Err(token_error(err, attempt > 0));
    }
    Err(unauthorized("use_dpop_nonce", "the authorization server asked for a new DPoP nonce twice in a row"))
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

/// The newest token set for a connection in this instance, if one was obtained.
pub fn current_tokens(identity: &str, handed_in: &str) -> Option<Tokens> {
    cached(identity, handed_in)
}

/// Keeps a token set obtained outside an action (a code exchange, an explicit refresh).
pub fn keep(identity: &str, handed_in: &str, tokens: &Tokens) {
    store(identity, handed_in, tokens.clone());
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
    fn the_token_cache_is_bounded() {
        let t = |n: usize| Tokens {
            access_token: format!("a{n}"),
            token_type: "Bearer".into(),
            expires_at: Some(0),
            refresh_token: None,
            scope: String::new(),
        };
        for n in 0..MAX_CACHED + 10 {
            store(&format!("id-{n}"), "h", t(n));
        }
        let len = CACHE.with(|c| c.borrow().len());
        assert!(len <= MAX_CACHED, "{len}");
        assert_eq!(
            cached(&format!("id-{}", MAX_CACHED + 9), "h").map(|t| t.access_token),
            Some(format!("a{}", MAX_CACHED + 9))
        );
    }

    #[test]
    fn identities_differ_by_every_part() {
        assert_ne!(identity(&["a", "bc"]), identity(&["ab", "c"]));
        assert_eq!(identity(&["a", "b"]), identity(&["a", "b"]));
    }
}
