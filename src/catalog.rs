//! The generic door: the catalog document and `invoke`, both generated from the WIT package by
//! `build.rs`, so they reach exactly the actions the typed exports reach.

use crate::bindings::okta::connector::types::{Connection, Error as WitError};
use crate::error::Error;

/// Every connection kind, trigger and action, with the JSON Schema of its input.
pub const CATALOG_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));

/// Runs the action `action` on JSON input: see the WIT's `catalog.invoke`.
pub fn invoke(action: &str, connection: Connection, input: &str) -> Result<String, WitError> {
    dispatch(action, connection, input)
}

pub fn unknown_action(action: &str) -> WitError {
    let shown: String = action.chars().take(64).collect();
    Error::input("action", format!("unknown action `{shown}` (see the catalog for the ids)")).into()
}

/// What an action's result looks like through `invoke`.
pub trait InvokeOutput {
    fn into_json(self) -> String;
}

impl InvokeOutput for String {
    fn into_json(self) -> String {
        self
    }
}

impl InvokeOutput for () {
    fn into_json(self) -> String {
        "{}".to_string()
    }
}

/// Writes a JSON object from already-serialised values, sized exactly: `items` can be tens of
/// megabytes, and `format!` would grow by doubling. (Called by the generated output impls.)
pub fn object(fields: &[(&str, &str)]) -> String {
    let len = (fields.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>() + 1).max(2);
    let mut out = String::with_capacity(len);
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(k);
        out.push_str("\":");
        out.push_str(v);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn catalog_lists_every_action_with_docs() {
        let catalog: Value = serde_json::from_str(CATALOG_JSON).unwrap();
        let actions = catalog["actions"].as_array().unwrap();
        let ids: Vec<&str> = actions.iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ACTION_IDS);
        for a in actions {
            assert!(!a["label"].as_str().unwrap().is_empty(), "{a}");
            assert!(!a["comment"].as_str().unwrap().is_empty(), "{a}");
            assert_eq!(a["input_schema"]["type"], "object");
            for (name, prop) in a["input_schema"]["properties"].as_object().unwrap() {
                assert!(!prop["title"].as_str().unwrap_or("").is_empty(), "{}.{name} has no label", a["id"]);
            }
        }
        let create = &actions[0];
        assert_eq!(create["label"], "Create User");
        assert_eq!(create["defaults"]["activate"], true);
        assert_eq!(create["defaults"]["locale"], "en_US");
        assert_eq!(create["input_schema"]["required"], serde_json::json!(["login"]));
        assert_eq!(create["input_schema"]["properties"]["password"]["writeOnly"], true);
        let kinds: Vec<&str> =
            catalog["connections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["api_token", "oauth_code", "client_credentials", "oauth_device"]);
        let token = &catalog["connections"][0]["input_schema"]["properties"]["token"];
        assert_eq!((token["writeOnly"].as_bool(), token["format"].as_str()), (Some(true), Some("password")));
    }

    #[test]
    fn objects_are_sized_exactly() {
        let o = object(&[("items", "[1,2]"), ("next_cursor", "null")]);
        assert_eq!(o, r#"{"items":[1,2],"next_cursor":null}"#);
        assert_eq!(o.len(), o.capacity());
    }
}

#[cfg(test)]
mod readme {
    /// The README's table must list every action with its status.
    #[test]
    fn readme_lists_every_action_as_available() {
        let readme = include_str!("../README.md");
        for id in super::ACTION_IDS {
            let row = format!("| `{id}` |");
            let line =
                readme.lines().find(|l| l.starts_with(&row)).unwrap_or_else(|| panic!("README has no row for {id}"));
            assert!(line.ends_with("| available |"), "README row for {id}: {line}");
        }
    }
}
