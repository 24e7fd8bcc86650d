//! Policies, realms and the System Log: the exact requests of their actions, and the fake org's three areas.

mod fake_org_logs;
mod fake_org_policies;
mod fake_org_realms;
pub(crate) mod host;
