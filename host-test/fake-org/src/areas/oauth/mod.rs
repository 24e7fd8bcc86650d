//! The org authorization server (`/oauth2/v1`): its apps, codes, tokens and DPoP nonces
//! (`authz`), the device authorization's codes and decisions (`device`), its endpoints ([`routes`](mod@routes)), the OAuth apps hosts register (`apps`) and what
//! tests do with it on a [`FakeOrg`](crate::FakeOrg) (`api`).

pub mod api;
pub mod apps;
pub mod authz;
pub mod device;
mod routes;

pub use self::routes::routes;
