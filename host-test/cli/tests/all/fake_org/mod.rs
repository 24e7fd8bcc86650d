//! The fake org across areas: its HTTP edge, its System Log, injected faults, recorded traffic replayed, and instances answered by it.

mod edge;
mod events;
mod faults;
mod instances;
mod recorded;
