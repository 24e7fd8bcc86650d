//! The Okta areas of the fake org, one module each. Every area declares its own routes and
//! reads and writes through the shared core; no area uses another.

mod apps;
mod event_hooks;
mod factors;
mod groups;
mod oauth;
mod policies;
mod realms;
mod system_log;
mod user_types;
mod users;

use super::infra::org::Org;
use super::infra::routing::Routes;

/// The org's router: every area's routes behind the edge.
pub fn router(org: Org) -> axum::Router {
    let r = Routes::new(org);
    let r = users::routes(r);
    let r = factors::routes(r);
    let r = user_types::routes(r);
    let r = groups::routes(r);
    let r = apps::routes(r);
    let r = policies::routes(r);
    let r = realms::routes(r);
    let r = system_log::routes(r);
    let r = event_hooks::routes(r);
    let r = oauth::routes(r);
    r.into_router()
}
