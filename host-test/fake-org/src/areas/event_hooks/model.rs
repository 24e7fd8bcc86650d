//! The event hooks' records: hooks and the delivery attempts the org made.

use crate::areas::system_log::events::Target;
use crate::infra::json::J;

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

/// `target` entry for an event hook.
pub fn hook_target(h: &EventHook) -> Target {
    Target { id: h.id.clone(), kind: "EventHook", alternate_id: h.uri.clone(), display_name: h.name.clone() }
}
