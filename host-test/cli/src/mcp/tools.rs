//! The tools, generated from the component's catalog (`describe()`) at run time: one per
//! action, nothing written per tool. The name is the action id without dots or dashes
//! (`users.create` → `users_create`), the title its label, the description its WIT docs, the
//! input schema its input's; the output schema where the catalog gives the result a fixed
//! shape; the annotations from the catalog's hints (absent hints stay unknown: no annotation,
//! which MCP reads as "may change and destroy things").

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::{anyhow, Context as _, Result};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde::Deserialize;
use serde_json::Value;

/// What an action does to the org, as the catalog says.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
}

/// One action as a tool.
#[derive(Clone, Debug)]
pub struct ActionTool {
    /// `users_create`
    pub name: String,
    /// `users.create`
    pub action: String,
    pub label: String,
    pub description: String,
    pub input_schema: JsonObject,
    pub output_schema: Option<JsonObject>,
    /// `None` when nobody knows (Raw Request), or the catalog says nothing yet.
    pub hints: Option<Hints>,
    /// The OAuth scopes it needs; `None`: not known, never filtered out.
    pub scopes: Option<Vec<String>>,
    /// A list with Fetch All, `after` and a page as its result: the server pages it itself.
    pub pages: bool,
    /// Inputs the catalog marks secret: never shown in a confirmation.
    pub secret_inputs: Vec<String>,
}

/// The catalog as the server uses it.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub tools: Vec<ActionTool>,
    /// Error kind → what it means and whether a retry helps (the WIT `error` docs).
    pub errors: HashMap<String, String>,
}

#[derive(Deserialize)]
struct RawCatalog {
    actions: Vec<RawAction>,
    #[serde(default)]
    errors: Vec<RawError>,
}

#[derive(Deserialize)]
struct RawAction {
    id: String,
    label: String,
    comment: String,
    #[serde(default)]
    details: String,
    input_schema: Value,
    #[serde(default)]
    output_schema: Value,
    #[serde(default)]
    hints: Option<Hints>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawError {
    kind: String,
    comment: String,
}

/// `users.reset-password` → `users_reset_password`: MCP clients and models handle names of
/// letters, digits and underscores best.
pub fn tool_name(action: &str) -> String {
    action.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

impl Catalog {
    pub fn from_json(catalog: &Value) -> Result<Catalog> {
        let raw: RawCatalog = serde_json::from_value(catalog.clone()).context("the catalog is not describe()'s")?;
        let mut tools = Vec::with_capacity(raw.actions.len());
        for a in raw.actions {
            let Value::Object(input_schema) = a.input_schema else {
                return Err(anyhow!("{}: the input schema is not an object", a.id));
            };
            let output_schema = match a.output_schema {
                Value::Object(o) => Some(o),
                _ => None,
            };
            let props = input_schema.get("properties").and_then(Value::as_object);
            let has = |k: &str| props.is_some_and(|p| p.contains_key(k));
            let page_output = output_schema
                .as_ref()
                .and_then(|o| o.get("properties"))
                .and_then(Value::as_object)
                .is_some_and(|p| p.contains_key("items") && p.contains_key("next_cursor"));
            let secret_inputs = props
                .map(|p| p.iter().filter(|(_, s)| s["writeOnly"] == true).map(|(k, _)| k.clone()).collect())
                .unwrap_or_default();
            let description = match a.details.trim() {
                "" => a.comment.clone(),
                details => format!("{}\n\n{details}", a.comment),
            };
            tools.push(ActionTool {
                name: tool_name(&a.id),
                action: a.id,
                label: a.label,
                description,
                pages: has("fetch_all") && has("after") && page_output,
                input_schema,
                output_schema,
                hints: a.hints,
                scopes: a.scopes,
                secret_inputs,
            });
        }
        let mut names = BTreeMap::new();
        for t in &tools {
            if let Some(other) = names.insert(t.name.clone(), t.action.clone()) {
                return Err(anyhow!("the actions {other} and {} would share the tool name {}", t.action, t.name));
            }
        }
        let errors = raw.errors.into_iter().map(|e| (e.kind, e.comment)).collect();
        Ok(Catalog { tools, errors })
    }

    /// The tools to list: read-only ones only with `read_only`; with `granted` (an OAuth
    /// connection's scopes), only those whose every scope was granted.
    pub fn visible(&self, read_only: bool, granted: Option<&[String]>) -> Vec<&ActionTool> {
        self.tools
            .iter()
            .filter(|t| !read_only || t.read_only())
            .filter(|t| match (granted, &t.scopes) {
                (Some(granted), Some(needed)) => needed.iter().all(|s| granted.contains(s)),
                _ => true,
            })
            .collect()
    }
}

impl ActionTool {
    /// Only what the catalog says changes nothing.
    pub fn read_only(&self) -> bool {
        self.hints.is_some_and(|h| h.read_only)
    }

    /// Destructive, or not known not to be (MCP's defaults: not read-only, destructive).
    pub fn needs_confirmation(&self) -> bool {
        self.hints.is_none_or(|h| !h.read_only && h.destructive)
    }

    /// The MCP tool. `open_world`: the org is outside this machine (not the embedded fake org).
    pub fn tool(&self, open_world: bool) -> Tool {
        let mut annotations = ToolAnnotations::default();
        annotations.title = Some(self.label.clone());
        if let Some(h) = self.hints {
            annotations.read_only_hint = Some(h.read_only);
            if !h.read_only {
                annotations.destructive_hint = Some(h.destructive);
                annotations.idempotent_hint = Some(h.idempotent);
            }
        }
        annotations.open_world_hint = Some(open_world);
        let mut description = self.description.clone();
        if self.needs_confirmation() {
            description.push_str("\n\nThe server asks the user to confirm before it runs this tool.");
        }
        if self.pages {
            description.push_str(
                "\n\nWith fetch_all, the result stops at the server's size cap with a next_cursor: call again with after set to it to continue.",
            );
        }
        let mut tool = Tool::new(self.name.clone(), description, Arc::new(self.input_schema.clone()));
        tool.title = Some(self.label.clone());
        tool.output_schema = self.output_schema.clone().map(Arc::new);
        tool.annotations = Some(annotations);
        tool
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog(actions: Value) -> Catalog {
        Catalog::from_json(&json!({ "package": "okta:connector@0.1.0", "connections": [], "triggers": [],
            "actions": actions, "errors": [{"kind": "not-found", "comment": "404: no such user."}] }))
        .unwrap()
    }

    fn action(id: &str, hints: Value, scopes: Value) -> Value {
        let mut a = json!({
            "id": id, "label": "L", "comment": "C.", "details": "`GET /x`.", "defaults": {},
            "input_schema": {"type": "object", "properties": {"id": {"type": "string"},
                "password": {"type": "string", "writeOnly": true}}, "required": ["id"], "additionalProperties": false},
            "output_schema": null,
        });
        if !hints.is_null() {
            a["hints"] = hints;
        }
        if !scopes.is_null() {
            a["scopes"] = scopes;
        }
        a
    }

    #[test]
    fn names_titles_descriptions_and_schemas_come_from_the_catalog() {
        let c = catalog(json!([action("event-hooks.delete-all", Value::Null, Value::Null)]));
        let t = &c.tools[0];
        assert_eq!(t.name, "event_hooks_delete_all");
        assert_eq!(t.description, "C.\n\n`GET /x`.");
        assert_eq!(t.secret_inputs, ["password"]);
        assert_eq!(c.errors["not-found"], "404: no such user.");
        let tool = t.tool(true);
        assert_eq!(tool.title.as_deref(), Some("L"));
        assert_eq!(tool.input_schema["required"], json!(["id"]));
        assert!(tool.output_schema.is_none());
        assert_eq!(tool_name("raw.request"), "raw_request");
    }

    #[test]
    fn unknown_hints_annotate_nothing_and_are_confirmed() {
        let c = catalog(json!([action("raw.request", Value::Null, Value::Null)]));
        let t = &c.tools[0];
        let a = t.tool(false).annotations.unwrap();
        assert_eq!((a.read_only_hint, a.destructive_hint, a.idempotent_hint), (None, None, None));
        assert_eq!(a.open_world_hint, Some(false));
        assert!(t.needs_confirmation() && !t.read_only());
        assert!(c.visible(true, None).is_empty(), "unknown is not read-only");
    }

    #[test]
    fn hints_become_annotations() {
        let c = catalog(json!([
            action("users.get", json!({"read_only": true, "destructive": false, "idempotent": true}), Value::Null),
            action("users.delete", json!({"read_only": false, "destructive": true, "idempotent": true}), Value::Null),
            action("users.create", json!({"read_only": false, "destructive": false, "idempotent": false}), Value::Null),
        ]));
        let a = |i: usize| c.tools[i].tool(true).annotations.unwrap();
        assert_eq!((a(0).read_only_hint, a(0).destructive_hint), (Some(true), None));
        assert_eq!(
            (a(1).read_only_hint, a(1).destructive_hint, a(1).idempotent_hint),
            (Some(false), Some(true), Some(true))
        );
        assert_eq!(a(2).destructive_hint, Some(false));
        let confirmed: Vec<bool> = c.tools.iter().map(ActionTool::needs_confirmation).collect();
        assert_eq!(confirmed, [false, true, false]);
        let read_only: Vec<&str> = c.visible(true, None).iter().map(|t| t.name.as_str()).collect();
        assert_eq!(read_only, ["users_get"]);
    }

    #[test]
    fn granted_scopes_choose_the_tools() {
        let c = catalog(json!([
            action("users.get", Value::Null, json!(["okta.users.read"])),
            action("users.delete", Value::Null, json!(["okta.users.manage"])),
            action("raw.request", Value::Null, Value::Null),
        ]));
        let names = |granted: Option<&[String]>| -> Vec<String> {
            c.visible(false, granted).iter().map(|t| t.name.clone()).collect()
        };
        let read = ["okta.users.read".to_string(), "offline_access".to_string()];
        assert_eq!(names(Some(&read)), ["users_get", "raw_request"]);
        assert_eq!(names(None).len(), 3);
    }

    #[test]
    fn lists_with_fetch_all_are_paged_by_the_server() {
        let mut a = action("users.list", Value::Null, Value::Null);
        a["input_schema"]["properties"]["fetch_all"] = json!({"type": "boolean"});
        a["input_schema"]["properties"]["after"] = json!({"type": "string"});
        a["output_schema"] = json!({"type": "object", "properties": {"items": {}, "next_cursor": {}}});
        let c = catalog(json!([a]));
        assert!(c.tools[0].pages);
        assert!(c.tools[0].tool(true).output_schema.is_some());
    }
}
