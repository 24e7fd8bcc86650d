//! Triggers through the component (`host`), a thousand polls with writes in between (`soak`),
//! and `hook serve` under load (`hook_load`).

mod hook_load;
pub(crate) mod host;
mod soak;
