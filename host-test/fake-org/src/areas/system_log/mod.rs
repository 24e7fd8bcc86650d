//! The System Log: the event types and the store (`events`), appending to it (`state`), the
//! seeded history (`seed`) and the query endpoint ([`routes`](mod@routes)).

pub mod api;
pub mod events;
mod routes;
pub mod seed;
pub mod state;

pub use self::routes::routes;
