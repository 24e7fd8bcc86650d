//! The state a trigger hands the host between runs: JSON text with a version, small by
//! construction (every list in it is bounded), opaque to the host.

use crate::error::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The version of the state's form; another version is a first run.
pub const VERSION: u32 = 1;

/// The most bytes of state accepted back.
const MAX_STATE: usize = 512 * 1024;

pub fn encode<T: Serialize>(state: &T) -> String {
    serde_json::to_string(state).unwrap_or_default()
}

/// The state a host passed in: `None` for a first run (no state, or a blank one).
pub fn decode<T: DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, Error> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.len() > MAX_STATE {
        return Err(Error::input("state", "is larger than any state this connector writes"));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        Error::input("state", "is not a state this connector wrote (pass it back exactly as it was returned)")
    })?;
    if value.get("v").and_then(serde_json::Value::as_u64) != Some(u64::from(VERSION)) {
        return Ok(None);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|_| Error::input("state", "is not a state of this trigger (each trigger keeps its own)"))
}

/// A list that keeps the newest `max` entries.
pub fn push_bounded<T>(list: &mut Vec<T>, item: T, max: usize) {
    list.push(item);
    if list.len() > max {
        let excess = list.len() - max;
        list.drain(..excess);
    }
}
