//! The `connections` exports: test a connection, the authorization-code flow's calls and the
//! device authorization's.

use super::oauth::token::Endpoint;
use super::oauth::{self, code, device, sessions, OAuth, Tokens};
use super::{client_credentials, connect, oauth_code, oauth_device, secrets};
use crate::bindings::exports::okta::connector::connections::{
    AuthorizationStart, ConnectionCheck, DeviceAuthorization, DevicePoll, Guest, TokenSet,
};
use crate::bindings::okta::connector::types::{
    Connection, Error as WitError, OauthCodeConnection, OauthDeviceConnection,
};
use crate::error::Error;
use crate::okta::{Auth, Okta, Request, Secret};
use serde_json::Value;
use std::rc::Rc;

impl From<Tokens> for TokenSet {
    fn from(t: Tokens) -> TokenSet {
        TokenSet {
            access_token: t.access_token,
            token_type: t.token_type,
            expires_at: t.expires_at,
            refresh_token: t.refresh_token,
            scope: t.scope,
        }
    }
}

/// Runs `f`, scrubbing every secret of the connection (and any token this instance holds for
/// it) from an error.
fn scrubbed<T>(secrets: Vec<String>, f: impl FnOnce() -> Result<T, Error>) -> Result<T, WitError> {
    f().map_err(|e| e.scrub(&secrets).into())
}

/// `GET /api/v1/users/me`: the admin or user behind the credentials.
fn me(okta: &Okta) -> Result<Option<String>, Error> {
    let user = okta.run(Request::get("/api/v1/users/me").send_object())?;
    let user: Value = serde_json::from_str(&user).unwrap_or(Value::Null);
    Ok(user.pointer("/profile/login").and_then(Value::as_str).map(str::to_string))
}

/// Runs `call` on the connection's token endpoint, on the wire and within the bounds of a
/// new client (the token request carries its own client authentication, not an API token).
fn at_token_endpoint<T>(creds: &OAuth, call: impl FnOnce(Endpoint<'_>) -> Result<T, Error>) -> Result<T, Error> {
    let okta = Okta::new(creds.origin.clone(), Auth::ApiToken(Secret::new("")));
    let limits = okta.limits(okta.config.max_response_bytes)?;
    call(creds.endpoint(okta.transport(), &limits))
}

fn code_secrets(c: &OauthCodeConnection) -> Vec<String> {
    secrets(&Connection::OauthCode(c.clone()))
}

fn device_secrets(c: &OauthDeviceConnection) -> Vec<String> {
    secrets(&Connection::OauthDevice(c.clone()))
}

/// `test` for the user-delegated kinds: who the token acts as, and what it may do.
fn check_delegated(
    kind: &str,
    creds: OAuth,
    asked: Vec<String>,
    all: &mut Vec<String>,
) -> Result<ConnectionCheck, Error> {
    let creds = Rc::new(creds);
    let okta = Okta::new(creds.origin.clone(), Auth::OAuth(creds.clone()));
    let principal = me(&okta)?;
    let tokens = creds.token(okta.transport(), &okta.limits(okta.config.max_response_bytes)?)?;
    all.extend([tokens.access_token.clone()]);
    // A token the host handed in comes without its scopes: the connection's, then.
    let scopes = match tokens.scope.split_whitespace().map(str::to_string).collect::<Vec<_>>() {
        granted if !granted.is_empty() => granted,
        _ => asked,
    };
    Ok(ConnectionCheck {
        kind: kind.into(),
        org: okta.origin().base(),
        principal,
        scopes,
        token_type: tokens.token_type,
    })
}

impl Guest for crate::Component {
    fn test(connection: Connection) -> Result<ConnectionCheck, WitError> {
        let mut all = secrets(&connection);
        let result = (|| match &connection {
            Connection::ApiToken(_) => {
                let okta = connect(&connection)?;
                Ok(ConnectionCheck {
                    kind: "api_token".into(),
                    org: okta.origin().base(),
                    principal: me(&okta)?,
                    scopes: Vec::new(),
                    token_type: "SSWS".into(),
                })
            }
            Connection::ClientCredentials(c) => {
                let creds = Rc::new(client_credentials::credentials(c)?);
                let okta = Okta::new(creds.origin.clone(), Auth::OAuth(creds.clone()));
                let tokens = creds.token(okta.transport(), &okta.limits(okta.config.max_response_bytes)?)?;
                all.extend([tokens.access_token.clone()]);
                Ok(ConnectionCheck {
                    kind: "client_credentials".into(),
                    org: okta.origin().base(),
                    principal: None,
                    scopes: tokens.scope.split_whitespace().map(str::to_string).collect(),
                    token_type: tokens.token_type,
                })
            }
            Connection::OauthCode(c) => {
                let asked = c.scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                check_delegated("oauth_code", oauth_code::credentials(c)?, asked, &mut all)
            }
            Connection::OauthDevice(c) => {
                check_delegated("oauth_device", oauth_device::credentials(c)?, oauth_device::scopes(c), &mut all)
            }
        })();
        result.map_err(|e: Error| e.scrub(&all).into())
    }

    fn begin_authorization(
        connection: OauthCodeConnection,
        redirect_uri: String,
        state: String,
    ) -> Result<AuthorizationStart, WitError> {
        scrubbed(code_secrets(&connection), || {
            let creds = oauth_code::credentials(&connection)?;
            let start = code::start(
                &creds.origin,
                connection.client_id.trim(),
                &connection.scopes,
                redirect_uri.trim(),
                &state,
            )?;
            Ok(AuthorizationStart { url: start.url, code_verifier: start.code_verifier, hint: start.hint })
        })
    }

    fn exchange_code(
        connection: OauthCodeConnection,
        code_value: String,
        redirect_uri: String,
        code_verifier: String,
    ) -> Result<TokenSet, WitError> {
        let mut all = code_secrets(&connection);
        all.extend([code_value.clone(), code_verifier.clone()]);
        scrubbed(all, || {
            let creds = oauth_code::credentials(&connection)?;
            let oauth::Grant::AuthorizationCode { client_id, client_secret, .. } = &creds.grant else {
                return Err(Error::Unsupported("not an authorization-code connection".into()));
            };
            let tokens = at_token_endpoint(&creds, |endpoint| {
                code::exchange(endpoint, client_id, client_secret, &code_value, redirect_uri.trim(), &code_verifier)
            })?;
            // A new session, reached by the tokens handed back here.
            sessions::with(|s| s.put(&creds.identity, &[], tokens.clone(), true));
            Ok(tokens.into())
        })
    }

    fn refresh(connection: OauthCodeConnection) -> Result<TokenSet, WitError> {
        scrubbed(code_secrets(&connection), || {
            let creds = oauth_code::credentials(&connection)?;
            let oauth::Grant::AuthorizationCode { client_id, client_secret, refresh_token, .. } = &creds.grant else {
                return Err(Error::Unsupported("not an authorization-code connection".into()));
            };
            let newest = sessions::with(|s| s.tokens(&creds.identity, &creds.presented)).and_then(|t| t.refresh_token);
            let Some(refresh) = newest.or_else(|| refresh_token.clone()) else {
                return Err(Error::connection("refresh_token", "is absent: connect with offline_access to get one"));
            };
            let tokens =
                at_token_endpoint(&creds, |endpoint| code::refresh(endpoint, client_id, client_secret, &refresh))?;
            sessions::with(|s| s.put(&creds.identity, &creds.presented, tokens.clone(), true));
            Ok(tokens.into())
        })
    }

    fn current_tokens(connection: OauthCodeConnection) -> Option<TokenSet> {
        let creds = oauth_code::credentials(&connection).ok()?;
        sessions::with(|s| s.hand_back(&creds.identity, &creds.presented)).map(Into::into)
    }

    fn begin_device_authorization(connection: OauthDeviceConnection) -> Result<DeviceAuthorization, WitError> {
        scrubbed(device_secrets(&connection), || {
            let creds = oauth_device::credentials(&connection)?;
            let start = at_token_endpoint(&creds, |endpoint| oauth_device::begin(&connection, &creds, endpoint))?;
            Ok(DeviceAuthorization {
                user_code: start.user_code,
                verification_uri: start.verification_uri,
                verification_uri_complete: start.verification_uri_complete,
                device_code: start.device_code,
                interval: start.interval,
                expires_at: start.expires_at,
            })
        })
    }

    fn poll_device_authorization(
        connection: OauthDeviceConnection,
        device_code: String,
    ) -> Result<DevicePoll, WitError> {
        let mut all = device_secrets(&connection);
        all.push(device_code.clone());
        scrubbed(all, || {
            let creds = oauth_device::credentials(&connection)?;
            Ok(match at_token_endpoint(&creds, |endpoint| oauth_device::poll(&creds, endpoint, &device_code))? {
                device::Poll::Pending => DevicePoll::Pending,
                device::Poll::SlowDown => DevicePoll::SlowDown,
                device::Poll::Denied => DevicePoll::Denied,
                device::Poll::Expired => DevicePoll::Expired,
                device::Poll::Tokens(tokens) => DevicePoll::Tokens(tokens.into()),
            })
        })
    }

    fn current_device_tokens(connection: OauthDeviceConnection) -> Option<TokenSet> {
        let creds = oauth_device::credentials(&connection).ok()?;
        sessions::with(|s| s.hand_back(&creds.identity, &creds.presented)).map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Component;

    fn web(access: Option<&str>, refresh: Option<&str>) -> OauthCodeConnection {
        OauthCodeConnection {
            domain: "acme.okta.com".into(),
            scopes: vec!["okta.users.read".into(), "offline_access".into()],
            client_id: "0oa-web".into(),
            client_secret: "web-client-secret".into(),
            access_token: access.map(str::to_string),
            refresh_token: refresh.map(str::to_string),
        }
    }

    fn tokens(access: &str, refresh: &str) -> Tokens {
        Tokens {
            access_token: access.into(),
            token_type: "Bearer".into(),
            expires_at: Some(u64::MAX),
            refresh_token: Some(refresh.into()),
            scope: String::new(),
        }
    }

    #[test]
    fn current_tokens_only_for_the_connection_that_owns_them() {
        // User A's session rotated in this instance; the host has not read it back yet.
        let a = oauth_code::credentials(&web(Some("at-a1"), Some("rt-a1"))).unwrap();
        sessions::with(|s| s.put(&a.identity, &a.presented, tokens("at-a2", "rt-a2"), false));
        assert!(Component::current_tokens(web(None, None)).is_none(), "a connection without tokens");
        assert!(Component::current_tokens(web(Some("at-b1"), Some("rt-b1"))).is_none(), "user B of the same app");
        let newest = Component::current_tokens(web(Some("at-a1"), Some("rt-a1"))).expect("user A's own");
        assert_eq!(newest.refresh_token.as_deref(), Some("rt-a2"));
    }

    fn native(access: Option<&str>, refresh: Option<&str>) -> OauthDeviceConnection {
        OauthDeviceConnection {
            domain: "acme.okta.com".into(),
            scopes: vec!["okta.users.read".into(), "offline_access".into()],
            client_id: "0oa-native".into(),
            access_token: access.map(str::to_string),
            refresh_token: refresh.map(str::to_string),
        }
    }

    #[test]
    fn current_device_tokens_only_for_the_connection_that_owns_them() {
        let a = oauth_device::credentials(&native(Some("at-a1"), Some("rt-a1"))).unwrap();
        sessions::with(|s| s.put(&a.identity, &a.presented, tokens("at-a2", "rt-a2"), false));
        assert!(Component::current_device_tokens(native(None, None)).is_none(), "a connection without tokens");
        assert!(Component::current_device_tokens(native(Some("at-b1"), Some("rt-b1"))).is_none(), "user B");
        let newest = Component::current_device_tokens(native(Some("at-a1"), Some("rt-a1"))).expect("user A's own");
        assert_eq!(newest.refresh_token.as_deref(), Some("rt-a2"));
        // A code connection of the same client and tokens is another identity.
        let code = OauthCodeConnection {
            domain: "acme.okta.com".into(),
            scopes: vec!["okta.users.read".into(), "offline_access".into()],
            client_id: "0oa-native".into(),
            client_secret: "s".into(),
            access_token: Some("at-a1".into()),
            refresh_token: Some("rt-a1".into()),
        };
        assert!(Component::current_tokens(code).is_none());
    }
}
