//! What every Okta area of the fake org shares, holding no area's data: the HTTP edge that runs
//! before and after each area's handlers (path rules, rate limits, authentication, faults,
//! response headers), routing and paged listings, error bodies, SCIM expressions, rendering
//! helpers, order-preserving JSON, reading the seed files, the clock, and small utilities.
//!
//! Dependency order, no cycles: `util`, `time`, `json`, `clock`, `scope` → `errors`,
//! `ratelimit`, `faults`, `paging`, `query`, `shapes`, `seed_files` (these know no area) →
//! `auth` → `edge` → `routing` → `listing` (these serve the org's
//! [`State`](crate::areas::state::State)).

pub mod auth;
pub mod clock;
pub mod edge;
pub mod errors;
pub mod faults;
pub mod json;
pub mod listing;
pub mod paging;
pub mod query;
pub mod ratelimit;
pub mod routing;
pub mod scope;
pub mod seed_files;
pub mod shapes;
pub mod time;
pub mod util;
