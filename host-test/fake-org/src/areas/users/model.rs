//! The users' records: users and their statuses, credentials and lifecycle transitions,
//! enrolled factors, user types, and the sorted-search cache.

use serde_json::{Map, Value};

use crate::areas::system_log::events::Target;
use crate::infra::paging::CursorKey;

/// User statuses (Okta `UserStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Staged,
    Provisioned,
    Active,
    Recovery,
    PasswordExpired,
    LockedOut,
    Suspended,
    Deprovisioned,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Staged,
        Status::Provisioned,
        Status::Active,
        Status::Recovery,
        Status::PasswordExpired,
        Status::LockedOut,
        Status::Suspended,
        Status::Deprovisioned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Staged => "STAGED",
            Status::Provisioned => "PROVISIONED",
            Status::Active => "ACTIVE",
            Status::Recovery => "RECOVERY",
            Status::PasswordExpired => "PASSWORD_EXPIRED",
            Status::LockedOut => "LOCKED_OUT",
            Status::Suspended => "SUSPENDED",
            Status::Deprovisioned => "DEPROVISIONED",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The digit Okta puts in front of the last id in a plain `/users` cursor
    /// (`0…` after a STAGED user, `2…` after an ACTIVE one in the recordings).
    pub fn cursor_digit(self) -> char {
        match self {
            Status::Staged => '0',
            Status::Provisioned => '1',
            Status::Active => '2',
            Status::Recovery => '3',
            Status::PasswordExpired => '4',
            Status::LockedOut => '5',
            Status::Suspended => '6',
            Status::Deprovisioned => '7',
        }
    }
}

/// The password credential as stored (never echoed: responses show `"password":{}`).
#[derive(Clone, Debug, PartialEq)]
pub enum Password {
    Plain(String),
    /// Imported hash (`credentials.password.hash`), kept as sent.
    Hash(Value),
    /// `credentials.password.hook` (password import inline hook).
    Hook,
}

/// A user: status, timestamps, profile and credentials.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub status: Status,
    pub created: i64,
    pub activated: Option<i64>,
    pub status_changed: Option<i64>,
    pub last_login: Option<i64>,
    pub last_updated: i64,
    pub password_changed: Option<i64>,
    pub realm_id: Option<String>,
    pub type_id: String,
    pub profile: Map<String, Value>,
    pub password: Option<Password>,
    /// (question, answer)
    pub recovery_question: Option<(String, String)>,
    /// (type, name), e.g. ("OKTA", "OKTA")
    pub provider: (String, String),
    /// The admin behind the API token (`/users/me`).
    pub admin: bool,
}

impl User {
    pub fn login(&self) -> &str {
        self.profile.get("login").and_then(Value::as_str).unwrap_or("")
    }
    pub fn email(&self) -> Option<&str> {
        self.profile.get("email").and_then(Value::as_str)
    }
    pub fn set_status(&mut self, status: Status, now: i64) {
        self.status = status;
        self.status_changed = Some(now);
        self.last_updated = now;
    }
}

/// A factor a user enrolled.
#[derive(Clone, Debug)]
pub struct Factor {
    pub id: String,
    pub user_id: String,
    pub factor_type: String,
    pub provider: String,
    pub vendor_name: Option<String>,
    pub status: String,
    pub created: i64,
    pub last_updated: i64,
    pub profile: Value,
}

/// A user type.
#[derive(Clone, Debug)]
pub struct UserType {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub default: bool,
    pub created: i64,
    pub last_updated: i64,
    pub created_by: String,
    pub schema_id: String,
}

/// A sorted listing: the keys of all matching users in listing order.
#[derive(Debug)]
pub struct SortedCache {
    pub key: String,
    pub version: u64,
    pub keys: Vec<CursorKey>,
}

/// A lifecycle change of a user; the caller has checked that the current status allows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    /// STAGED/DEPROVISIONED → ACTIVE with a password, else PROVISIONED (waits for the link).
    Activate,
    /// PROVISIONED/RECOVERY: a new activation link; the status stays.
    Reactivate,
    Deactivate,
    Suspend,
    Unsuspend,
    Unlock,
    /// → RECOVERY.
    ResetPassword,
    /// → PASSWORD_EXPIRED, optionally with a temporary password.
    ExpirePassword {
        temp_password: Option<String>,
    },
    /// Removes every enrolled factor.
    ResetFactors,
}

/// `target` entry for a user.
pub fn user_target(u: &User) -> Target {
    let name = format!(
        "{} {}",
        u.profile.get("firstName").and_then(Value::as_str).unwrap_or(""),
        u.profile.get("lastName").and_then(Value::as_str).unwrap_or("")
    );
    Target {
        id: u.id.clone(),
        kind: "User",
        alternate_id: u.login().to_string(),
        display_name: name.trim().to_string(),
    }
}
