//! One module per Okta area; one small function per action. Each receives its input (already
//! defaulted and checked: see [`crate::inputs`]) and describes the requests it needs as a
//! [`Flow`]; the core ([`crate::okta`]) performs them.

pub mod apps;
pub mod event_hooks;
pub mod groups;
mod lost_create;
pub mod policies;
pub mod raw;
pub mod realms;
pub mod system_log;
pub mod users;

use crate::error::Error;
use crate::inputs::types::KeyValue;
use crate::okta::{Flow, Request};
use serde_json::{Map, Value};

/// A `json` input that must hold a JSON object (absent: an empty one).
fn json_object(field: &str, value: Option<Value>) -> Result<Map<String, Value>, Error> {
    match value {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(Error::input(field, "must be a JSON object such as {\"costCenter\": \"10\"}")),
    }
}

/// Extra query parameters, added after the named ones. A key the action already names is
/// refused: sent twice, Okta would pick one of the two without saying which.
fn extra_parameters(mut request: Request, extra: Option<Vec<KeyValue>>, named: &[&str]) -> Result<Request, Error> {
    for (i, kv) in extra.into_iter().flatten().enumerate() {
        let field = format!("extra_parameters[{i}].key");
        let key = kv.key.trim();
        if key.is_empty() {
            return Err(Error::input(&field, "is required and must not be empty"));
        }
        if named.iter().any(|n| n.eq_ignore_ascii_case(key)) {
            return Err(Error::input(&field, format!("`{key}` has its own input: set it there")));
        }
        if request.query.iter().any(|(k, _)| k == key) {
            return Err(Error::input(&field, format!("`{key}` is given twice")));
        }
        request = request.query(key, kv.value);
    }
    Ok(request)
}

/// For a request whose 404 means the goal is already reached (deleting what is gone).
pub(crate) fn not_found_is_done(result: Result<(), Error>) -> Flow<()> {
    match result {
        Err(e) if e.status() == Some(404) => Flow::done(()),
        other => Flow::from_result(other),
    }
}
