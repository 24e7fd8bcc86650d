//! The generic door: the catalog document and `invoke`, both generated from the WIT package by
//! `build.rs`, so they reach exactly the typed exports.

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
        return Err(Error::input(unknown, format!("is not an input of this action (inputs: {})", names.join(", "))).into());
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
        let cursor = serde_json::to_string(&self.next_cursor).expect("a cursor serializes");
        format!("{{\"items\":{},\"next_cursor\":{cursor}}}", self.items)
    }
}

pub fn output<T: InvokeOutput>(result: Result<T, WitError>) -> Result<String, WitError> {
    result.map(InvokeOutput::into_json)
}
