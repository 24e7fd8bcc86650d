//! Applications: the exact requests of every action, and the fake org's Applications area.

mod fake_org;
pub(crate) mod host;
