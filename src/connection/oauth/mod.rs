//! OAuth 2.0 access tokens from the org authorization server (`/oauth2/v1/token`): client
//! credentials with a `private_key_jwt` assertion, the authorization-code flow (PKCE,
//! `client_secret_basic`, rotating refresh tokens), and the device authorization grant for
//! native apps ([`device`]: no secret). Every token request carries a DPoP proof;
//! `token_type: DPoP` answers make every API request carry one too.
//!
//! Tokens live in the instance as [`sessions`], each reached only by a connection presenting
//! one of its tokens (or, for a service app, its key), and are renewed a minute before they
//! expire, so an instance asks for a token once an hour, not once per action. After a
//! refresh the newest token set (rotated refresh token included) can be read back with
//! `current-tokens`. DPoP keys and nonces are the connection's own ([`dpop`]).

pub mod base64url;
pub mod code;
pub mod device;
pub mod dpop;
pub mod jws;
pub mod keys;
pub mod random;
pub mod sessions;
pub mod token;

use crate::error::Error;
use crate::okta::auth::Credentials;
use crate::okta::domain::Origin;
use crate::okta::transport::{HttpResponse, Limits, Transport};
use crate::okta::Secret;
use sha2::{Digest, Sha256};
pub use token::Tokens;
use token::{unauthorized, unix_seconds, Endpoint, Lost};

/// Renew a token this long before Okta says it expires.
const RENEW_BEFORE: u64 = 60;

/// Not about to expire at `now` (epoch seconds).
fn fresh(t: &Tokens, now: u64) -> bool {
    t.expires_at.is_none_or(|at| at > now.saturating_add(RENEW_BEFORE))
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
    /// A token that is not about to expire: the session's, or a new one (asked through
    /// `transport`).
    pub fn token(&self, transport: &dyn Transport, limits: &Limits) -> Result<Tokens, Error> {
        let now = unix_seconds(transport);
        let previous = self.session();
        if let Some(t) = previous.clone().filter(|t| fresh(t, now)) {
            return Ok(t);
        }
        let endpoint = self.endpoint(transport, limits);
        let tokens = match &self.grant {
            Grant::ClientCredentials { client_id, key, scopes } => {
                let token_url = self.token_url();
                endpoint.request(Lost::Retry, None, &|| {
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
            Grant::AuthorizationCode { client_id, access_token, refresh_token, .. }
            | Grant::Device { client_id, access_token, refresh_token } => {
                let refresh = |token: &str| {
                    sessions::with(|s| s.may_rotate(&self.identity, &self.presented))?;
                    match &self.grant {
                        Grant::AuthorizationCode { client_secret, .. } => {
                            code::refresh(endpoint, client_id, client_secret, token)
                        }
                        _ => device::refresh(endpoint, client_id, token),
                    }
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
                            "the connection has no token: run the authorization-code flow (begin-authorization, then exchange-code) and pass the tokens it returns in the connection",
                        ))
                    }
                }
            }
        };
        sessions::with(|s| s.put(&self.identity, &self.presented, tokens.clone(), false));
        Ok(tokens)
    }

    /// The org's token endpoint as this connection reaches it (proofs signed with its DPoP
    /// key), through `transport` within `limits`.
    pub fn endpoint<'a>(&'a self, transport: &'a dyn Transport, limits: &'a Limits) -> Endpoint<'a> {
        Endpoint { holder: &self.identity, origin: &self.origin, transport, limits }
    }

    fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.origin.base())
    }

    /// The newest tokens of the session this connection presents, if any.
    fn session(&self) -> Option<Tokens> {
        sessions::with(|s| s.tokens(&self.identity, &self.presented))
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
                (
                    "dpop".into(),
                    dpop::proof(&self.identity, method, url, Some(&t.access_token), unix_seconds(transport))?,
                ),
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
                Grant::AuthorizationCode { refresh_token, .. } | Grant::Device { refresh_token, .. } => {
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

fn no_refresh_token() -> Error {
    unauthorized(
        "no_refresh_token",
        "the access token expired and the connection has no refresh token: the user must connect again (request offline_access to get a refresh token)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_differ_by_every_part() {
        assert_ne!(identity(&["a", "bc"]), identity(&["ab", "c"]));
        assert_eq!(identity(&["a", "b"]), identity(&["a", "b"]));
    }
}
