//! OAuth 2.0 authorization code (user-delegated tokens from the org authorization server).
//! Not available yet: the connection is validated and then refused with `unsupported`.

use super::check_secret;
use crate::bindings::okta::connector::types::OauthCodeConnection;
use crate::error::Error;
use crate::okta::{domain, Okta};

pub fn connect(c: &OauthCodeConnection) -> Result<Okta, Error> {
    domain::parse(&c.domain)?;
    check_secret("client_secret", &c.client_secret)?;
    Err(Error::Unsupported(
        "the OAuth 2.0 Authorization Code connection is not available in this version; use an API token".into(),
    ))
}
