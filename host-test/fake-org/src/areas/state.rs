//! The org's data: every area's records side by side in one [`State`], which the org keeps
//! behind one mutex ([`crate::org::Shared`]). Each area's folder holds its records
//! (`model.rs`) and its part of `State` (`state.rs`): the reads, the seed's loaders, and the
//! writes, each of which applies the change and appends the System Log event Okta would record
//! for it (actor, typed targets, the request's id as `transaction.id`), so log queries, polling
//! triggers and event-hook deliveries see every change. Failed writes never reach those
//! methods, so they record nothing. The data fields are visible to the areas only; handlers
//! read through the accessors and write through the methods.
//!
//! Request bookkeeping (cursors, rate windows, queued faults, seen requests, the last origin)
//! is not org data and stays in public fields, as do the bench's switches ([`BenchOptions`]).

use std::collections::{BTreeMap, HashMap};

use super::apps::model::App;
use super::event_hooks::model::{Delivery, EventHook};
use super::groups::model::Group;
use super::oauth::authz::AuthServer;
use super::policies::model::Policy;
use super::realms::model::Realm;
use super::system_log::events::LogStore;
use super::users::model::{Factor, SortedCache, User, UserType};
use crate::infra::concurrency::Concurrency;
use crate::infra::faults::Faults;
use crate::infra::paging::CursorKey;
use crate::infra::ratelimit::RateLimiter;
use crate::infra::util::make_id;

/// Id era of objects created through the API: their ids sort after the fixtures' and the
/// generated users' (see [`make_id`]).
const ERA_CREATED: char = 'v';

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

/// Switches only the bench turns on; real Okta behaves as when they are off (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct BenchOptions {
    /// Also accept `Authorization: SSWS<token>` without the space (what Okta's Python SDK
    /// 3.4.x sends; real Okta answers 401).
    pub tolerate_ssws_without_space: bool,
}

/// Everything the fake org knows.
#[derive(Debug, Default)]
pub struct State {
    // Users (`users/`).
    /// Keyed by id; id order is creation order and the listing order.
    pub(super) users: BTreeMap<String, User>,
    /// The seeded admin's id (the API token's user, `/users/me`): asked on every request.
    pub(super) admin_id: Option<String>,
    /// lower-cased login → id
    pub(super) logins: HashMap<String, String>,
    pub(super) factors: Vec<Factor>,
    pub(super) user_types: Vec<UserType>,
    /// The last sorted `search` listing, reused while the data version is unchanged.
    pub(super) sorted_cache: Option<SortedCache>,
    // The other areas, each in its folder.
    pub(super) groups: BTreeMap<String, Group>,
    pub(super) apps: Vec<App>,
    pub(super) policies: Vec<Policy>,
    pub(super) realms: Vec<Realm>,
    pub(super) event_hooks: BTreeMap<String, EventHook>,
    pub(super) deliveries: Vec<Delivery>,
    // The System Log (`system_log/`).
    pub(super) log: LogStore,
    /// How long after an event the org persists it (0: at once).
    pub(super) log_delay_ms: i64,
    /// Events appended since the last hand-over to event-hook delivery (persistence seqs).
    pub(super) undelivered: Vec<u64>,
    /// The org authorization server (`oauth/`): OAuth apps, codes, tokens, DPoP nonces.
    pub authz: AuthServer,
    next_created_seq: u64,
    next_generated_seq: u64,
    next_misc_seq: u64,
    /// Bumped by every write.
    version: u64,
    /// Cursors handed out in `Link: rel="next"`, keyed by (listing kind, token).
    pub cursors: HashMap<(String, String), CursorKey>,
    pub rate: RateLimiter,
    pub concurrency: Concurrency,
    pub faults: Faults,
    pub seen: Vec<SeenRequest>,
    pub last_origin: Option<String>,
    pub bench: BenchOptions,
    /// This org's own API token instead of the shared `auth::TOKEN` (multi-tenant tests).
    pub api_token: Option<String>,
}

impl State {
    /// Data version: changes with every write.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub(super) fn bump_version(&mut self) {
        self.version += 1;
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

    /// Sequence for the next generated user (see `users::seed::generate_users`).
    pub fn take_generated_seq(&mut self) -> u64 {
        let k = self.next_generated_seq;
        self.next_generated_seq += 1;
        k
    }
}
