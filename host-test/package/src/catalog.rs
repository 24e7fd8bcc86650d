//! The catalog (`describe()`'s JSON) read for the generators: entries with their inputs
//! flattened into rows (nested records as `parent.child`, list items as `parent[].child`), and
//! the check that everything a person reads has a description.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Clone, Debug, Deserialize)]
pub struct Catalog {
    /// `okta:connector@0.1.0`
    pub package: String,
    pub connections: Vec<Entry>,
    pub triggers: Vec<Entry>,
    pub actions: Vec<Entry>,
    /// The environment variables the component reads, with their defaults.
    pub environment: Vec<EnvVar>,
    /// The hosts the component may send requests to, besides the custom domain in the
    /// connection (`*.okta.com`, ...).
    pub hosts: Vec<String>,
}

/// A variable of the component's environment (`wasi:cli/environment`).
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
pub struct EnvVar {
    pub name: String,
    pub default: Value,
    pub comment: String,
}

/// What an action does to the org, for hosts that confirm or retry by it.
#[derive(Clone, Copy, Debug, Deserialize, serde::Serialize, PartialEq)]
pub struct Hints {
    /// Changes nothing.
    pub read_only: bool,
    /// Removes or disables something, or ends what a person is doing.
    pub destructive: bool,
    /// Repeating it with the same input changes nothing more.
    pub idempotent: bool,
}

/// A connection kind, trigger or action.
#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    pub id: String,
    pub label: String,
    pub comment: String,
    #[serde(default)]
    pub details: String,
    /// Triggers: `polling` or `webhook`.
    #[serde(default)]
    pub kind: Option<String>,
    pub input_schema: Value,
    /// Actions: `None` when nobody can know (Raw Request); connections and triggers have none.
    #[serde(default)]
    pub hints: Option<Hints>,
    /// Actions and triggers: the OAuth scopes they need; `None` when it depends on the input
    /// (Raw Request).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// One input as a row of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// `first_name`, `hash_password.algorithm`, `form_data[].key`
    pub path: String,
    pub label: String,
    pub description: String,
    /// `string`, `integer`, `boolean`, `list of string`, `object`, `list of object`, `JSON`
    pub ty: String,
    pub required: bool,
    pub default: Option<Value>,
    pub allowed: Vec<String>,
    pub minimum: Option<Value>,
    pub maximum: Option<Value>,
    pub secret: bool,
}

impl Catalog {
    pub fn parse(text: &str) -> Result<Catalog> {
        serde_json::from_str(text).context("the catalog is not what describe() returns")
    }

    /// `okta:connector@0.1.0` → `0.1.0`.
    pub fn package_version(&self) -> Option<&str> {
        self.package.split_once('@').map(|(_, v)| v)
    }

    /// Every entry without a description, and every input (at any depth) without one: a
    /// marketplace shows these texts as they are.
    pub fn missing_descriptions(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for (kind, entries) in
            [("connection", &self.connections), ("trigger", &self.triggers), ("action", &self.actions)]
        {
            for e in entries {
                if e.label.trim().is_empty() {
                    missing.push(format!("{kind} `{}` has no label", e.id));
                }
                if e.comment.trim().is_empty() {
                    missing.push(format!("{kind} `{}` has no description", e.id));
                }
                for input in e.inputs() {
                    if input.description.trim().is_empty() {
                        missing.push(format!("{kind} `{}`: input `{}` has no description", e.id, input.path));
                    }
                    if input.label.trim().is_empty() {
                        missing.push(format!("{kind} `{}`: input `{}` has no label", e.id, input.path));
                    }
                }
            }
        }
        missing
    }

    /// Fails with every missing description named.
    pub fn check_descriptions(&self) -> Result<()> {
        let missing = self.missing_descriptions();
        if !missing.is_empty() {
            bail!("the catalog lacks descriptions:\n  {}", missing.join("\n  "));
        }
        Ok(())
    }
}

impl Entry {
    /// The inputs, required ones first, each followed by its nested fields.
    pub fn inputs(&self) -> Vec<Input> {
        let mut rows = Vec::new();
        flatten(&self.input_schema, "", &mut rows);
        rows
    }
}

fn flatten(schema: &Value, prefix: &str, rows: &mut Vec<Input>) {
    let empty = Map::new();
    let props = schema["properties"].as_object().unwrap_or(&empty);
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut names: Vec<&String> = props.keys().collect();
    // Required first, then by name (the catalog's object keys are sorted).
    names.sort_by_key(|n| !required.contains(&n.as_str()));
    for name in names {
        let prop = &props[name];
        let path = format!("{prefix}{name}");
        let items = &prop["items"];
        rows.push(Input {
            path: path.clone(),
            label: prop["title"].as_str().unwrap_or_default().to_string(),
            description: prop["description"].as_str().unwrap_or_default().to_string(),
            ty: type_name(prop),
            required: required.contains(&name.as_str()),
            default: prop.get("default").cloned(),
            allowed: prop["enum"]
                .as_array()
                .or(items["enum"].as_array())
                .into_iter()
                .flatten()
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect(),
            minimum: prop.get("minimum").cloned(),
            maximum: prop.get("maximum").cloned(),
            secret: prop["writeOnly"] == true || prop["format"] == "password",
        });
        if prop.get("properties").is_some() {
            flatten(prop, &format!("{path}."), rows);
        } else if items.get("properties").is_some() {
            flatten(items, &format!("{path}[]."), rows);
        }
    }
}

fn type_name(prop: &Value) -> String {
    match prop["type"].as_str() {
        Some("array") => format!("list of {}", type_name(&prop["items"])),
        Some(t) => t.to_string(),
        // No `type`: any JSON value (Okta's open-ended objects, or text where allowed).
        None => "JSON".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(schema: Value) -> Entry {
        Entry {
            id: "users.create".into(),
            label: "Create User".into(),
            comment: "Create a new user.".into(),
            details: String::new(),
            kind: None,
            input_schema: schema,
            hints: None,
            scopes: None,
        }
    }

    #[test]
    fn inputs_flatten_records_and_lists_required_first() {
        let e = entry(json!({"type": "object", "required": ["login"], "properties": {
            "activate": {"type": "boolean", "default": true, "title": "Activate", "description": "d"},
            "login": {"type": "string", "title": "Login", "description": "d"},
            "password": {"type": "string", "writeOnly": true, "format": "password", "title": "Password", "description": "d"},
            "hash": {"type": "object", "title": "Hash", "description": "d", "required": ["value"], "properties": {
                "value": {"type": "string", "title": "Value", "description": "d"},
                "work_factor": {"type": "integer", "minimum": 1, "maximum": 20, "title": "Work Factor", "description": "d"}}},
            "form": {"type": "array", "title": "Form", "description": "d", "items": {"type": "object", "properties": {
                "key": {"type": "string", "title": "Key", "description": "d"}}}},
            "kind": {"type": "string", "enum": ["a", "b"], "title": "Kind", "description": "d"},
            "profile": {"title": "Profile", "description": "d"}
        }}));
        let rows = e.inputs();
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "login",
                "activate",
                "form",
                "form[].key",
                "hash",
                "hash.value",
                "hash.work_factor",
                "kind",
                "password",
                "profile"
            ]
        );
        assert!(rows[0].required && !rows[1].required);
        assert_eq!(rows[1].default, Some(json!(true)));
        assert_eq!(rows[2].ty, "list of object");
        assert!(rows[5].required, "required within its record");
        assert_eq!((rows[6].minimum.clone(), rows[6].maximum.clone()), (Some(json!(1)), Some(json!(20))));
        assert_eq!(rows[7].allowed, ["a", "b"]);
        assert!(rows[8].secret && !rows[0].secret);
        assert_eq!(rows[9].ty, "JSON");
    }

    #[test]
    fn a_missing_description_is_named_at_any_depth() {
        let mut c = Catalog {
            package: "okta:connector@0.1.0".into(),
            connections: vec![],
            triggers: vec![],
            actions: vec![entry(json!({"type": "object", "properties": {
                "hash": {"type": "object", "title": "Hash", "description": "The hash.", "properties": {
                    "value": {"type": "string", "title": "Value"}}}}}))],
            environment: vec![],
            hosts: vec![],
        };
        assert_eq!(c.missing_descriptions(), ["action `users.create`: input `hash.value` has no description"]);
        c.actions[0].comment = " ".into();
        c.triggers.push(Entry { id: "users.new".into(), kind: Some("polling".into()), ..entry(json!({})) });
        c.triggers[0].comment.clear();
        let missing = c.missing_descriptions();
        assert!(missing.contains(&"trigger `users.new` has no description".to_string()), "{missing:?}");
        assert!(missing.contains(&"action `users.create` has no description".to_string()), "{missing:?}");
        assert!(c.check_descriptions().unwrap_err().to_string().contains("hash.value"));
    }
}
