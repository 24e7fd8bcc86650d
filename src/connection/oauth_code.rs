//! OAuth 2.0 authorization code (user-delegated tokens from the org authorization server):
//! the host runs the browser redirect with [`super::oauth::code`]; actions use the access
//! token and refresh it (rotating refresh tokens kept in the instance).

use super::oauth::{self, Grant, OAuth};
use super::{check_secret, presented_tokens};
use crate::bindings::okta::connector::types::OauthCodeConnection;
use crate::error::Error;
use crate::okta::{domain, Auth, Okta, Secret};
use std::rc::Rc;

pub fn credentials(c: &OauthCodeConnection) -> Result<OAuth, Error> {
    let origin = domain::parse(&c.domain)?;
    let client_id = c.client_id.trim();
    if client_id.is_empty() {
        return Err(Error::connection("client_id", "is empty"));
    }
    check_secret("client_secret", &c.client_secret)?;
    let (access, refresh, scopes) = presented_tokens(c.access_token.as_deref(), c.refresh_token.as_deref(), &c.scopes)?;
    let identity = oauth::identity(&["authorization_code", &origin.base(), client_id, c.client_secret.trim(), &scopes]);
    let mut secrets = vec![c.client_secret.trim().to_string()];
    secrets.extend(access.clone());
    secrets.extend(refresh.clone());
    Ok(OAuth {
        origin,
        identity,
        presented: refresh.iter().chain(&access).map(|t| oauth::sessions::token_hash(t)).collect(),
        grant: Grant::AuthorizationCode {
            client_id: client_id.to_string(),
            client_secret: Secret::new(c.client_secret.trim()),
            access_token: access,
            refresh_token: refresh,
        },
        secrets,
    })
}

pub fn connect(c: &OauthCodeConnection) -> Result<Okta, Error> {
    let oauth = credentials(c)?;
    Ok(Okta::new(oauth.origin.clone(), Auth::OAuth(Rc::new(oauth))))
}
