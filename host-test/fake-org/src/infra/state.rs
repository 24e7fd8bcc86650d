//! The org's data and the only code that changes it. Every write is a `State` method that
//! applies the change and appends the System Log event Okta would record for it (actor, typed
//! targets, the request's id as `transaction.id`), so log queries, polling triggers and
//! event-hook deliveries see every change. Failed writes never reach these methods, so they
//! record nothing. Areas read through the accessors; the data fields are private.
//!
//! Request bookkeeping (cursors, rate windows, queued faults, seen requests) is not org data and
//! stays in public fields.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::authz::AuthServer;
use super::events::{event_doc, event_uuid, Actor, Audit, Ev, EventOutcome, LogStore, Target};
use super::faults::Faults;
use super::json::J;
use super::paging::CursorKey;
use super::ratelimit::RateLimiter;
use super::scope::Scope;
use super::util::make_id;

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
    /// The app an APP_GROUP is imported from (`_links.source`, `expand=app`).
    pub source: Option<String>,
}

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

/// A policy, with the type-specific parts kept as documents.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    /// `PASSWORD`, `OKTA_SIGN_ON`, `ACCESS_POLICY`, …
    pub kind: String,
    pub status: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: i64,
    pub system: bool,
    pub conditions: J,
    pub settings: Option<J>,
    pub created: i64,
    pub last_updated: i64,
    /// The authorization server or app a policy belongs to (`resourceId` filter).
    pub resource_id: Option<String>,
    /// Rules, for `expand=rules`.
    pub rules: Vec<J>,
}

/// A realm.
#[derive(Clone, Debug)]
pub struct Realm {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub is_default: bool,
    pub name: String,
    /// `None` for the default realm, whose profile has no `domains`.
    pub domains: Option<Vec<String>>,
}

/// The `channel.config.authScheme` of a hook.
#[derive(Clone, PartialEq)]
pub struct AuthScheme {
    pub kind: String,
    pub key: String,
    /// The secret; never returned and never printed.
    pub value: String,
}

impl std::fmt::Debug for AuthScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthScheme")
            .field("kind", &self.kind)
            .field("key", &self.key)
            .field("value", &"[redacted]")
            .finish()
    }
}

/// An event hook.
#[derive(Clone, Debug)]
pub struct EventHook {
    pub id: String,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// `UNVERIFIED` or `VERIFIED`.
    pub verification_status: String,
    pub name: String,
    pub description: Option<String>,
    pub created: i64,
    pub created_by: String,
    pub last_updated: i64,
    /// `events.type` (`EVENT_TYPE`).
    pub events_type: String,
    pub items: Vec<String>,
    /// `events.filter` as sent (`null` when absent).
    pub filter: J,
    /// `channel.version`
    pub version: String,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub auth: Option<AuthScheme>,
}

impl EventHook {
    /// Only ACTIVE and VERIFIED hooks receive events.
    pub fn receives(&self) -> bool {
        self.status == "ACTIVE" && self.verification_status == "VERIFIED"
    }
}

/// One delivery attempt of an event hook, as the org made it.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub hook_id: String,
    /// The envelope's `eventId` (new for every delivery, the same for its retry).
    pub event_id: String,
    /// `uuid` of each event in `data.events`, in order.
    pub uuids: Vec<String>,
    /// 1 for the first attempt, 2 for the retry.
    pub attempt: u32,
    /// The receiver's status, or `None` when it did not answer in time or the connection failed.
    pub status: Option<u16>,
    /// Why the attempt failed, if it did.
    pub error: Option<String>,
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

/// A request as the org saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
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

/// Everything the fake org knows.
#[derive(Debug, Default)]
pub struct State {
    /// Keyed by id; id order is creation order and the listing order.
    users: BTreeMap<String, User>,
    /// lower-cased login → id
    logins: HashMap<String, String>,
    groups: BTreeMap<String, Group>,
    apps: Vec<App>,
    factors: Vec<Factor>,
    user_types: Vec<UserType>,
    policies: Vec<Policy>,
    realms: Vec<Realm>,
    event_hooks: BTreeMap<String, EventHook>,
    deliveries: Vec<Delivery>,
    log: LogStore,
    /// How long after an event the org persists it (0: at once).
    log_delay_ms: i64,
    /// Events appended since the last hand-over to event-hook delivery (persistence seqs).
    undelivered: Vec<u64>,
    next_created_seq: u64,
    next_generated_seq: u64,
    next_misc_seq: u64,
    /// Bumped by every write.
    version: u64,
    /// Cursors handed out in `Link: rel="next"`, keyed by (listing kind, token).
    pub cursors: HashMap<(String, String), CursorKey>,
    /// The last sorted `search` listing, reused while the data version is unchanged.
    pub sorted_cache: Option<SortedCache>,
    pub rate: RateLimiter,
    pub faults: Faults,
    pub seen: Vec<SeenRequest>,
    pub last_origin: Option<String>,
    /// Bench only (off by default): also accept `Authorization: SSWS<token>` without the space.
    pub tolerate_ssws_without_space: bool,
    /// The org authorization server: OAuth apps, codes, tokens, DPoP nonces.
    pub authz: AuthServer,
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

/// `target` entry for a group.
pub fn group_target(g: &Group) -> Target {
    Target { id: g.id.clone(), kind: "UserGroup", alternate_id: "unknown".into(), display_name: g.name.clone() }
}

/// `target` entry for an app instance.
pub fn app_target(a: &App) -> Target {
    Target { id: a.id.clone(), kind: "AppInstance", alternate_id: a.label.clone(), display_name: a.label.clone() }
}

impl State {
    // -----------------------------------------------------------------------------------------
    // Reads

    pub fn users(&self) -> &BTreeMap<String, User> {
        &self.users
    }
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.get(id)
    }
    pub fn groups(&self) -> &BTreeMap<String, Group> {
        &self.groups
    }
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }
    pub fn apps(&self) -> &[App] {
        &self.apps
    }
    pub fn factors_of<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a Factor> + 'a {
        self.factors.iter().filter(move |f| f.user_id == user_id)
    }
    #[cfg(test)]
    pub fn factor_count(&self) -> usize {
        self.factors.len()
    }
    pub fn user_types(&self) -> &[UserType] {
        &self.user_types
    }
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }
    pub fn realms(&self) -> &[Realm] {
        &self.realms
    }
    pub fn event_hooks(&self) -> &BTreeMap<String, EventHook> {
        &self.event_hooks
    }
    pub fn event_hook(&self, id: &str) -> Option<&EventHook> {
        self.event_hooks.get(id)
    }
    pub fn deliveries(&self) -> &[Delivery] {
        &self.deliveries
    }
    pub fn log(&self) -> &LogStore {
        &self.log
    }
    /// Registers a new OAuth access token for these scopes (Bearer, never expires); returns
    /// the token.
    pub fn issue_access_token(&mut self, scopes: Vec<Scope>) -> String {
        self.authz.issue_static(scopes.iter().map(|s| s.as_str().to_string()).collect())
    }

    /// Data version: changes with every write.
    pub fn version(&self) -> u64 {
        self.version
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

    /// The admin behind the API token: the seeded `/users/me` user, or a stand-in in an org
    /// without users.
    pub fn admin_actor(&self) -> Actor {
        match self.users.values().find(|u| u.admin) {
            Some(u) => {
                let t = user_target(u);
                Actor { id: t.id, kind: "User".into(), alternate_id: t.alternate_id, display_name: t.display_name }
            }
            None => Actor {
                id: make_id("00u", 'a', 0, 0xAD),
                kind: "User".into(),
                alternate_id: "api.admin@example.com".into(),
                display_name: "API Admin".into(),
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Ids

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

    /// Sequence for the next generated user (see `seed::generate_users`).
    pub fn take_generated_seq(&mut self) -> u64 {
        let k = self.next_generated_seq;
        self.next_generated_seq += 1;
        k
    }

    // -----------------------------------------------------------------------------------------
    // Loading fixtures (not API writes: nothing is logged)

    pub fn load_user(&mut self, user: User) {
        self.version += 1;
        self.logins.insert(user.login().to_lowercase(), user.id.clone());
        self.users.insert(user.id.clone(), user);
    }
    pub fn load_group(&mut self, group: Group) {
        self.groups.insert(group.id.clone(), group);
    }
    pub fn load_app(&mut self, app: App) {
        self.apps.push(app);
    }
    pub fn load_factor(&mut self, factor: Factor) {
        self.factors.push(factor);
    }
    pub fn load_user_type(&mut self, t: UserType) {
        self.user_types.push(t);
    }
    pub fn load_policy(&mut self, p: Policy) {
        self.policies.push(p);
    }
    pub fn load_realm(&mut self, r: Realm) {
        self.realms.push(r);
    }

    // -----------------------------------------------------------------------------------------
    // The System Log

    /// Appends an event published now.
    fn record(&mut self, a: &Audit, ev: Ev, targets: Vec<Target>) {
        self.record_at(a, ev, targets, EventOutcome::Success, a.now_ms);
    }

    /// Appends an event with an explicit outcome and `published` time.
    pub fn record_at(&mut self, a: &Audit, ev: Ev, targets: Vec<Target>, outcome: EventOutcome, published_ms: i64) {
        let seq_hint = self.log.all().len() as u64;
        let uuid = event_uuid(published_ms, seq_hint);
        let doc = event_doc(a, ev, &targets, &outcome, &uuid, published_ms);
        self.append_event_doc(doc, published_ms, a.now_ms + self.log_delay_ms);
    }

    /// Stores a ready event document, published and persisted at the given times, and hands it
    /// to event-hook delivery.
    pub fn append_event_doc(&mut self, doc: J, published_ms: i64, persisted_ms: i64) -> u64 {
        self.version += 1;
        let seq = self.log.append(doc, published_ms, persisted_ms);
        self.undelivered.push(seq);
        seq
    }

    /// Events written from now on are persisted `ms` after they happen (queries see them late).
    pub fn set_log_delay(&mut self, ms: i64) {
        self.log_delay_ms = ms.max(0);
    }

    /// Hands an already delivered event to event-hook delivery again (Okta delivers at least
    /// once: receivers must cope with duplicates).
    pub fn requeue_event(&mut self, uuid: &str) -> bool {
        match self.log.by_uuid(uuid).map(|e| e.seq) {
            Some(seq) => {
                self.undelivered.push(seq);
                true
            }
            None => false,
        }
    }

    /// Events appended since the last call, for event-hook delivery.
    pub fn take_undelivered(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.undelivered)
    }

    // -----------------------------------------------------------------------------------------
    // Users

    /// A new user (status, timestamps and credentials already decided), with its initial group
    /// memberships. Records `user.lifecycle.create`, `user.lifecycle.activate` when created
    /// activated, and one `group.user_membership.add` per group.
    pub fn create_user(&mut self, a: &Audit, user: User, group_ids: &[String]) -> String {
        let id = user.id.clone();
        let activated = user.activated.is_some();
        self.load_user(user);
        let target = self.users.get(&id).map(user_target);
        if let Some(t) = target.clone() {
            self.record(a, Ev::UserCreate, vec![t.clone()]);
            if activated {
                self.record(a, Ev::UserActivate, vec![t]);
            }
        }
        for gid in group_ids {
            self.add_group_member(a, gid, &id);
        }
        id
    }

    /// Stores an edited user (profile, credentials, type, realm). Records
    /// `user.account.update_profile` when the profile changed and `user.account.update_password`
    /// when the password did.
    pub fn save_user(&mut self, a: &Audit, mut user: User) {
        let Some(old) = self.users.get(&user.id).cloned() else { return };
        user.last_updated = a.now_secs();
        let profile_changed = old.profile != user.profile || old.type_id != user.type_id;
        let password_changed = old.password != user.password;
        let old_login = old.login().to_lowercase();
        if self.logins.get(&old_login).map(|v| *v == user.id).unwrap_or(false) {
            self.logins.remove(&old_login);
        }
        self.load_user(user.clone());
        let t = user_target(&user);
        if profile_changed {
            self.record(a, Ev::UserUpdateProfile, vec![t.clone()]);
        }
        if password_changed {
            self.record(a, Ev::UserUpdatePassword, vec![t]);
        }
    }

    /// Applies a lifecycle change and records its event.
    pub fn transition_user(&mut self, a: &Audit, id: &str, t: Transition) {
        let now = a.now_secs();
        let Some(u) = self.users.get_mut(id) else { return };
        let ev = match &t {
            Transition::Activate => {
                let status = if u.password.is_some() { Status::Active } else { Status::Provisioned };
                u.set_status(status, now);
                u.activated = Some(now);
                Ev::UserActivate
            }
            Transition::Reactivate => {
                u.last_updated = now;
                Ev::UserReactivate
            }
            Transition::Deactivate => {
                u.set_status(Status::Deprovisioned, now);
                Ev::UserDeactivate
            }
            Transition::Suspend => {
                u.set_status(Status::Suspended, now);
                Ev::UserSuspend
            }
            Transition::Unsuspend => {
                u.set_status(Status::Active, now);
                Ev::UserUnsuspend
            }
            Transition::Unlock => {
                u.set_status(Status::Active, now);
                Ev::UserUnlock
            }
            Transition::ResetPassword => {
                u.set_status(Status::Recovery, now);
                Ev::UserResetPassword
            }
            Transition::ExpirePassword { temp_password } => {
                u.set_status(Status::PasswordExpired, now);
                if let Some(p) = temp_password {
                    u.password = Some(Password::Plain(p.clone()));
                    u.password_changed = Some(now);
                }
                Ev::UserExpirePassword
            }
            Transition::ResetFactors => {
                u.last_updated = now;
                Ev::FactorResetAll
            }
        };
        let target = user_target(u);
        if t == Transition::ResetFactors {
            self.factors.retain(|f| f.user_id != id);
        }
        self.record(a, ev, vec![target]);
    }

    /// A password change by the user (old password checked by the caller); finishes recovery
    /// or an expired password.
    pub fn change_password(&mut self, a: &Audit, id: &str, new: Password) {
        let now = a.now_secs();
        let Some(u) = self.users.get_mut(id) else { return };
        u.password = Some(new);
        u.password_changed = Some(now);
        u.last_updated = now;
        if matches!(u.status, Status::Recovery | Status::PasswordExpired) {
            u.set_status(Status::Active, now);
        }
        let t = user_target(u);
        self.record(a, Ev::UserUpdatePassword, vec![t]);
    }

    /// `DELETE /users/{id}`: deactivates a user that is not DEPROVISIONED yet, deletes one that
    /// is (with its memberships, app assignments and factors).
    pub fn delete_user(&mut self, a: &Audit, id: &str) {
        let Some(u) = self.users.get(id) else { return };
        if u.status != Status::Deprovisioned {
            self.transition_user(a, id, Transition::Deactivate);
            return;
        }
        let t = user_target(u);
        self.record(a, Ev::UserDeleteInitiated, vec![t.clone()]);
        if let Some(u) = self.users.remove(id) {
            let key = u.login().to_lowercase();
            if self.logins.get(&key).map(|v| v == id).unwrap_or(false) {
                self.logins.remove(&key);
            }
            for g in self.groups.values_mut() {
                g.members.remove(id);
            }
            for app in &mut self.apps {
                app.users.retain(|x| x.principal != id);
            }
            self.factors.retain(|f| f.user_id != id);
        }
        self.record(a, Ev::UserDeleteCompleted, vec![t]);
    }

    /// `DELETE /users/{id}/sessions`.
    pub fn clear_user_sessions(&mut self, a: &Audit, id: &str) {
        if let Some(t) = self.users.get(id).map(user_target) {
            self.record(a, Ev::UserSessionClear, vec![t]);
        }
    }

    /// Removes factors of a user, one `user.mfa.factor.deactivate` each.
    pub fn unenroll_factors(&mut self, a: &Audit, user_id: &str, factor_ids: &[String]) {
        let Some(t) = self.users.get(user_id).map(user_target) else { return };
        for fid in factor_ids {
            let before = self.factors.len();
            self.factors.retain(|f| !(f.user_id == user_id && &f.id == fid));
            if self.factors.len() != before {
                self.record(a, Ev::FactorDeactivate, vec![t.clone()]);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Groups

    /// A new OKTA_GROUP; records `group.lifecycle.create`.
    pub fn create_group(&mut self, a: &Audit, name: String, description: Option<String>) -> String {
        let id = self.new_misc_id("00g");
        let now = a.now_secs();
        let g = Group {
            id: id.clone(),
            created: now,
            last_updated: now,
            last_membership_updated: now,
            kind: "OKTA_GROUP".into(),
            name,
            description,
            members: BTreeSet::new(),
            source: None,
        };
        let t = group_target(&g);
        self.groups.insert(id.clone(), g);
        self.record(a, Ev::GroupCreate, vec![t]);
        id
    }

    /// Replaces a group's profile; records `group.profile.update`.
    pub fn replace_group_profile(&mut self, a: &Audit, gid: &str, name: String, description: Option<String>) {
        let now = a.now_secs();
        let Some(g) = self.groups.get_mut(gid) else { return };
        g.name = name;
        g.description = description;
        g.last_updated = now;
        let t = group_target(g);
        self.record(a, Ev::GroupProfileUpdate, vec![t]);
    }

    /// Deletes a group and its app assignments; records `group.lifecycle.delete`.
    pub fn delete_group(&mut self, a: &Audit, gid: &str) {
        let Some(g) = self.groups.remove(gid) else { return };
        for app in &mut self.apps {
            app.groups.retain(|x| x.principal != gid);
        }
        self.record(a, Ev::GroupDelete, vec![group_target(&g)]);
    }

    /// Adds a member; records `group.user_membership.add` when it was not one already.
    pub fn add_group_member(&mut self, a: &Audit, gid: &str, uid: &str) -> bool {
        let now = a.now_secs();
        let Some(u) = self.users.get(uid).map(user_target) else { return false };
        let Some(g) = self.groups.get_mut(gid) else { return false };
        if !g.members.insert(uid.to_string()) {
            return false;
        }
        g.last_membership_updated = now;
        let t = group_target(g);
        self.record(a, Ev::GroupMemberAdd, vec![u, t]);
        true
    }

    /// Removes a member; records `group.user_membership.remove` when it was one.
    pub fn remove_group_member(&mut self, a: &Audit, gid: &str, uid: &str) -> bool {
        let now = a.now_secs();
        let u = self.users.get(uid).map(user_target);
        let Some(g) = self.groups.get_mut(gid) else { return false };
        if !g.members.remove(uid) {
            return false;
        }
        g.last_membership_updated = now;
        let t = group_target(g);
        self.record(a, Ev::GroupMemberRemove, u.into_iter().chain([t]).collect());
        true
    }
    // -----------------------------------------------------------------------------------------
    // Apps

    /// A new app (id and timestamps assigned here); records `application.lifecycle.create`.
    pub fn create_app(&mut self, a: &Audit, mut app: App) -> String {
        app.id = self.new_misc_id("0oa");
        app.created = a.now_secs();
        app.last_updated = app.created;
        let id = app.id.clone();
        let t = app_target(&app);
        self.apps.push(app);
        self.record(a, Ev::AppCreate, vec![t]);
        id
    }

    /// `ACTIVE`/`INACTIVE`; records `application.lifecycle.activate`/`deactivate`.
    pub fn set_app_status(&mut self, a: &Audit, id: &str, active: bool) {
        let now = a.now_secs();
        let Some(app) = self.apps.iter_mut().find(|x| x.id == id) else { return };
        app.status = if active { "ACTIVE" } else { "INACTIVE" }.into();
        app.last_updated = now;
        let t = app_target(app);
        self.record(a, if active { Ev::AppActivate } else { Ev::AppDeactivate }, vec![t]);
    }

    /// Deletes an app with its assignments; records `application.lifecycle.delete`.
    pub fn delete_app(&mut self, a: &Audit, id: &str) {
        let Some(pos) = self.apps.iter().position(|x| x.id == id) else { return };
        let app = self.apps.remove(pos);
        for g in self.groups.values_mut() {
            if g.source.as_deref() == Some(id) {
                g.source = None;
            }
        }
        self.record(a, Ev::AppDelete, vec![app_target(&app)]);
    }

    // -----------------------------------------------------------------------------------------
    // Policies

    fn policy_target(p: &Policy) -> Target {
        Target { id: p.id.clone(), kind: "Policy", alternate_id: "unknown".into(), display_name: p.name.clone() }
    }

    /// Renumbers the priorities of a policy type: 1, 2, … in the current order, the system
    /// (default) policy last.
    fn renumber_policies(&mut self, kind: &str) {
        let mut of_type: Vec<&mut Policy> = self.policies.iter_mut().filter(|p| p.kind == kind).collect();
        of_type.sort_by_key(|p| (p.system, p.priority, p.created));
        for (i, p) in of_type.into_iter().enumerate() {
            p.priority = i as i64 + 1;
        }
    }

    /// A new policy at the requested priority (others move down); records
    /// `policy.lifecycle.create`.
    pub fn create_policy(&mut self, a: &Audit, mut policy: Policy) -> String {
        policy.id = self.new_misc_id("00p");
        policy.created = a.now_secs();
        policy.last_updated = policy.created;
        for p in self.policies.iter_mut().filter(|p| p.kind == policy.kind && p.priority >= policy.priority) {
            p.priority += 1;
        }
        let (id, kind, t) = (policy.id.clone(), policy.kind.clone(), Self::policy_target(&policy));
        self.policies.push(policy);
        self.renumber_policies(&kind);
        self.record(a, Ev::PolicyCreate, vec![t]);
        id
    }

    /// Deletes a policy; records `policy.lifecycle.delete`.
    pub fn delete_policy(&mut self, a: &Audit, id: &str) {
        let Some(pos) = self.policies.iter().position(|p| p.id == id) else { return };
        let p = self.policies.remove(pos);
        self.renumber_policies(&p.kind);
        self.record(a, Ev::PolicyDelete, vec![Self::policy_target(&p)]);
    }

    // -----------------------------------------------------------------------------------------
    // Realms

    fn realm_target(r: &Realm) -> Target {
        Target { id: r.id.clone(), kind: "Realm", alternate_id: "unknown".into(), display_name: r.name.clone() }
    }

    /// A new realm; records `realm.lifecycle.create`.
    pub fn create_realm(&mut self, a: &Audit, name: String, domains: Vec<String>) -> String {
        let now = a.now_secs();
        let r = Realm {
            id: self.new_misc_id("guo"),
            created: now,
            last_updated: now,
            is_default: false,
            name,
            domains: Some(domains),
        };
        let (id, t) = (r.id.clone(), Self::realm_target(&r));
        self.realms.push(r);
        self.record(a, Ev::RealmCreate, vec![t]);
        id
    }

    /// Replaces a realm's profile; records `realm.lifecycle.update`.
    pub fn replace_realm(&mut self, a: &Audit, id: &str, name: String, domains: Vec<String>) {
        let now = a.now_secs();
        let Some(r) = self.realms.iter_mut().find(|r| r.id == id) else { return };
        r.name = name;
        if !r.is_default {
            r.domains = Some(domains);
        }
        r.last_updated = now;
        let t = Self::realm_target(r);
        self.record(a, Ev::RealmUpdate, vec![t]);
    }

    /// Deletes a realm; records `realm.lifecycle.delete`.
    pub fn delete_realm(&mut self, a: &Audit, id: &str) {
        let Some(pos) = self.realms.iter().position(|r| r.id == id) else { return };
        let r = self.realms.remove(pos);
        self.record(a, Ev::RealmDelete, vec![Self::realm_target(&r)]);
    }

    // -----------------------------------------------------------------------------------------
    // App assignments

    fn app_user_targets(&self, app_id: &str, a: &AppAssignment) -> Vec<Target> {
        let mut out = Vec::new();
        let user = self.users.get(&a.principal).map(user_target);
        let display = user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default();
        let alternate =
            a.user_name.clone().or_else(|| user.as_ref().map(|u| u.alternate_id.clone())).unwrap_or_default();
        out.push(Target { id: a.id.clone(), kind: "AppUser", alternate_id: alternate, display_name: display });
        if let Some(app) = self.app(app_id) {
            out.push(app_target(app));
        }
        out.extend(user);
        out
    }

    /// Assigns a user to an app; records `application.user_membership.add`.
    pub fn assign_app_user(&mut self, a: &Audit, app_id: &str, assignment: AppAssignment) {
        let targets = self.app_user_targets(app_id, &assignment);
        let Some(app) = self.apps.iter_mut().find(|x| x.id == app_id) else { return };
        app.users.push(assignment);
        self.record(a, Ev::AppUserAdd, targets);
    }

    /// Stores changed credentials or profile of an assignment; records
    /// `application.user_membership.update`.
    pub fn update_app_user(&mut self, a: &Audit, app_id: &str, mut assignment: AppAssignment) {
        assignment.last_updated = a.now_secs();
        let targets = self.app_user_targets(app_id, &assignment);
        let Some(app) = self.apps.iter_mut().find(|x| x.id == app_id) else { return };
        let Some(slot) = app.users.iter_mut().find(|x| x.principal == assignment.principal) else { return };
        *slot = assignment;
        self.record(a, Ev::AppUserUpdate, targets);
    }

    /// Removes a user's assignment; records `application.user_membership.remove`.
    pub fn unassign_app_user(&mut self, a: &Audit, app_id: &str, user_id: &str) {
        let Some(existing) = self.app(app_id).and_then(|x| x.users.iter().find(|u| u.principal == user_id)).cloned()
        else {
            return;
        };
        let targets = self.app_user_targets(app_id, &existing);
        if let Some(app) = self.apps.iter_mut().find(|x| x.id == app_id) {
            app.users.retain(|u| u.principal != user_id);
        }
        self.record(a, Ev::AppUserRemove, targets);
    }

    // -----------------------------------------------------------------------------------------
    // Event hooks

    fn hook_target(h: &EventHook) -> Target {
        Target { id: h.id.clone(), kind: "EventHook", alternate_id: h.uri.clone(), display_name: h.name.clone() }
    }

    /// A new hook; records `event_hook.created`.
    pub fn create_event_hook(&mut self, a: &Audit, mut hook: EventHook) -> String {
        hook.id = self.new_misc_id("who");
        hook.created = a.now_secs();
        hook.last_updated = hook.created;
        hook.created_by = a.actor.id.clone();
        let id = hook.id.clone();
        let t = Self::hook_target(&hook);
        self.event_hooks.insert(id.clone(), hook);
        self.record(a, Ev::HookCreated, vec![t]);
        id
    }

    /// Replaces name, description, events and channel (`PUT`); a hook must be verified again
    /// afterwards. Records `event_hook.updated`.
    pub fn replace_event_hook(&mut self, a: &Audit, hook: EventHook) {
        let now = a.now_secs();
        let Some(slot) = self.event_hooks.get_mut(&hook.id) else { return };
        let keep = (slot.status.clone(), slot.created, slot.created_by.clone());
        *slot = hook;
        (slot.status, slot.created, slot.created_by) = keep;
        slot.verification_status = "UNVERIFIED".into();
        slot.last_updated = now;
        let t = Self::hook_target(slot);
        self.record(a, Ev::HookUpdated, vec![t]);
    }

    /// `ACTIVE`/`INACTIVE`; records `event_hook.activated` or `event_hook.deactivated`.
    pub fn set_event_hook_status(&mut self, a: &Audit, id: &str, active: bool) {
        let now = a.now_secs();
        let Some(h) = self.event_hooks.get_mut(id) else { return };
        h.status = if active { "ACTIVE" } else { "INACTIVE" }.into();
        h.last_updated = now;
        let t = Self::hook_target(h);
        self.record(a, if active { Ev::HookActivated } else { Ev::HookDeactivated }, vec![t]);
    }

    /// A successful verification; records `event_hook.verified`.
    pub fn verify_event_hook(&mut self, a: &Audit, id: &str) {
        let now = a.now_secs();
        let Some(h) = self.event_hooks.get_mut(id) else { return };
        h.verification_status = "VERIFIED".into();
        h.last_updated = now;
        let t = Self::hook_target(h);
        self.record(a, Ev::HookVerified, vec![t]);
    }

    /// Deletes a hook; records `event_hook.deleted`.
    pub fn delete_event_hook(&mut self, a: &Audit, id: &str) {
        let Some(h) = self.event_hooks.remove(id) else { return };
        self.record(a, Ev::HookDeleted, vec![Self::hook_target(&h)]);
    }

    /// Notes a delivery attempt; a final failure records `event_hook.delivery` (FAILURE),
    /// which is never itself delivered.
    pub fn record_delivery(&mut self, a: &Audit, d: Delivery, final_failure: bool) {
        if final_failure {
            if let Some(h) = self.event_hooks.get(&d.hook_id) {
                let t = Self::hook_target(h);
                let reason = d.error.clone().unwrap_or_else(|| "Delivery failed".into());
                self.record_at(a, Ev::HookDelivery, vec![t], EventOutcome::Failure(reason), a.now_ms);
                self.undelivered.retain(|seq| {
                    self.log.by_seq(*seq).map(|e| e.event_type != Ev::HookDelivery.name()).unwrap_or(true)
                });
            }
        }
        self.deliveries.push(d);
    }
}
