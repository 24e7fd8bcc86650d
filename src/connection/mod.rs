//! From a WIT `connection` to an [`Okta`] client: one file per kind of credential.

mod api_token;
pub mod client_credentials;
mod exports;
pub mod oauth;
pub mod oauth_code;

use crate::bindings::okta::connector::types::Connection;
use crate::error::Error;
use crate::okta::Okta;

/// Builds the client for a connection, validating it first: nothing is sent for a bad one.
pub fn connect(connection: &Connection) -> Result<Okta, Error> {
    match connection {
        Connection::ApiToken(c) => api_token::connect(c),
        Connection::OauthCode(c) => oauth_code::connect(c),
        Connection::ClientCredentials(c) => client_credentials::connect(c),
    }
}

// `secrets(connection)`, generated from the connection records' `Secret.` fields.
include!(concat!(env!("OUT_DIR"), "/connection_secrets.rs"));

/// A credential must be a single printable line: anything else could inject headers.
fn check_secret(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::connection(field, "is empty"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::connection(field, "contains control characters (a line break, tab or similar)"));
    }
    Ok(())
}
