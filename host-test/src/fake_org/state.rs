//! The org's data: users, groups, apps, factors, user types, plus request bookkeeping.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::faults::Faults;
use super::paging::CursorKey;
use super::ratelimit::RateLimiter;
use super::util::make_id;
use super::SeenRequest;

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

#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub last_membership_updated: i64,
    /// `OKTA_GROUP`, `BUILT_IN` (Everyone) or `APP_GROUP`.
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    /// Explicit members (Everyone's membership is implicit).
    pub members: BTreeSet<String>,
}

#[derive(Clone, Debug)]
pub struct AppAssignment {
    /// user id or group id
    pub principal: String,
    /// `0ua…` assignment id
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct App {
    pub id: String,
    pub name: String,
    pub label: String,
    pub status: String,
    pub users: Vec<AppAssignment>,
    pub groups: Vec<AppAssignment>,
}

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

/// Id eras: fixtures < generated < created through the API (see [`make_id`]).
#[cfg_attr(not(test), allow(dead_code))]
pub const ERA_FIXTURE: char = 'e';
pub const ERA_GENERATED: char = 'q';
pub const ERA_CREATED: char = 'v';

/// Everything the fake org knows.
#[derive(Debug, Default)]
pub struct State {
    /// Keyed by id; id order is creation order and the listing order.
    pub users: BTreeMap<String, User>,
    /// lower-cased login → id
    pub logins: HashMap<String, String>,
    pub groups: BTreeMap<String, Group>,
    pub apps: Vec<App>,
    pub factors: Vec<Factor>,
    pub user_types: Vec<UserType>,
    pub next_created_seq: u64,
    pub next_generated_seq: u64,
    pub next_misc_seq: u64,
    /// Cursors handed out in `Link: rel="next"`, keyed by (listing kind, token).
    pub cursors: HashMap<(String, String), CursorKey>,
    /// Bumped by every write (any non-GET request, `generate_users`).
    pub version: u64,
    /// The last sorted `search` listing, reused while `version` is unchanged.
    pub sorted_cache: Option<SortedCache>,
    pub rate: RateLimiter,
    pub faults: Faults,
    pub seen: Vec<SeenRequest>,
    pub last_origin: Option<String>,
    /// Bench only (off by default): also accept `Authorization: SSWS<token>` without the space.
    pub tolerate_ssws_without_space: bool,
}

impl State {
    pub fn insert_user(&mut self, user: User) {
        self.logins.insert(user.login().to_lowercase(), user.id.clone());
        self.users.insert(user.id.clone(), user);
    }

    pub fn remove_user(&mut self, id: &str) {
        if let Some(u) = self.users.remove(id) {
            let key = u.login().to_lowercase();
            if self.logins.get(&key).map(|v| v == id).unwrap_or(false) {
                self.logins.remove(&key);
            }
            for g in self.groups.values_mut() {
                g.members.remove(id);
            }
            for a in &mut self.apps {
                a.users.retain(|x| x.principal != id);
            }
            self.factors.retain(|f| f.user_id != id);
        }
    }

    /// Re-indexes a user's login after a profile change.
    pub fn reindex_login(&mut self, id: &str, old_login: &str) {
        let old = old_login.to_lowercase();
        if self.logins.get(&old).map(|v| v == id).unwrap_or(false) {
            self.logins.remove(&old);
        }
        if let Some(u) = self.users.get(id) {
            self.logins.insert(u.login().to_lowercase(), id.to_string());
        }
    }

    /// Whether another user already has this login (case-insensitive, any status).
    pub fn login_taken(&self, login: &str, except: Option<&str>) -> bool {
        match self.logins.get(&login.to_lowercase()) {
            Some(id) => Some(id.as_str()) != except,
            None => false,
        }
    }

    /// Resolves `{id}` path parameters that accept an id, a login, a login shortname
    /// (the part before `@`, when unambiguous) or `me`.
    pub fn resolve_user(&self, key: &str) -> Option<String> {
        if self.users.contains_key(key) {
            return Some(key.to_string());
        }
        if key == "me" {
            return self.users.values().find(|u| u.admin).map(|u| u.id.clone());
        }
        if let Some(id) = self.logins.get(&key.to_lowercase()) {
            return Some(id.clone());
        }
        if key.contains('@') || key.is_empty() {
            return None;
        }
        let short = key.to_lowercase();
        let mut found = self.users.values().filter(|u| {
            let l = u.login().to_lowercase();
            l.split('@').next() == Some(short.as_str()) && l.contains('@')
        });
        match (found.next(), found.next()) {
            (Some(u), None) => Some(u.id.clone()),
            _ => None,
        }
    }

    /// `{userId}` path parameters take the id only.
    pub fn resolve_user_id_only(&self, key: &str) -> Option<String> {
        self.users.contains_key(key).then(|| key.to_string())
    }

    pub fn default_user_type(&self) -> Option<&UserType> {
        self.user_types.iter().find(|t| t.default).or(self.user_types.first())
    }

    pub fn user_type(&self, id: &str) -> Option<&UserType> {
        self.user_types.iter().find(|t| t.id == id)
    }

    /// Groups of a user: Everyone plus explicit memberships, in id order.
    pub fn groups_of(&self, user_id: &str) -> Vec<&Group> {
        self.groups.values().filter(|g| g.kind == "BUILT_IN" || g.members.contains(user_id)).collect()
    }

    pub fn new_user_id(&mut self) -> String {
        let seq = self.next_created_seq;
        self.next_created_seq += 1;
        make_id("00u", ERA_CREATED, seq, 0xC0FFEE)
    }

    /// Id for other created objects (groups, …) with the given prefix.
    pub fn new_misc_id(&mut self, prefix: &str) -> String {
        let seq = self.next_misc_seq;
        self.next_misc_seq += 1;
        make_id(prefix, ERA_CREATED, seq, 0xBEEF)
    }
}
