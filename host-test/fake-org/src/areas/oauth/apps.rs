//! The OAuth apps a host or test registers on a [`FakeOrg`](crate::FakeOrg): service apps,
//! web apps, native apps, and the demo apps a served fake org registers.

use std::time::Duration;

use super::authz;

/// The OAuth apps [`FakeOrg::register_demo_apps`](crate::FakeOrg::register_demo_apps)
/// registers, for hosts and demos that talk to a served fake org.
pub mod demo_apps {
    /// A web app: authorization code, rotating refresh tokens, no DPoP.
    pub const WEB_CLIENT_ID: &str = "0oafakeweb0000000001";
    pub const WEB_CLIENT_SECRET: &str = "fake-web-secret-0123456789";
    pub const WEB_REDIRECT_URI: &str = "http://localhost:8765/callback";
    /// A service app requiring DPoP, with the public half of `fixtures/keys/rsa-pkcs8.pem`.
    pub const SERVICE_CLIENT_ID: &str = "0oafakesvc0000000001";
    pub const SERVICE_KEY_ID: &str = "fake-org-key";
    pub(in crate::areas::oauth) const SERVICE_PUBLIC_KEY: &str =
        include_str!("../../../../../fixtures/keys/rsa-public.pem");
    /// A native app: the device authorization, no secret, rotating refresh tokens, no DPoP.
    pub const NATIVE_CLIENT_ID: &str = "0oafakenative0000001";
    /// What the demo native app asks for by default: two read scopes and a refresh token.
    pub const NATIVE_SCOPES: [&str; 3] = ["okta.users.read", "okta.groups.read", "offline_access"];
    /// What all three are granted.
    pub const SCOPES: [&str; 6] = [
        "okta.users.read",
        "okta.users.manage",
        "okta.groups.read",
        "okta.groups.manage",
        "okta.apps.read",
        "okta.logs.read",
    ];
}

/// A service app to register with [`FakeOrg::register_service_app`](crate::FakeOrg::register_service_app).
#[derive(Clone, Debug)]
pub struct ServiceApp {
    pub client_id: String,
    /// Its public keys: `(kid, JWK or `-----BEGIN PUBLIC KEY-----` PEM)`; a JWK's own `kid`
    /// applies when none is given.
    pub keys: Vec<(Option<String>, String)>,
    /// The scopes granted to it.
    pub scopes: Vec<String>,
    /// Require DPoP (on, as for API service apps made since February 2024).
    pub dpop: bool,
}

impl ServiceApp {
    /// A DPoP-requiring app with one key.
    pub fn new(client_id: &str, public_key: &str, kid: Option<&str>, scopes: &[&str]) -> ServiceApp {
        ServiceApp {
            client_id: client_id.to_string(),
            keys: vec![(kid.map(str::to_string), public_key.to_string())],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            dpop: true,
        }
    }
}

/// A web app to register with [`FakeOrg::register_web_app`](crate::FakeOrg::register_web_app).
#[derive(Clone, Debug)]
pub struct WebApp {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    /// The `okta.*` scopes granted to it (`openid`, `offline_access`, … always allowed).
    pub scopes: Vec<String>,
    /// Refresh-token rotation with this grace period; `None`: the same refresh token stays.
    pub rotation_grace: Option<Duration>,
    /// Require DPoP on token requests.
    pub dpop: bool,
}

impl WebApp {
    /// Rotating refresh tokens with Okta's default 30 s grace, no DPoP.
    pub fn new(client_id: &str, client_secret: &str, redirect_uri: &str, scopes: &[&str]) -> WebApp {
        WebApp {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            redirect_uris: vec![redirect_uri.to_string()],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            rotation_grace: Some(Duration::from_secs(authz::DEFAULT_GRACE_SECS as u64)),
            dpop: false,
        }
    }
}

/// A native app to register with [`FakeOrg::register_native_app`](crate::FakeOrg::register_native_app):
/// a public client that signs users in with the device authorization.
#[derive(Clone, Debug)]
pub struct NativeApp {
    pub client_id: String,
    /// The `okta.*` scopes granted to it (`openid`, `offline_access`, … always allowed).
    pub scopes: Vec<String>,
    /// Refresh-token rotation with this grace period; `None`: the same refresh token stays.
    pub rotation_grace: Option<Duration>,
    /// Require DPoP on token requests.
    pub dpop: bool,
}

impl NativeApp {
    /// Rotating refresh tokens with Okta's default 30 s grace, no DPoP.
    pub fn new(client_id: &str, scopes: &[&str]) -> NativeApp {
        NativeApp {
            client_id: client_id.to_string(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            rotation_grace: Some(Duration::from_secs(authz::DEFAULT_GRACE_SECS as u64)),
            dpop: false,
        }
    }
}
