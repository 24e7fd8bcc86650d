//! How requests prove who they are. The core asks for the credentials on every attempt, so a
//! kind whose credentials change between attempts (an expiring OAuth token, a DPoP proof that
//! must be fresh per request) fits in without the core knowing how.

use super::transport::{HttpResponse, Limits, Transport};
use crate::error::Error;
use std::fmt;
use std::rc::Rc;

/// A credential value; never printed.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Credentials that are worked out per attempt (OAuth 2.0 tokens, DPoP proofs).
pub trait Credentials: fmt::Debug {
    /// The headers that authorize one attempt of `method` on `url` (may fetch a token first,
    /// through `transport`).
    fn headers(
        &self,
        transport: &dyn Transport,
        method: &str,
        url: &str,
        limits: &Limits,
    ) -> Result<Vec<(String, String)>, Error>;
    /// A refused attempt (401, or a DPoP challenge): true when the credentials were renewed
    /// (a new token, a new nonce) and the request is worth one more attempt.
    fn renew_after(&self, response: &HttpResponse) -> bool;
    /// Every answer passes here (servers hand out fresh DPoP nonces on any response).
    fn observe(&self, response: &HttpResponse);
    /// Every secret these credentials hold, to be scrubbed from anything printed.
    fn secrets(&self) -> Vec<String>;
}

/// The credentials of one connection.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: SSWS <token>`.
    ApiToken(Secret),
    /// OAuth 2.0 access tokens, Bearer or DPoP-bound.
    OAuth(Rc<dyn Credentials>),
}

impl Auth {
    /// The headers that authorize one attempt of `method` on `url`.
    pub fn headers(
        &self,
        transport: &dyn Transport,
        method: &str,
        url: &str,
        limits: &Limits,
    ) -> Result<Vec<(String, String)>, Error> {
        match self {
            Auth::ApiToken(token) => Ok(vec![("authorization".into(), format!("SSWS {}", token.expose()))]),
            Auth::OAuth(c) => c.headers(transport, method, url, limits),
        }
    }

    /// See [`Credentials::renew_after`]; an API token never changes.
    pub fn renew_after(&self, response: &HttpResponse) -> bool {
        match self {
            Auth::ApiToken(_) => false,
            Auth::OAuth(c) => c.renew_after(response),
        }
    }

    pub fn observe(&self, response: &HttpResponse) {
        if let Auth::OAuth(c) = self {
            c.observe(response)
        }
    }

    /// Every secret these credentials hold, to be scrubbed from anything printed.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Auth::ApiToken(token) => vec![token.expose().to_string()],
            Auth::OAuth(c) => c.secrets(),
        }
    }
}
