//! OAuth 2.0 client credentials with a `private_key_jwt` assertion (service apps): tokens from
//! `POST /oauth2/v1/token`, DPoP-bound when Okta says so.

use super::check_secret;
use super::oauth::{self, keys, Grant, OAuth};
use crate::bindings::okta::connector::types::ClientCredentialsConnection;
use crate::error::Error;
use crate::okta::{domain, Auth, Okta};
use std::rc::Rc;

pub fn credentials(c: &ClientCredentialsConnection) -> Result<OAuth, Error> {
    let origin = domain::parse(&c.domain)?;
    let client_id = c.client_id.trim();
    if client_id.is_empty() {
        return Err(Error::connection("client_id", "is empty"));
    }
    if c.private_key.trim().is_empty() {
        return Err(Error::connection("private_key", "is empty"));
    }
    let scopes = c.scopes.split_whitespace().collect::<Vec<_>>().join(" ");
    if scopes.is_empty() {
        return Err(Error::connection("scopes", "is empty: give the okta.* scopes the actions need, space-separated"));
    }
    if let Some(kid) = &c.key_id {
        check_secret("key_id", kid).map_err(|_| Error::connection("key_id", "must be one printable line"))?;
    }
    let key = keys::parse_cached(&c.private_key, c.key_id.as_deref())?;
    let identity = oauth::identity(&[
        "client_credentials",
        &origin.base(),
        client_id,
        c.private_key.trim(),
        c.key_id.as_deref().unwrap_or(""),
        &scopes,
    ]);
    Ok(OAuth {
        origin,
        identity,
        presented: vec![oauth::sessions::SERVICE.to_string()],
        grant: Grant::ClientCredentials { client_id: client_id.to_string(), key, scopes },
        secrets: vec![c.private_key.trim().to_string()],
    })
}

pub fn connect(c: &ClientCredentialsConnection) -> Result<Okta, Error> {
    let oauth = credentials(c)?;
    Ok(Okta::new(oauth.origin.clone(), Auth::OAuth(Rc::new(oauth))))
}
