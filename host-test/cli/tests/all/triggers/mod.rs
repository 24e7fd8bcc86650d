//! Triggers through the component (`host`), and a thousand polls with writes in between (`soak`).

pub(crate) mod host;
mod soak;
