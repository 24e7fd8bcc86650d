//! Realms: records, state, seed and routes ([`routes`](mod@routes) lists the endpoints).

pub mod model;
mod routes;
pub mod seed;
pub mod state;

pub use self::routes::routes;
