//! The HTTP core every action goes through. Actions describe requests ([`Request`], [`Flow`]);
//! the core performs them: auth headers ([`auth`]), retries ([`retry`], a pure decision),
//! rate limits ([`ratelimit`]), `Link` pagination ([`paging`]), Okta's error bodies
//! ([`errors`]), bounds in time and size ([`config`]) and the wire ([`transport`], the only
//! user of waki). Every secret, as given and as it reads in a URL path, is kept out of what
//! the connector prints ([`scrub`]: errors, and [`debug`] output).

pub mod auth;
pub mod client;
pub mod config;
pub mod debug;
pub mod domain;
pub mod errors;
pub mod link;
pub mod paging;
pub mod path;
pub mod ratelimit;
pub mod request;
pub mod retry;
pub mod scrub;
pub mod transport;

#[cfg(test)]
mod exchange_tests;
#[cfg(test)]
mod paging_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
pub mod testing;

pub use auth::{Auth, Secret};
pub use client::Okta;
pub use path::segment;
pub use request::{Body, Flow, Method, Page, Paging, Request};
