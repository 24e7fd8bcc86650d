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
}

#[cfg(test)]
mod hints {
    use serde_json::{json, Value};

    fn action(id: &str) -> Value {
        let catalog: Value = serde_json::from_str(super::CATALOG_JSON).unwrap();
        catalog["actions"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone()
    }

    /// Hints follow what an action does, not its method: a POST can take access away, and a
    /// DELETE of sessions can be repeated safely (idempotent: a repeat has no further effect,
    /// whatever it answers).
    #[test]
    fn hints_say_what_the_action_does() {
        let hints = |id: &str| action(id)["hints"].clone();
        let h = |read_only: bool, destructive: bool, idempotent: bool| json!({"read_only": read_only, "destructive": destructive, "idempotent": idempotent});
        assert_eq!(hints("users.deactivate"), h(false, true, true), "POST, and it deprovisions the user");
        assert_eq!(hints("users.delete"), h(false, true, true), "a second delete finds nothing to do");
        assert_eq!(hints("users.reset-password"), h(false, true, false), "each one makes a new reset link");
        assert_eq!(hints("users.clear-sessions"), h(false, true, true));
        assert_eq!(hints("users.get"), h(true, false, true));
        assert_eq!(hints("users.create"), h(false, false, false));
        assert_eq!(hints("groups.add-user"), h(false, false, true), "adding a member twice is not an error");
        assert_eq!(hints("raw.request"), Value::Null, "nobody knows what a raw request does");
        let catalog: Value = serde_json::from_str(super::CATALOG_JSON).unwrap();
        for a in catalog["actions"].as_array().unwrap() {
            let read_only = a["hints"]["read_only"] == true;
            assert!(!(read_only && a["hints"]["destructive"] == true), "{}", a["id"]);
            if read_only {
                assert!(a["scopes"].as_array().unwrap().iter().all(|s| s.as_str().unwrap().ends_with(".read")), "{a}");
            }
        }
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

    /// The README's environment table is the environment the WIT declares: every variable, its
    /// default (written `10 000` or `16 MiB` there) and what it sets, and no other row.
    #[test]
    fn readme_bounds_table_is_the_declared_environment() {
        let readme = include_str!("../README.md");
        let catalog: serde_json::Value = serde_json::from_str(super::CATALOG_JSON).unwrap();
        let env = catalog["environment"].as_array().unwrap();
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `OKTA_")).collect();
        assert_eq!(rows.len(), env.len(), "{rows:#?}");
        for v in env {
            let name = v["name"].as_str().unwrap();
            let row = rows
                .iter()
                .find(|r| r.starts_with(&format!("| `{name}` |")))
                .unwrap_or_else(|| panic!("README has no row for {name}"));
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
            let default = match cells[1].strip_suffix(" MiB") {
                Some(mib) => mib.parse::<u64>().unwrap() << 20,
                None => cells[1].replace(' ', "").parse().unwrap(),
            };
            assert_eq!(default, v["default"], "{name}");
            assert_eq!(cells[2], v["comment"], "{name}");
        }
    }
}

#[cfg(test)]
mod enforced {
    //! What the catalog publishes is what the guest enforces: every closed set and range in
    //! an action's input schema, nested records included, refuses a value outside it (naming
    //! the field by its path) and takes the values at its edges.
    use super::*;
    use serde_json::{json, Map, Value};

    /// A value of `schema` that passes its checks, with only what is required filled in.
    fn minimal(schema: &Value) -> Value {
        if let Some(values) = schema["enum"].as_array() {
            return values[0].clone();
        }
        match schema["type"].as_str() {
            Some("string") => json!("x"),
            Some("integer") => json!(schema["minimum"].as_u64().unwrap_or(0).max(1)),
            Some("boolean") => json!(false),
            Some("array") => json!([]),
            Some("object") => {
                let mut object = Map::new();
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().unwrap();
                    object.insert(name.to_string(), minimal(&schema["properties"][name]));
                }
                Value::Object(object)
            }
            _ => json!({}),
        }
    }

    /// Every constrained field: its path in the input (`hash_password.iteration_count`), its
    /// schema, and the path's keys.
    fn constrained(schema: &Value, at: &[String], out: &mut Vec<(Vec<String>, Value)>) {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            let path: Vec<String> = at.iter().cloned().chain([name.clone()]).collect();
            if property["type"] == "object" {
                constrained(property, &path, out);
            } else if property.get("enum").is_some() || property.get("minimum").is_some() {
                out.push((path, property.clone()));
            }
        }
    }

    fn with(input: &Value, schema: &Value, path: &[String], value: Value) -> Value {
        let mut input = input.clone();
        let mut object = &mut input;
        let mut object_schema = schema;
        for key in &path[..path.len() - 1] {
            object_schema = &object_schema["properties"][key.as_str()];
            if object.get(key.as_str()).is_none() {
                object[key.as_str()] = minimal(object_schema);
            }
            object = &mut object[key.as_str()];
        }
        object[path[path.len() - 1].as_str()] = value;
        input
    }

    fn refused_field(action: &str, input: &Value) -> Option<String> {
        match check_input(action, &input.to_string()) {
            Err(Error::InvalidInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn every_published_constraint_is_enforced() {
        let catalog: Value = serde_json::from_str(CATALOG_JSON).unwrap();
        let mut checked = 0;
        for action in catalog["actions"].as_array().unwrap() {
            let id = action["id"].as_str().unwrap();
            let schema = &action["input_schema"];
            let base = minimal(schema);
            let mut fields = Vec::new();
            constrained(schema, &[], &mut fields);
            for (path, property) in fields {
                let name = path.join(".");
                let mut outside = Vec::new();
                let mut inside = Vec::new();
                if let Some(values) = property["enum"].as_array() {
                    outside.push(json!("not-one-of-them"));
                    inside.extend(values.iter().cloned());
                    inside.extend(values.iter().map(|v| json!(v.as_str().unwrap().to_lowercase())));
                }
                if let Some(min) = property["minimum"].as_u64() {
                    inside.push(json!(min));
                    if min > 0 {
                        outside.push(json!(min - 1));
                    }
                }
                if let Some(max) = property["maximum"].as_u64() {
                    inside.push(json!(max));
                    outside.push(json!(max + 1));
                }
                for value in outside {
                    let input = with(&base, schema, &path, value.clone());
                    assert_eq!(refused_field(id, &input).as_deref(), Some(name.as_str()), "{id}: {name} = {value}");
                }
                for value in inside {
                    let input = with(&base, schema, &path, value.clone());
                    assert_ne!(refused_field(id, &input).as_deref(), Some(name.as_str()), "{id}: {name} = {value}");
                }
                checked += 1;
            }
        }
        eprintln!("{checked} constrained fields checked");
        assert!(checked >= 20, "only {checked} constrained fields found");
    }
}
