//! Event hooks: the exact requests of every action, and the fake org's Event Hooks area (with real deliveries).

mod fake_org;
pub(crate) mod host;
