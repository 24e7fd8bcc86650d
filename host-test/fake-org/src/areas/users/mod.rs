//! Users, with their enrolled factors and the user types: records, state, seed (the
//! fixtures' users and the generated ones), search dialect, rendering and routes
//! ([`routes`](mod@routes), [`factors`](mod@factors), [`user_types`](mod@user_types) list the endpoints).

pub mod api;
pub mod factors;
pub mod model;
pub mod render;
pub mod routes;
pub mod search;
pub mod seed;
pub mod state;
pub mod user_types;

use crate::infra::routing::Routes;

/// The users', factors' and user types' routes.
pub fn routes(r: Routes) -> Routes {
    user_types::routes(factors::routes(routes::routes(r)))
}
