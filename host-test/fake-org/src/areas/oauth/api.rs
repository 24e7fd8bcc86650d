//! What hosts and tests do with a [`FakeOrg`]'s authorization server: register OAuth apps,
//! issue tokens directly, act as the user's browser, revoke tokens, rotate DPoP nonces.

use std::time::Duration;

use bytes::Bytes;

use super::apps::{demo_apps, NativeApp, ServiceApp, WebApp};
use super::authz::{self, TokenStats};
use crate::infra::scope;
use crate::{FakeOrg, Outcome};

impl FakeOrg {
    /// An OAuth access token for these scopes (`okta.users.read`, …) that never expires,
    /// accepted as `Authorization: Bearer <token>`; endpoints whose scope it lacks answer 403
    /// with an empty body and `WWW-Authenticate: Bearer …, scope="…",
    /// error="insufficient_scope"`. `Err` names an unknown scope.
    pub fn issue_access_token(&self, scopes: &[&str]) -> Result<String, String> {
        let parsed = scopes
            .iter()
            .map(|s| scope::Scope::parse(s).map(|s| s.as_str().to_string()).ok_or_else(|| format!("unknown scope {s}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.st().authz.issue_static(parsed))
    }

    /// Registers a service app: client credentials with a `private_key_jwt` assertion checked
    /// against its public keys. `Err` names a key or scope the org cannot take.
    pub fn register_service_app(&self, app: &ServiceApp) -> Result<(), String> {
        let keys = app
            .keys
            .iter()
            .map(|(kid, text)| authz::PublicKey::parse(text, kid.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("a service app needs a public key".into());
        }
        let scopes = known_scopes(&app.scopes)?;
        self.st().authz.register(authz::Client {
            id: app.client_id.clone(),
            auth: authz::ClientAuth::PrivateKeyJwt { keys },
            scopes,
            dpop: app.dpop,
        });
        Ok(())
    }

    /// Registers a web app: authorization code (PKCE checked when a challenge was sent) with
    /// `client_secret_basic`, refresh tokens for `offline_access`.
    pub fn register_web_app(&self, app: &WebApp) -> Result<(), String> {
        if app.redirect_uris.is_empty() {
            return Err("a web app needs a redirect URI".into());
        }
        let scopes = known_scopes(&app.scopes)?;
        let rotation = rotation(app.rotation_grace);
        self.st().authz.register(authz::Client {
            id: app.client_id.clone(),
            auth: authz::ClientAuth::Secret {
                secret: app.client_secret.clone(),
                redirect_uris: app.redirect_uris.clone(),
                rotation,
            },
            scopes,
            dpop: app.dpop,
        });
        Ok(())
    }

    /// Registers a native app: a public client (no secret) with the device authorization and
    /// refresh tokens for `offline_access`.
    pub fn register_native_app(&self, app: &NativeApp) -> Result<(), String> {
        let scopes = known_scopes(&app.scopes)?;
        let rotation = rotation(app.rotation_grace);
        self.st().authz.register(authz::Client {
            id: app.client_id.clone(),
            auth: authz::ClientAuth::Public { rotation },
            scopes,
            dpop: app.dpop,
        });
        Ok(())
    }

    /// Registers the [`demo_apps`]: a web app, a DPoP service app and a native app.
    pub fn register_demo_apps(&self) {
        use demo_apps::*;
        let web = WebApp::new(WEB_CLIENT_ID, WEB_CLIENT_SECRET, WEB_REDIRECT_URI, &SCOPES);
        let service = ServiceApp::new(SERVICE_CLIENT_ID, SERVICE_PUBLIC_KEY, Some(SERVICE_KEY_ID), &SCOPES);
        let native = NativeApp::new(NATIVE_CLIENT_ID, &SCOPES);
        for registered in
            [self.register_web_app(&web), self.register_service_app(&service), self.register_native_app(&native)]
        {
            registered.expect("the demo apps are valid");
        }
    }

    /// Plays the user at the org's `/activate` page: the org's admin signs in, enters
    /// `user_code` and allows the device (or denies it). `Err` when the code is unknown,
    /// expired or already decided.
    pub fn decide_device(&self, user_code: &str, allow: bool) -> Result<(), String> {
        let now = self.now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        self.st().authz.devices.decide(user_code, allow, now)
    }

    /// The polling interval handed out with device codes from now on (Okta's: 5 s).
    pub fn set_device_interval(&self, interval: Duration) {
        self.st().authz.devices.interval_secs = interval.as_secs().max(1) as i64;
    }

    /// How long access tokens issued from now on live (`expires_in`; default one hour).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.st().authz.lifetime_secs = lifetime.as_secs() as i64;
    }

    /// What the token endpoint did so far.
    pub fn token_stats(&self) -> TokenStats {
        self.st().authz.stats
    }

    /// Plays the user's browser at an authorize URL: the org's admin approves at once. Returns
    /// the `Location` the org redirects to (with `code` and `state`, or `error`), or `Err` with
    /// the status and body when the org refuses to redirect.
    pub async fn authorize(&self, url: &str) -> Result<String, String> {
        let request = http::Request::get(url).body(Bytes::new()).map_err(|e| e.to_string())?;
        match self.handle(request).await {
            Outcome::Response { response, .. } if response.status() == http::StatusCode::FOUND => response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| "a redirect without Location".to_string()),
            Outcome::Response { response, .. } => {
                Err(format!("{} {}", response.status().as_u16(), String::from_utf8_lossy(response.body())))
            }
            Outcome::Dropped => Err("connection dropped".into()),
        }
    }

    /// Revokes every access token issued so far: the next API call with one gets 401.
    pub fn revoke_access_tokens(&self) {
        self.st().authz.revoke_access_tokens();
    }

    /// Revokes every refresh token of a client (the user must connect again).
    pub fn revoke_refresh_tokens(&self, client_id: &str) {
        self.st().authz.revoke_refresh_tokens(client_id);
    }

    /// Makes API calls with DPoP-bound tokens carry the resource server's nonce (401
    /// `use_dpop_nonce` otherwise); every answer to them hands out the current nonce. Okta
    /// does not ask for one today; off by default.
    pub fn require_api_dpop_nonce(&self, on: bool) {
        self.st().authz.require_api_nonce = on;
    }

    /// A new resource-server nonce, handed out from now on; the previous one keeps working
    /// until [`FakeOrg::expire_dpop_nonces`].
    pub fn rotate_api_dpop_nonce(&self) {
        self.st().authz.rotate_api_nonce();
    }

    /// A new token-endpoint nonce; the previous one keeps working (Okta's daily rotation).
    pub fn rotate_token_dpop_nonce(&self) {
        self.st().authz.rotate_token_nonce();
    }

    /// New nonces everywhere, the old ones refused at once.
    pub fn expire_dpop_nonces(&self) {
        self.st().authz.expire_nonces();
    }
}

/// Refresh tokens that rotate, with `grace` in which the previous one still works, or that
/// stay the same.
fn rotation(grace: Option<std::time::Duration>) -> authz::Rotation {
    match grace {
        Some(g) => authz::Rotation::Rotate { grace_secs: g.as_secs() as i64 },
        None => authz::Rotation::Static,
    }
}

/// Granted scopes: the management API's own (`okta.users.read`, …) or OIDC ones.
fn known_scopes(scopes: &[String]) -> Result<Vec<String>, String> {
    for s in scopes {
        if s.starts_with("okta.") && scope::Scope::parse(s).is_none() {
            return Err(format!("unknown scope {s}"));
        }
    }
    Ok(scopes.to_vec())
}
