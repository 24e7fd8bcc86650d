//! What every Okta area of the fake org shares: the data and its write methods (`state`), the
//! System Log record of every write (`events`), object rendering (`render`), error bodies,
//! paging, SCIM expressions, and the HTTP edge (path rules, rate limits, authentication, faults,
//! response headers) that runs before and after each area's handlers.
//!
//! Dependency order, no cycles: `util`, `time`, `json`, `clock`, `scope` → `errors`, `ratelimit`,
//! `faults`, `paging`, `authz` → `events`, `el` → `state` → `query`, `render`, `auth`, `hooks`, `seed` →
//! `org` → `edge` → `routing` → `listing`. The areas (`super::areas`) use these modules and never each other.

pub mod auth;
pub mod authz;
pub mod clock;
pub mod edge;
pub mod el;
pub mod errors;
pub mod events;
pub mod faults;
pub mod hooks;
pub mod json;
pub mod listing;
pub mod org;
pub mod paging;
pub mod query;
pub mod ratelimit;
pub mod render;
pub mod routing;
pub mod scope;
pub mod seed;
pub mod state;
pub mod time;
pub mod util;
