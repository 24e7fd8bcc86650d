//! The generic door: the catalog document and `invoke`, both generated from the WIT package by
//! `build.rs`, so they reach exactly the typed exports.

// The error here is the WIT `error` as generated: it crosses the boundary by value.
#![allow(clippy::result_large_err)]

use crate::bindings::okta::connector::types::{Error as WitError, Page};
use crate::error::Error;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Every connection kind, trigger and action, with the JSON Schema of its input.
pub const CATALOG_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));

/// One input field, as `build.rs` read it from the WIT record.
pub struct FieldSpec {
    pub name: &'static str,
    pub required: bool,
    /// Typed `json` in WIT: `invoke` accepts a JSON value here and passes it on as text.
    pub is_json: bool,
}

/// The input of an action that takes none.
#[derive(serde::Deserialize)]
pub struct NoInput {}

/// Reads an action's JSON input into its WIT record, with errors that name the field.
pub fn parse_input<T: DeserializeOwned>(input: &str, fields: &[FieldSpec]) -> Result<T, WitError> {
    let text = input.trim();
    let value: Value = if text.is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(text).map_err(|e| Error::input("input", format!("is not valid JSON: {e}")))?
    };
    let mut object = match value {
        Value::Object(o) => o,
        Value::Null => Map::new(),
        _ => return Err(Error::input("input", "must be a JSON object").into()),
    };
    if let Some(unknown) = object.keys().find(|k| !fields.iter().any(|f| f.name == k.as_str())) {
        let names: Vec<_> = fields.iter().map(|f| f.name).collect();
        return Err(
            Error::input(unknown, format!("is not an input of this action (inputs: {})", names.join(", "))).into()
        );
    }
    for field in fields {
        match object.get_mut(field.name) {
            None | Some(Value::Null) if field.required => {
                return Err(Error::input(field.name, "is required").into());
            }
            Some(v) if field.is_json && !v.is_string() && !v.is_null() => {
                *v = Value::String(v.to_string());
            }
            _ => {}
        }
    }
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
        let field = e.path().to_string();
        Error::input(if field == "." { "input" } else { &field }, e.inner().to_string()).into()
    })
}

pub fn unknown_action(action: &str) -> WitError {
    Error::input("action", format!("unknown action `{action}` (see the catalog for the ids)")).into()
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

impl InvokeOutput for Page {
    fn into_json(self) -> String {
        // Sized exactly: `items` can be tens of megabytes, and `format!` would grow by doubling.
        let cursor = serde_json::to_string(&self.next_cursor).expect("a cursor serializes");
        let (head, middle, tail) = ("{\"items\":", ",\"next_cursor\":", "}");
        let mut out = String::with_capacity(head.len() + self.items.len() + middle.len() + cursor.len() + tail.len());
        for part in [head, &self.items, middle, &cursor, tail] {
            out.push_str(part);
        }
        out
    }
}

pub fn output<T: InvokeOutput>(result: Result<T, WitError>) -> Result<String, WitError> {
    result.map(InvokeOutput::into_json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::exports::okta::connector::users::{CreateUserInput, ListUsersInput};

    const CREATE: &[FieldSpec] = &[
        FieldSpec { name: "login", required: true, is_json: false },
        FieldSpec { name: "activate", required: false, is_json: false },
        FieldSpec { name: "profile_extra_attributes", required: false, is_json: true },
    ];

    fn field_error(e: WitError) -> (String, String) {
        match e {
            WitError::InvalidInput(f) => (f.field, f.message),
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn json_fields_take_objects_and_other_fields_default() {
        let input: CreateUserInput =
            parse_input(r#"{"login":"a@example.com","profile_extra_attributes":{"costCenter":"10"}}"#, CREATE).unwrap();
        assert_eq!(input.login, "a@example.com");
        assert_eq!(input.profile_extra_attributes.as_deref(), Some(r#"{"costCenter":"10"}"#));
        assert_eq!(input.activate, None);
        assert_eq!(input.group_ids, None);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"activate":true}"#, "login", "is required"),
            (r#"{"login":null}"#, "login", "is required"),
            (r#"{"login":"a","actvate":false}"#, "actvate", "is not an input"),
            (r#"{"login":"a","activate":"yes"}"#, "activate", "invalid type"),
            (r#"["login"]"#, "input", "must be a JSON object"),
            (r#"{"login":"#, "input", "is not valid JSON"),
        ];
        for (json, field, message) in cases {
            let (f, m) = field_error(parse_input::<CreateUserInput>(json, CREATE).map(|_| ()).unwrap_err());
            assert_eq!(f, field, "{json}");
            assert!(m.contains(message), "{json}: {m}");
        }
    }

    #[test]
    fn nested_paths_are_named() {
        let spec = &[
            FieldSpec { name: "limit", required: false, is_json: false },
            FieldSpec { name: "extra_parameters", required: false, is_json: false },
        ];
        let (f, _) = field_error(
            parse_input::<ListUsersInput>(r#"{"extra_parameters":[{"key":"expand","value":3}]}"#, spec)
                .map(|_| ())
                .unwrap_err(),
        );
        assert_eq!(f, "extra_parameters[0].value");
        let (f, _) = field_error(parse_input::<ListUsersInput>(r#"{"limit":-1}"#, spec).map(|_| ()).unwrap_err());
        assert_eq!(f, "limit");
    }

    #[test]
    fn empty_input_is_an_empty_object() {
        assert!(parse_input::<NoInput>("", &[]).is_ok());
        assert!(parse_input::<NoInput>("null", &[]).is_ok());
        assert!(parse_input::<NoInput>("{}", &[]).is_ok());
    }

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
        let kinds: Vec<&str> =
            catalog["connections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["api_token", "oauth_code", "client_credentials"]);
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
