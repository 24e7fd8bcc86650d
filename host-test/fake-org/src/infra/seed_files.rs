//! Reading the seed files in `fixtures/` (written by the fixture generator, `fixtures.rs`):
//! arrays of objects, and their string and timestamp fields. Missing fields read as empty.

use serde_json::Value;

use super::json::J;
use super::time::parse_iso_ms;

/// Epoch seconds of an ISO-8601 string.
pub fn secs(v: &Value) -> Option<i64> {
    v.as_str().and_then(parse_iso_ms).map(|ms| ms / 1000)
}

/// The string, or empty.
pub fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The array of a seed file (plain `Value`s).
pub fn array(text: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

/// The array of a seed file, key order kept.
pub fn ordered(text: &str) -> Vec<J> {
    match J::parse(text) {
        Some(J::Arr(items)) => items,
        _ => Vec::new(),
    }
}

/// A string member of a document, or empty.
pub fn j_str(j: &J, key: &str) -> String {
    j.get(key).and_then(J::as_str).unwrap_or_default().to_string()
}

/// Epoch seconds of a timestamp member of a document, or 0.
pub fn j_secs(j: &J, key: &str) -> i64 {
    j.get(key).and_then(J::as_str).and_then(parse_iso_ms).map(|ms| ms / 1000).unwrap_or(0)
}
