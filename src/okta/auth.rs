//! How requests prove who they are. The core asks for the credentials on every attempt, so a
//! kind whose credentials change between attempts (an expiring OAuth token, a DPoP proof that
//! must be fresh per request) fits in without the core knowing.

use std::fmt;

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

/// The credentials of one connection.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: SSWS <token>`.
    ApiToken(Secret),
}

impl Auth {
    /// The headers that authorize one attempt of `method` on `url`.
    pub fn headers(&self, _method: &str, _url: &str) -> Vec<(String, String)> {
        match self {
            Auth::ApiToken(token) => vec![("authorization".into(), format!("SSWS {}", token.expose()))],
        }
    }

    /// Every secret value these credentials hold, to be scrubbed from anything printed.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Auth::ApiToken(token) => vec![token.expose().to_string()],
        }
    }
}
