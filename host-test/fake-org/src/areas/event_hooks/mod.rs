//! Event hooks: records, state, the filter language (`filter`), the calls the org makes to
//! hook endpoints (`outbound`), delivery after each request (`delivery`) and routes
//! ([`routes`](mod@routes) lists the endpoints).

pub mod api;
pub mod delivery;
pub mod filter;
pub mod model;
pub mod outbound;
mod routes;
pub mod state;

pub use self::routes::routes;
