//! Groups and their members: records, state, seed, rendering and routes ([`routes`](mod@routes) lists the
//! endpoints).

pub mod model;
pub mod render;
mod routes;
pub mod seed;
pub mod state;

pub use self::routes::routes;
