//! From a WIT `connection` to an [`Okta`] client: one file per kind of credential.

mod api_token;
pub mod client_credentials;
#[cfg(test)]
mod device_tests;
mod exports;
pub mod oauth;
pub mod oauth_code;
pub mod oauth_device;
#[cfg(test)]
mod renewal_tests;

use crate::bindings::okta::connector::types::Connection;
use crate::error::Error;
use crate::okta::{Flow, Okta};

/// Builds the client for a connection, validating it first: nothing is sent for a bad one.
pub fn connect(connection: &Connection) -> Result<Okta, Error> {
    match connection {
        Connection::ApiToken(c) => api_token::connect(c),
        Connection::OauthCode(c) => oauth_code::connect(c),
        Connection::ClientCredentials(c) => client_credentials::connect(c),
        Connection::OauthDevice(c) => oauth_device::connect(c),
    }
}

/// One export's client, with every secret to scrub from its errors: the connection's, the
/// input's, and the credentials' by the time the error happens.
pub struct Session {
    pub okta: Okta,
    secrets: Vec<String>,
}

impl Session {
    /// Validates the connection and makes its client; nothing is sent for a bad one. An error
    /// is already scrubbed.
    pub fn open(connection: &Connection, input_secrets: Vec<String>) -> Result<Session, Error> {
        let mut secrets = secrets(connection);
        secrets.extend(input_secrets);
        match connect(connection) {
            Ok(okta) => {
                secrets.extend(okta.secrets());
                Ok(Session { okta, secrets })
            }
            Err(e) => Err(e.scrub(&secrets)),
        }
    }

    /// Runs the flow an action or trigger built; an error is scrubbed.
    pub fn run<T: 'static>(&self, flow: Result<Flow<T>, Error>) -> Result<T, Error> {
        flow.and_then(|flow| self.okta.run(flow)).map_err(|e| self.scrub(e))
    }

    /// `e` without any secret this session knows.
    pub fn scrub(&self, e: Error) -> Error {
        e.scrub(&self.secrets)
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

/// The tokens a user-delegated connection presents from an earlier sign-in, `(access,
/// refresh)`: blanks read as none, the others checked as credentials, then trimmed; and its
/// scopes as one space-separated list, blanks dropped.
fn presented_tokens(
    access: Option<&str>,
    refresh: Option<&str>,
    scopes: &[String],
) -> Result<(Option<String>, Option<String>, String), Error> {
    let read = |field: &str, t: Option<&str>| -> Result<Option<String>, Error> {
        match t.filter(|t| !t.trim().is_empty()) {
            Some(t) => check_secret(field, t).map(|()| Some(t.trim().to_string())),
            None => Ok(None),
        }
    };
    let scopes = scopes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    Ok((read("access_token", access)?, read("refresh_token", refresh)?, scopes))
}
