//! One module per Okta area; one small function per action. Each validates its input (errors
//! name the field), builds a request on the shared [`crate::okta`] core and decodes the answer.

pub mod users;

use crate::error::Error;

/// A required text input: present and not blank.
fn required<'a>(field: &str, value: &'a str) -> Result<&'a str, Error> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::input(field, "is required and must not be empty"));
    }
    Ok(v)
}

/// An optional text input: blank counts as absent.
fn optional(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A page size within Okta's bounds for the endpoint.
fn limit(field: &str, value: Option<u32>, default: u32, max: u32) -> Result<u32, Error> {
    match value.unwrap_or(default) {
        0 => Err(Error::input(field, format!("must be between 1 and {max}"))),
        n if n > max => Err(Error::input(field, format!("must be between 1 and {max}, got {n}"))),
        n => Ok(n),
    }
}

/// A `json` input that must hold a JSON object.
fn json_object(field: &str, value: &Option<String>) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    match optional(value) {
        None => Ok(serde_json::Map::new()),
        Some(text) => match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            Ok(_) => Err(Error::input(field, "must be a JSON object such as {\"costCenter\": \"10\"}")),
            Err(e) => Err(Error::input(field, format!("is not valid JSON: {e}"))),
        },
    }
}
