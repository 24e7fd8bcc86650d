//! The System Log: the table of event types the fake org records, the LogEvent document Okta
//! emits, and the append-only store with both clocks a log query needs (`published` and the
//! internal persistence time that polling queries order by).
//!
//! Shape as recorded (RECORDED-NOTES §2): top-level keys `actor, client, device,
//! authenticationContext, displayMessage, eventType, outcome, published, securityContext,
//! severity, debugContext, legacyEventType, transaction, uuid, version, request, target`;
//! `published` with real milliseconds; `version` is the string `"0"`; `client.zone` is the
//! string `"null"`; `transaction.id` and `debugContext.debugData.requestId` are the request's
//! `X-Okta-Request-Id`; `target` is an array of `{id,type,alternateId,displayName,detailEntry}`.

use crate::infra::json::J;
use crate::infra::time::iso_ms;
use crate::infra::util;

/// One row of the event-type table.
#[derive(Debug)]
pub struct EventSpec {
    pub name: &'static str,
    pub display_message: &'static str,
    /// Only where a recording or the spec shows one; most newer event types have none.
    pub legacy: Option<&'static str>,
    pub severity: &'static str,
}

macro_rules! event_types {
    ($($var:ident => $name:literal, $display:literal, $legacy:expr, $severity:literal;)*) => {
        /// Event types the fake org records.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Ev { $($var),* }

        /// Every event type, in one table: name, displayMessage, legacyEventType, severity.
        pub const EVENT_TYPES: &[(Ev, EventSpec)] = &[
            $((Ev::$var, EventSpec { name: $name, display_message: $display, legacy: $legacy, severity: $severity })),*
        ];
    };
}

// Names follow Okta's event-type catalog as the connector spec and the management spec use them
// (`user.mfa.factor.*`, `user.account.reset_password`/`update_password`, `group.user_membership.add`,
// `user.session.start` with `core.user_auth.login_success` from examples/system-log-events-list.json).
// `user.account.expire_password`, `event_hook.updated` and the `realm.lifecycle.*` types have no
// source here; they are the names the catalog's pattern gives for those writes.
event_types! {
    UserCreate => "user.lifecycle.create", "Create Okta user", None, "INFO";
    UserActivate => "user.lifecycle.activate", "Activate Okta user", None, "INFO";
    UserDeactivate => "user.lifecycle.deactivate", "Deactivate Okta user", None, "INFO";
    UserReactivate => "user.lifecycle.reactivate", "Reactivate Okta user", None, "INFO";
    UserSuspend => "user.lifecycle.suspend", "Suspend Okta user", None, "INFO";
    UserUnsuspend => "user.lifecycle.unsuspend", "Unsuspend Okta user", None, "INFO";
    UserDeleteInitiated => "user.lifecycle.delete.initiated", "Delete Okta user", None, "INFO";
    UserDeleteCompleted => "user.lifecycle.delete.completed", "Delete Okta user completed", None, "INFO";
    UserUnlock => "user.account.unlock", "Unlock user account", None, "INFO";
    UserUpdateProfile => "user.account.update_profile", "Update user profile for Okta", None, "INFO";
    UserUpdatePassword => "user.account.update_password", "Update password for Okta user", None, "INFO";
    UserResetPassword => "user.account.reset_password", "Reset password for Okta user", None, "INFO";
    UserExpirePassword => "user.account.expire_password", "Expire password for Okta user", None, "INFO";
    UserSessionStart => "user.session.start", "User login to Okta", Some("core.user_auth.login_success"), "INFO";
    UserSessionClear => "user.session.clear", "Clear user session", None, "INFO";
    FactorDeactivate => "user.mfa.factor.deactivate", "Reset factor for user", None, "INFO";
    FactorResetAll => "user.mfa.factor.reset_all", "Reset all factors for user", None, "INFO";
    GroupCreate => "group.lifecycle.create", "Create Okta group", None, "INFO";
    GroupDelete => "group.lifecycle.delete", "Delete Okta group", None, "INFO";
    GroupProfileUpdate => "group.profile.update", "Update Okta group profile", None, "INFO";
    GroupMemberAdd => "group.user_membership.add", "Add user to group membership", None, "INFO";
    GroupMemberRemove => "group.user_membership.remove", "Remove user from group membership", None, "INFO";
    AppCreate => "application.lifecycle.create", "Create application", None, "INFO";
    AppActivate => "application.lifecycle.activate", "Activate application", None, "INFO";
    AppDeactivate => "application.lifecycle.deactivate", "Deactivate application", None, "INFO";
    AppDelete => "application.lifecycle.delete", "Delete application", None, "INFO";
    PolicyCreate => "policy.lifecycle.create", "Create policy", None, "INFO";
    PolicyDelete => "policy.lifecycle.delete", "Delete policy", None, "INFO";
    RealmCreate => "realm.lifecycle.create", "Create realm", None, "INFO";
    RealmUpdate => "realm.lifecycle.update", "Update realm", None, "INFO";
    RealmDelete => "realm.lifecycle.delete", "Delete realm", None, "INFO";
    AppUserAdd => "application.user_membership.add", "Add user to application membership", None, "INFO";
    AppUserRemove => "application.user_membership.remove", "Remove user from application membership", None, "INFO";
    AppUserUpdate => "application.user_membership.update", "Update user's application membership", None, "INFO";
    HookCreated => "event_hook.created", "Event hook created", None, "INFO";
    HookUpdated => "event_hook.updated", "Event hook updated", None, "INFO";
    HookActivated => "event_hook.activated", "Event hook activated", None, "INFO";
    HookDeactivated => "event_hook.deactivated", "Event hook deactivated", None, "INFO";
    HookVerified => "event_hook.verified", "Event hook verified", None, "INFO";
    HookDeleted => "event_hook.deleted", "Event hook deleted", None, "INFO";
    HookDelivery => "event_hook.delivery", "Event hook delivery failed", None, "WARN";
}

impl Ev {
    pub fn spec(self) -> &'static EventSpec {
        // The table lists every variant exactly once (checked by a test).
        &EVENT_TYPES.iter().find(|(e, _)| *e == self).expect("event type in the table").1
    }
    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// Who did it: `actor` of an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    pub id: String,
    pub kind: String,
    pub alternate_id: String,
    pub display_name: String,
}

impl Actor {
    /// Okta's own principal, for events no API caller caused (hook deliveries).
    pub fn system() -> Actor {
        Actor {
            id: "system@okta.com".into(),
            kind: "SystemPrincipal".into(),
            alternate_id: "system@okta.com".into(),
            display_name: "Okta System".into(),
        }
    }
}

/// What it touched: one element of `target`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub id: String,
    pub kind: &'static str,
    pub alternate_id: String,
    pub display_name: String,
}

/// The request context a write is recorded with.
#[derive(Clone, Debug)]
pub struct Audit {
    pub actor: Actor,
    /// When the write happened (the org clock), epoch milliseconds.
    pub now_ms: i64,
    pub request_id: String,
    pub ip: String,
    pub user_agent: String,
    /// Path of the request (`debugData.requestUri`).
    pub request_uri: String,
    /// Path and query (`debugData.url`).
    pub url: String,
}

impl Audit {
    /// A write the org does on its own (deliveries, seeding).
    pub fn system(actor: Actor, now_ms: i64) -> Audit {
        Audit {
            actor,
            now_ms,
            request_id: util::request_id(),
            ip: "127.0.0.1".into(),
            user_agent: "Okta-Integrations".into(),
            request_uri: String::new(),
            url: String::new(),
        }
    }
    /// Resource timestamps are whole seconds.
    pub fn now_secs(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }
}

/// A stored event.
#[derive(Clone, Debug)]
pub struct LogEvent {
    /// Order of persistence, 1-based; part of the `after` cursor.
    pub seq: u64,
    /// When the org stored it (polling queries order and filter by this).
    pub persisted_ms: i64,
    /// `published` (bounded queries order and filter by this).
    pub published_ms: i64,
    pub uuid: String,
    pub event_type: String,
    pub doc: J,
}

/// Append-only event store in persistence order.
#[derive(Debug, Default)]
pub struct LogStore {
    events: Vec<LogEvent>,
}

impl LogStore {
    /// Stores an event. Persistence time is when queries start to see it; it need not follow
    /// `published` (late events) nor the order of appends (a persistence delay).
    pub fn append(&mut self, doc: J, published_ms: i64, persisted_ms: i64) -> u64 {
        let seq = self.events.len() as u64 + 1;
        let uuid = doc.get("uuid").and_then(J::as_str).unwrap_or_default().to_string();
        let event_type = doc.get("eventType").and_then(J::as_str).unwrap_or_default().to_string();
        self.events.push(LogEvent { seq, persisted_ms, published_ms, uuid, event_type, doc });
        seq
    }
    pub fn all(&self) -> &[LogEvent] {
        &self.events
    }
    pub fn by_seq(&self, seq: u64) -> Option<&LogEvent> {
        seq.checked_sub(1).and_then(|i| self.events.get(i as usize))
    }
    pub fn by_uuid(&self, uuid: &str) -> Option<&LogEvent> {
        self.events.iter().find(|e| e.uuid == uuid)
    }
}

/// A version-1-style UUID (time-based, as Okta's event uuids are) from epoch ms and a sequence.
pub fn event_uuid(ms: i64, seq: u64) -> String {
    // 100 ns intervals since 1582-10-15, plus the sequence so events of one millisecond differ.
    let t = (ms as u64).wrapping_mul(10_000).wrapping_add(0x01B2_1DD2_1381_4000).wrapping_add(seq % 10_000);
    let node = util::random_u64();
    format!(
        "{:08x}-{:04x}-1{:03x}-{:04x}-{:012x}",
        t & 0xFFFF_FFFF,
        (t >> 32) & 0xFFFF,
        (t >> 48) & 0x0FFF,
        0x8000 | (node >> 48) & 0x3FFF,
        node & 0xFFFF_FFFF_FFFF
    )
}

/// `actor` and each `target`: the same five keys.
fn principal_doc(id: &str, kind: &str, alternate_id: &str, display_name: &str) -> J {
    J::obj([
        ("id", J::s(id)),
        ("type", J::s(kind)),
        ("alternateId", J::s(alternate_id)),
        ("displayName", J::s(display_name)),
        ("detailEntry", J::Null),
    ])
}

fn actor_doc(a: &Actor) -> J {
    principal_doc(&a.id, &a.kind, &a.alternate_id, &a.display_name)
}

fn target_doc(t: &Target) -> J {
    principal_doc(&t.id, t.kind, &t.alternate_id, &t.display_name)
}

/// The LogEvent's top-level keys, in Okta's order (what [`event_doc`] writes; what a `filter`
/// may start with).
pub const TOP_LEVEL_KEYS: [&str; 17] = [
    "actor",
    "client",
    "device",
    "authenticationContext",
    "displayMessage",
    "eventType",
    "outcome",
    "published",
    "securityContext",
    "severity",
    "debugContext",
    "legacyEventType",
    "transaction",
    "uuid",
    "version",
    "request",
    "target",
];

/// Result of the recorded action (`outcome`).
#[derive(Clone, Debug, PartialEq)]
pub enum EventOutcome {
    Success,
    Failure(String),
}

/// The LogEvent document, keys in Okta's order.
pub fn event_doc(a: &Audit, ev: Ev, targets: &[Target], outcome: &EventOutcome, uuid: &str, published_ms: i64) -> J {
    let spec = ev.spec();
    let (result, reason) = match outcome {
        EventOutcome::Success => ("SUCCESS", J::Null),
        EventOutcome::Failure(r) => ("FAILURE", J::s(r.clone())),
    };
    J::obj([
        ("actor", actor_doc(&a.actor)),
        (
            "client",
            J::obj([
                (
                    "userAgent",
                    J::obj([
                        ("rawUserAgent", J::s(a.user_agent.clone())),
                        ("os", J::s("Unknown")),
                        ("browser", J::s("UNKNOWN")),
                    ]),
                ),
                // A string, not JSON null, in real events.
                ("zone", J::s("null")),
                ("device", J::s("Unknown")),
                ("id", J::Null),
                ("ipAddress", J::s(a.ip.clone())),
                ("geographicalContext", J::Null),
            ]),
        ),
        ("device", J::Null),
        (
            "authenticationContext",
            J::obj([
                ("authenticationProvider", J::Null),
                ("credentialProvider", J::Null),
                ("credentialType", J::Null),
                ("issuer", J::Null),
                ("interface", J::Null),
                ("authenticationStep", J::from(0i64)),
                ("externalSessionId", J::s("unknown")),
            ]),
        ),
        ("displayMessage", J::s(spec.display_message)),
        ("eventType", J::s(spec.name)),
        ("outcome", J::obj([("result", J::s(result)), ("reason", reason)])),
        ("published", J::s(iso_ms(published_ms))),
        (
            "securityContext",
            J::obj([
                ("asNumber", J::Null),
                ("asOrg", J::Null),
                ("isp", J::Null),
                ("domain", J::Null),
                ("isProxy", J::Null),
            ]),
        ),
        ("severity", J::s(spec.severity)),
        (
            "debugContext",
            J::obj([(
                "debugData",
                J::obj([
                    ("requestId", J::s(a.request_id.clone())),
                    ("requestUri", J::s(a.request_uri.clone())),
                    ("url", J::s(a.url.clone())),
                ]),
            )]),
        ),
        ("legacyEventType", J::opt_s(spec.legacy)),
        (
            "transaction",
            J::obj([("type", J::s("WEB")), ("id", J::s(a.request_id.clone())), ("detail", J::empty_obj())]),
        ),
        ("uuid", J::s(uuid)),
        // A string in real events (the spec's examples show a number).
        ("version", J::s("0")),
        (
            "request",
            J::obj([(
                "ipChain",
                J::Arr(vec![J::obj([
                    ("ip", J::s(a.ip.clone())),
                    ("geographicalContext", J::Null),
                    ("version", J::s("V4")),
                    ("source", J::Null),
                ])]),
            )]),
        ),
        ("target", J::Arr(targets.iter().map(target_doc).collect())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_each_type_once() {
        let mut names: Vec<&str> = EVENT_TYPES.iter().map(|(_, s)| s.name).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert_eq!(Ev::GroupMemberAdd.name(), "group.user_membership.add");
    }

    #[test]
    fn document_shape() {
        let a = Audit::system(Actor::system(), 1_658_862_453_594);
        let t =
            Target { id: "00u1".into(), kind: "User", alternate_id: "a@example.com".into(), display_name: "A".into() };
        let doc = event_doc(&a, Ev::UserCreate, &[t], &EventOutcome::Success, "u-1", a.now_ms);
        let text = String::from_utf8(doc.to_vec()).unwrap();
        assert_eq!(doc.keys(), TOP_LEVEL_KEYS);
        assert!(text.contains(r#""zone":"null""#) && text.contains(r#""version":"0""#));
        assert!(text.contains(r#""published":"2022-07-26T19:07:33.594Z""#));
        let u = event_uuid(1_658_862_453_594, 3);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "1");
    }

    #[test]
    fn store_keeps_both_clocks() {
        let mut log = LogStore::default();
        let a = log.append(J::obj([("uuid", J::s("a"))]), 1_000, 5_000);
        let b = log.append(J::obj([("uuid", J::s("b"))]), 500, 4_000);
        assert_eq!((a, b), (1, 2));
        assert_eq!(log.by_seq(2).unwrap().persisted_ms, 4_000);
        assert_eq!(log.by_uuid("b").unwrap().published_ms, 500);
        assert!(log.by_seq(0).is_none() && log.by_seq(3).is_none());
    }
}
