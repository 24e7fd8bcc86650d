//! Every test of the host side, in one binary (one link instead of one per file): a module
//! per Okta area, each with the exact requests of its actions through the component (`host`)
//! and the fake org's behaviour for that area (`fake_org`), then the cross-cutting suites.
//!
//! Run one area with `cargo test -p okta-connector-cli --test all users::`.

mod support;

mod apps;
mod event_hooks;
mod groups;
mod oauth;
mod policies_realms_logs;
mod raw;
mod triggers;
mod users;

mod cli;
mod coverage;
mod fake_org;
mod faults;
mod golden;
mod inputs;
mod listings;
mod lost_creates;
mod network;
mod openapi_check;
mod package;
mod rate_limits;
mod round_trips;
mod scopes;
mod tenants;
mod untyped;
