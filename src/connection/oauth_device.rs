//! OAuth 2.0 device authorization (a native app, no client secret, user-delegated tokens from
//! the org authorization server): the host shows the code from [`super::oauth::device`];
//! actions use the access token and refresh it (rotating refresh tokens kept in the instance).

use super::oauth::device::{self, Poll, Start};
use super::oauth::token::Endpoint;
use super::oauth::{self, sessions, Grant, OAuth};
use super::presented_tokens;
use crate::bindings::okta::connector::types::OauthDeviceConnection;
use crate::error::Error;
use crate::okta::{domain, Auth, Okta};
use std::rc::Rc;

pub fn credentials(c: &OauthDeviceConnection) -> Result<OAuth, Error> {
    let origin = domain::parse(&c.domain)?;
    let client_id = c.client_id.trim();
    if client_id.is_empty() {
        return Err(Error::connection("client_id", "is empty"));
    }
    if client_id.chars().any(char::is_control) {
        return Err(Error::connection("client_id", "must be one printable line"));
    }
    let (access, refresh, scopes) = presented_tokens(c.access_token.as_deref(), c.refresh_token.as_deref(), &c.scopes)?;
    let identity = oauth::identity(&["device", &origin.base(), client_id, &scopes]);
    let mut secrets = Vec::new();
    secrets.extend(access.clone());
    secrets.extend(refresh.clone());
    Ok(OAuth {
        origin,
        identity,
        presented: refresh.iter().chain(&access).map(|t| oauth::sessions::token_hash(t)).collect(),
        grant: Grant::Device { client_id: client_id.to_string(), access_token: access, refresh_token: refresh },
        secrets,
    })
}

pub fn connect(c: &OauthDeviceConnection) -> Result<Okta, Error> {
    let oauth = credentials(c)?;
    Ok(Okta::new(oauth.origin.clone(), Auth::OAuth(Rc::new(oauth))))
}

/// The connection's scopes, blanks dropped.
pub fn scopes(c: &OauthDeviceConnection) -> Vec<String> {
    c.scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// The connection's native app: its client id.
fn client_id(creds: &OAuth) -> Result<&str, Error> {
    match &creds.grant {
        Grant::Device { client_id, .. } => Ok(client_id),
        _ => Err(Error::Unsupported("not a device connection".into())),
    }
}

/// Starts the device authorization at `endpoint`'s org: the code and URL to show, and the
/// device code to poll with.
pub fn begin(c: &OauthDeviceConnection, creds: &OAuth, endpoint: Endpoint) -> Result<Start, Error> {
    device::begin(endpoint, client_id(creds)?, &scopes(c))
}

/// One poll with `device_code`. Tokens, once issued, are handed back to the host and become a
/// new session in this instance, reached by a connection that carries them.
pub fn poll(creds: &OAuth, endpoint: Endpoint, device_code: &str) -> Result<Poll, Error> {
    let poll = device::poll(endpoint, client_id(creds)?, device_code)?;
    if let Poll::Tokens(tokens) = &poll {
        sessions::with(|s| s.put(&creds.identity, &[], tokens.clone(), true));
    }
    Ok(poll)
}
