//! OAuth 2.0 client credentials with a `private_key_jwt` assertion (service apps).
//! Not available yet: the connection is validated and then refused with `unsupported`.

use super::check_secret;
use crate::bindings::okta::connector::types::ClientCredentialsConnection;
use crate::error::Error;
use crate::okta::{domain, Okta};

pub fn connect(c: &ClientCredentialsConnection) -> Result<Okta, Error> {
    domain::parse(&c.domain)?;
    check_secret("private_key", &c.private_key)?;
    Err(Error::Unsupported(
        "the OAuth 2.0 Client Credentials connection is not available in this version; use an API token".into(),
    ))
}
