//! Groups: the exact requests of every action, and the fake org's Groups area.

mod fake_org;
pub(crate) mod host;
