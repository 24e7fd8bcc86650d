//! The applications' records: apps and their user and group assignments.

use crate::areas::system_log::events::Target;
use crate::infra::json::J;

/// An app assignment: a user's (`AppUser`) or a group's.
#[derive(Clone, Debug, PartialEq)]
pub struct AppAssignment {
    /// user id or group id
    pub principal: String,
    /// `0ua…` assignment id
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub status_changed: i64,
    pub password_changed: Option<i64>,
    /// `ACTIVE`, `PROVISIONED`, …
    pub status: String,
    /// `USER` for direct assignments.
    pub scope: String,
    /// `credentials.userName`
    pub user_name: Option<String>,
    /// App credential password; never returned (`"password":{}`).
    pub password: Option<String>,
    /// App-specific profile, as sent.
    pub profile: J,
}

impl AppAssignment {
    /// A direct user assignment made now.
    pub fn new_user(principal: String, id: String, now: i64) -> AppAssignment {
        AppAssignment {
            principal,
            id,
            created: now,
            last_updated: now,
            status_changed: now,
            password_changed: None,
            status: "ACTIVE".into(),
            scope: "USER".into(),
            user_name: None,
            password: None,
            profile: J::empty_obj(),
        }
    }
}

/// An application instance and its assignments.
#[derive(Clone, Debug)]
pub struct App {
    pub id: String,
    pub name: String,
    pub label: String,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// `BOOKMARK`, `SAML_2_0`, `OPENID_CONNECT`, `BASIC_AUTH`, `AUTO_LOGIN`, …
    pub sign_on_mode: String,
    pub created: i64,
    pub last_updated: i64,
    /// `settings.app`, as configured.
    pub settings_app: J,
    pub users: Vec<AppAssignment>,
    pub groups: Vec<AppAssignment>,
}

impl App {
    /// Sign-on modes whose credential scheme stores a password per user (SWA-style); the
    /// others take at most a user name (400 E0000041 otherwise).
    pub fn takes_password(&self) -> bool {
        matches!(self.sign_on_mode.as_str(), "BASIC_AUTH" | "AUTO_LOGIN" | "BROWSER_PLUGIN" | "SECURE_PASSWORD_STORE")
    }
}

/// `target` entry for an app instance.
pub fn app_target(a: &App) -> Target {
    Target { id: a.id.clone(), kind: "AppInstance", alternate_id: a.label.clone(), display_name: a.label.clone() }
}
