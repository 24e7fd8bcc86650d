//! Users: the exact requests of every action (`host`), lifecycles and listings against the fake org (`scenario`), and the fake org's Users area itself (`fake_org`).

mod fake_org;
pub(crate) mod host;
mod scenario;
