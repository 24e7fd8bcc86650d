//! OAuth 2.0 access tokens from the org authorization server (`/oauth2/v1/token`): client
//! credentials with a `private_key_jwt` assertion, and the authorization-code flow (PKCE,
//! `client_secret_basic`, rotating refresh tokens). Every token request carries a DPoP proof;
//! `token_type: DPoP` answers make every API request carry one too.
//!
//! Tokens live in the instance, keyed by the connection's identity (domain, client, key or
//! secret, scopes, and the tokens the host handed in), and are renewed a minute before they
//! expire, so an instance asks for a token once an hour, not once per action. After a
//! refresh the newest token set (rotated refresh token included) can be read back with
//! [`current_tokens`].

pub mod base64url;
pub mod code;
pub mod dpop;
pub mod jws;
pub mod keys;
pub mod random;
pub mod token;

use crate::error::Error;
use crate::okta::auth::Credentials;
use crate::okta::domain::Origin;
use crate::okta::transport::{HttpResponse, Limits, Transport};
use crate::okta::Secret;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::HashMap;
pub use token::Tokens;
use token::{unauthorized, unix_seconds, Endpoint};

/// Renew a token this long before Okta says it expires.
const RENEW_BEFORE: u64 = 60;

/// A cached token set and the tokens the host handed in when it was made: a connection that
/// brings those (or the newer ones) again is the same session; other tokens start anew.
struct Entry {
    tokens: Tokens,
    handed: String,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
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

/// Keeps `tokens` for a connection; `now` in epoch seconds.
fn store(identity: &str, handed_in: &str, tokens: Tokens, now: u64) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CACHED && !c.contains_key(identity) {
            c.retain(|_, e| fresh(&e.tokens, now) || e.tokens.refresh_token.is_some());
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

/// Not about to expire at `now` (epoch seconds).
fn fresh(t: &Tokens, now: u64) -> bool {
    t.expires_at.is_none_or(|at| at > now + RENEW_BEFORE)
}

/// A stable key for the cache from the identifying parts of a connection (secrets hashed).
pub fn identity(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    base64url::encode(&h.finalize())
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
    /// A token that is not about to expire: the cached one, or a new one (asked through
    /// `transport`).
    pub fn token(&self, transport: &dyn Transport, limits: &Limits) -> Result<Tokens, Error> {
        let now = unix_seconds(transport);
        let previous = cached(&self.identity, &self.handed);
        if let Some(t) = previous.clone().filter(|t| fresh(t, now)) {
            return Ok(t);
        }
        let endpoint = Endpoint { origin: &self.origin, transport, limits };
        let tokens = match &self.grant {
            Grant::ClientCredentials { client_id, key, scopes } => {
                let token_url = self.token_url();
                endpoint.request(None, &|| {
                    let assertion = keys::client_assertion(key, client_id, &token_url, unix_seconds(transport))?;
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
                let refresh = |token: &str| code::refresh(endpoint, client_id, client_secret, token);
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
                            "the connection has no token yet: run the authorization-code flow (begin-authorization, then exchange-code) first",
                        ))
                    }
                }
            }
        };
        store(&self.identity, &self.handed, tokens.clone(), now);
        Ok(tokens)
    }

    fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.origin.base())
    }
}

impl Credentials for OAuth {
    fn headers(
        &self,
        transport: &dyn Transport,
        method: &str,
        url: &str,
        limits: &Limits,
    ) -> Result<Vec<(String, String)>, Error> {
        let t = self.token(transport, limits)?;
        if t.token_type.eq_ignore_ascii_case("DPoP") {
            Ok(vec![
                ("authorization".into(), format!("DPoP {}", t.access_token)),
                ("dpop".into(), dpop::proof(method, url, Some(&t.access_token), unix_seconds(transport))?),
            ])
        } else {
            Ok(vec![("authorization".into(), format!("Bearer {}", t.access_token))])
        }
    }

    fn renew_after(&self, response: &HttpResponse) -> bool {
        let challenge = response.header("www-authenticate").unwrap_or("");
        if challenge.contains("use_dpop_nonce") && response.header("dpop-nonce").is_some() {
            // `observe` kept the nonce; the next proof carries it.
            return true;
        }
        if response.status == 401 {
            let renewable = match &self.grant {
                Grant::ClientCredentials { .. } => true,
                Grant::AuthorizationCode { refresh_token, .. } => {
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

fn no_refresh_token() -> Error {
    unauthorized(
        "no_refresh_token",
        "the access token expired and the connection has no refresh token: the user must connect again (request offline_access to get a refresh token)",
    )
}

/// The newest token set for a connection in this instance, if one was obtained.
pub fn current_tokens(identity: &str, handed_in: &str) -> Option<Tokens> {
    cached(identity, handed_in)
}

/// Keeps a token set obtained outside an action (a code exchange, an explicit refresh);
/// `now` in epoch seconds.
pub fn keep(identity: &str, handed_in: &str, tokens: &Tokens, now: u64) {
    store(identity, handed_in, tokens.clone(), now);
}

#[cfg(test)]
mod tests {
    use super::*;

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
            store(&format!("id-{n}"), "h", t(n), 1_000);
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
