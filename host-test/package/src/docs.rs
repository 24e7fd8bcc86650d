//! `docs/index.html`: the connector's documentation page, generated from the catalog. One file
//! with its style, script and icon inline, so it works from disk, from a registry's blob and
//! offline, and asks no other site for anything.
//!
//! Every connection, trigger and action gets a section (anchor `connection-<id>`,
//! `trigger-<id>`, `action-<id>`) with its description, inputs (type, required, default, allowed
//! values, range, secret), hints, scopes and an example command line; then the bounds table.
//! The search box filters the sections as one types.

use crate::catalog::{Catalog, Entry, Input};
use crate::project::Project;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::{json, Map, Value};

const STYLE: &str = include_str!("../assets/docs.css");
const SCRIPT: &str = include_str!("../assets/docs.js");

/// The anchor of an entry's section.
pub fn anchor(kind: &str, id: &str) -> String {
    format!("{kind}-{id}")
}

pub fn index_html(project: &Project, catalog: &Catalog) -> String {
    let title = format!("{} connector {}", project.display_name, project.version);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // Nothing from elsewhere: not even a favicon request.
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";
                link rel="icon" href="data:,";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    span.logo { (PreEscaped(crate::icon::SVG)) }
                    div {
                        h1 { (project.display_name) " connector " span.version { (project.version) } }
                        p.summary { (project.description) }
                        p.meta {
                            "WIT package " code { (catalog.package) } " · licence " (project.license)
                            " · revision " code { (short(&project.revision)) } " · " (project.created_rfc3339())
                        }
                    }
                }
                div.layout {
                    nav {
                        input #search type="search" placeholder="Search actions, triggers, inputs…" aria-label="Search" autocomplete="off";
                        p #search-count aria-live="polite" {}
                        (nav_group("Connections", "connection", &catalog.connections))
                        (nav_group("Triggers", "trigger", &catalog.triggers))
                        (nav_group("Actions", "action", &catalog.actions))
                        h2 { a href="#bounds" { "Bounds" } }
                    }
                    main {
                        section.intro {
                            p {
                                "Every action runs through the component's export of the same name, or by id through "
                                code { "catalog.invoke" } " with its input as JSON (the keys below). From the command line: "
                                code { "okta-connector run ACTION --input JSON" } " (without a connection, against an embedded fake org)."
                            }
                        }
                        h2.group #connections { "Connections" }
                        @for e in &catalog.connections { (entry_section("connection", e)) }
                        h2.group #triggers { "Triggers" }
                        @for e in &catalog.triggers { (entry_section("trigger", e)) }
                        h2.group #actions { "Actions" }
                        @for e in &catalog.actions { (entry_section("action", e)) }
                        (bounds(catalog))
                        p #no-match hidden { "Nothing matches." }
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

fn short(revision: &str) -> &str {
    revision.get(..12).unwrap_or(revision)
}

fn nav_group(title: &str, kind: &str, entries: &[Entry]) -> Markup {
    html! {
        h2 { (title) }
        ul {
            @for e in entries {
                li data-target=(anchor(kind, &e.id)) { a href={ "#" (anchor(kind, &e.id)) } { (e.label) } }
            }
        }
    }
}

/// What the search matches an entry by: its id, label, texts and inputs.
fn search_text(e: &Entry) -> String {
    let mut text = format!("{} {} {} {}", e.id, e.label, e.comment, e.details);
    for i in e.inputs() {
        text.push(' ');
        text.push_str(&i.path);
        text.push(' ');
        text.push_str(&i.label);
    }
    text.to_lowercase()
}

fn entry_section(kind: &str, e: &Entry) -> Markup {
    let inputs = e.inputs();
    html! {
        section.entry id=(anchor(kind, &e.id)) data-search=(search_text(e)) {
            h3 {
                (e.label) " "
                code.id { (e.id) }
                @if let Some(k) = &e.kind { " " span.badge { (k) } }
            }
            p { (text(&e.comment)) }
            @if !e.details.is_empty() { p.details { (text(&e.details)) } }
            @if kind == "action" { (hints(e)) }
            @if kind != "connection" { (scopes(e)) }
            @if inputs.is_empty() {
                p.none { "No inputs." }
            } @else {
                (input_table(&inputs))
            }
            pre.example { code { (example(kind, e)) } }
        }
    }
}

fn hints(e: &Entry) -> Markup {
    html! {
        p.hints {
            "Hints: "
            @match &e.hints {
                Some(h) => {
                    @if h.read_only { span.badge.read-only { "read-only" } " " }
                    @if h.destructive { span.badge.destructive { "destructive" } " " }
                    @if h.idempotent { span.badge.idempotent { "idempotent" } " " }
                    @if !h.read_only && !h.destructive && !h.idempotent { "changes the org; not idempotent" }
                }
                None => { "none: what it does depends on its input." }
            }
        }
    }
}

fn scopes(e: &Entry) -> Markup {
    html! {
        p.scopes {
            "OAuth scopes: "
            @match &e.scopes {
                Some(s) if !s.is_empty() => {
                    @for (i, scope) in s.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (scope) }
                    }
                }
                Some(_) => { "none." }
                None => { "those of the endpoint it calls." }
            }
        }
    }
}

fn input_table(inputs: &[Input]) -> Markup {
    html! {
        table.inputs {
            thead { tr { th { "Input" } th { "Type" } th { "Required" } th { "Default" } th { "Allowed" } th { "Description" } } }
            tbody {
                @for i in inputs {
                    tr {
                        td { code { (i.path) } br; span.label { (i.label) } }
                        td { (i.ty) @if i.secret { " " span.badge.secret { "secret" } } }
                        td { @if i.required { "yes" } @else { "no" } }
                        td { @if let Some(d) = &i.default { code { (d) } } }
                        td { (allowed(i)) }
                        td { (text(&i.description)) }
                    }
                }
            }
        }
    }
}

fn allowed(i: &Input) -> Markup {
    html! {
        @for (n, v) in i.allowed.iter().enumerate() {
            @if n > 0 { ", " }
            code { (v) }
        }
        @match (&i.minimum, &i.maximum) {
            (Some(min), Some(max)) => { (min) "–" (max) }
            (Some(min), None) => { "≥ " (min) }
            (None, Some(max)) => { "≤ " (max) }
            (None, None) => {}
        }
    }
}

fn bounds(catalog: &Catalog) -> Markup {
    html! {
        section.entry #bounds data-search="bounds environment timeout limits" {
            h2.group { "Bounds" }
            p {
                "Every action runs within these bounds. A host changes them through the component's environment ("
                code { "wasi:cli/environment" } "); exceeding one is a typed error, never a trap."
            }
            table.inputs {
                thead { tr { th { "Variable" } th { "Default" } th { "Bounds" } } }
                tbody {
                    @for v in &catalog.environment {
                        tr { td { code { (v.name) } } td { code { (v.default) } } td { (text(&v.comment)) } }
                    }
                }
            }
            @if !catalog.hosts.is_empty() {
                p {
                    "Outbound requests go only to the connection's Okta domain: "
                    @for (n, h) in catalog.hosts.iter().enumerate() {
                        @if n > 0 { ", " }
                        code { (h) }
                    }
                    ", or the custom domain in the connection."
                }
            }
        }
    }
}

/// Text from the WIT docs: `code` spans become `<code>`, the rest is escaped.
fn text(s: &str) -> Markup {
    html! {
        @for (n, part) in s.split('`').enumerate() {
            @if n % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// A command line that runs the entry, with a placeholder for each required input.
pub fn example(kind: &str, e: &Entry) -> String {
    let input = placeholder_object(&e.input_schema, kind == "connection");
    let json = serde_json::to_string(&input).unwrap_or_default();
    let flag = if input.as_object().is_some_and(Map::is_empty) { String::new() } else { format!(" --input '{json}'") };
    match (kind, e.kind.as_deref()) {
        ("connection", _) => format!("okta-connector run users.list --connection '{}'", json!({ e.id.clone(): input })),
        ("trigger", Some("webhook")) => {
            format!(
                "okta-connector hook serve --listen 127.0.0.1:8443 --public-url https://hooks.example.com/okta{flag}"
            )
        }
        ("trigger", _) => format!("okta-connector poll {}{flag}", e.id),
        _ => format!("okta-connector run {}{flag}", e.id),
    }
}

/// A value for every required property: `<name>` for text, the minimum for numbers, and for a
/// connection's secrets `{"env": "OKTA_<NAME>"}` (the CLI reads them from the environment).
fn placeholder_object(schema: &Value, secrets_from_env: bool) -> Value {
    let mut out = Map::new();
    let required = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str);
    for name in required {
        let prop = &schema["properties"][name];
        let secret = prop["writeOnly"] == true;
        let value = if secrets_from_env && secret {
            json!({"env": format!("OKTA_{}", name.to_uppercase())})
        } else {
            placeholder(name, prop)
        };
        out.insert(name.to_string(), value);
    }
    Value::Object(out)
}

fn placeholder(name: &str, prop: &Value) -> Value {
    if let Some(first) = prop["enum"].as_array().and_then(|a| a.first()) {
        return first.clone();
    }
    match prop["type"].as_str() {
        Some("string") => json!(format!("<{name}>")),
        Some("integer") | Some("number") => prop.get("minimum").cloned().unwrap_or(json!(1)),
        Some("boolean") => json!(true),
        Some("array") => json!([placeholder(name, &prop["items"])]),
        Some("object") => placeholder_object(prop, false),
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, schema: Value) -> Entry {
        Entry {
            id: id.into(),
            label: "L".into(),
            comment: "C".into(),
            details: String::new(),
            kind: None,
            input_schema: schema,
            hints: None,
            scopes: None,
        }
    }

    #[test]
    fn examples_fill_required_inputs_only() {
        let e = entry(
            "users.set-password",
            json!({"required": ["user_id", "password", "count", "kind"], "properties": {
                "user_id": {"type": "string"}, "password": {"type": "string", "writeOnly": true},
                "count": {"type": "integer", "minimum": 1}, "kind": {"type": "string", "enum": ["a", "b"]},
                "strict": {"type": "boolean"}}}),
        );
        assert_eq!(
            example("action", &e),
            r#"okta-connector run users.set-password --input '{"count":1,"kind":"a","password":"<password>","user_id":"<user_id>"}'"#
        );
        let conn = entry(
            "api_token",
            json!({"required": ["domain", "token"], "properties": {
                "domain": {"type": "string"}, "token": {"type": "string", "writeOnly": true}}}),
        );
        assert_eq!(
            example("connection", &conn),
            r#"okta-connector run users.list --connection '{"api_token":{"domain":"<domain>","token":{"env":"OKTA_TOKEN"}}}'"#
        );
        assert_eq!(example("trigger", &entry("users.new", json!({}))), "okta-connector poll users.new");
    }

    #[test]
    fn text_marks_code_and_escapes_the_rest() {
        assert_eq!(text("a `b<c>` <i>").into_string(), "a <code>b&lt;c&gt;</code> &lt;i&gt;");
    }
}
