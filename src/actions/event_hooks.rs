//! Event hooks: `/api/v1/eventHooks`, `/api/v1/eventHooks/{eventHookId}` and its
//! `lifecycle/activate|deactivate|verify`.
//!
//! Okta quirks: a new hook is ACTIVE but UNVERIFIED and receives nothing until verified; only
//! INACTIVE hooks can be deleted; there is no bulk delete.

use crate::error::Error;
use crate::inputs::event_hooks::*;
use crate::inputs::types::KeyValue;
use crate::okta::{segment, Flow, Okta, Request};
use serde_json::{json, Map, Value};

fn hook_path(id: &str) -> Result<String, Error> {
    Ok(format!("/api/v1/eventHooks/{}", segment("event_hook_id", id)?))
}

fn lifecycle(id: &str, operation: &str) -> Result<Request, Error> {
    Ok(Request::post(format!("{}/lifecycle/{operation}", hook_path(id)?)))
}

/// Create Event Hook: `POST /api/v1/eventHooks`, then verify it, or deactivate it with Do Not
/// Activate on Create.
pub fn create(okta: &Okta, input: CreateHookInput) -> Result<Flow<String>, Error> {
    let body = hook_body(&input)?;
    let do_not_activate = input.do_not_activate;
    Ok(okta.post("/api/v1/eventHooks").json(&body).send_object().and_then(move |created| {
        let id = match id_of(&created) {
            Ok(id) => id,
            Err(e) => return Flow::fail(e),
        };
        if do_not_activate {
            return match lifecycle(&id, "deactivate") {
                Ok(r) => r.send_object(),
                Err(e) => Flow::fail(e),
            };
        }
        match lifecycle(&id, "verify") {
            Ok(r) => r.send_object().then(move |verified| match verified {
                Ok(hook) => Flow::done(hook),
                Err(e) => Flow::fail(with_note(
                    e,
                    format!("the event hook {id} was created (ACTIVE, UNVERIFIED) but Okta could not verify its endpoint; fix the endpoint, then run Verify Event Hook"),
                )),
            }),
            Err(e) => Flow::fail(e),
        }
    }))
}

/// Okta's `EventHook` for a create.
fn hook_body(input: &CreateHookInput) -> Result<Value, Error> {
    hook_body_parts(HookParts {
        name: &input.name,
        url: &input.url,
        items: input.items.as_deref(),
        dynamic_items: input.dynamic_items.clone(),
        headers: input.headers.as_deref(),
        filters: input.filters.clone(),
        description: input.description.as_deref(),
        auth: input.auth_header_value.as_deref().map(|secret| (input.auth_header_key.as_str(), secret)),
    })
}

/// What an `EventHook` body is made of (Create Event Hook, and the Event Hook trigger).
pub(crate) struct HookParts<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub items: Option<&'a [String]>,
    pub dynamic_items: Option<Value>,
    pub headers: Option<&'a [KeyValue]>,
    pub filters: Option<Value>,
    pub description: Option<&'a str>,
    /// The auth header's name and the shared secret.
    pub auth: Option<(&'a str, &'a str)>,
}

/// Okta's `EventHook` from its parts, checked.
pub(crate) fn hook_body_parts(p: HookParts<'_>) -> Result<Value, Error> {
    let url = p.url;
    let parsed: Option<http::Uri> = url.parse().ok();
    let absolute = parsed.as_ref().is_some_and(|u| {
        matches!(u.scheme_str(), Some("https" | "http")) && u.authority().is_some_and(|a| !a.host().is_empty())
    });
    if !absolute || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::input("url", "must be an absolute https:// URL, such as https://hooks.example.com/okta"));
    }
    let items = event_types(p.items, p.dynamic_items)?;
    let mut events = json!({ "type": "EVENT_TYPE", "items": items });
    if let Some(filter) = filter(p.filters)? {
        events["filter"] = filter;
    }
    let mut config = Map::new();
    config.insert("uri".into(), json!(url));
    if let Some(headers) = p.headers {
        let mut list = Vec::new();
        for (i, kv) in headers.iter().enumerate() {
            let key = kv.key.trim();
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return Err(Error::input(&format!("headers[{i}].key"), "must be a header name such as X-Source"));
            }
            if kv.value.chars().any(|c| c.is_control()) {
                return Err(Error::input(&format!("headers[{i}].value"), "must not contain line breaks"));
            }
            list.push(json!({ "key": key, "value": kv.value }));
        }
        if !list.is_empty() {
            config.insert("headers".into(), Value::Array(list));
        }
    }
    if let Some((key, secret)) = p.auth {
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            return Err(Error::input("auth_header_key", "must be a header name such as Authorization"));
        }
        if secret.chars().any(|c| c.is_control()) {
            return Err(Error::input("auth_header_value", "must not contain line breaks"));
        }
        config.insert("authScheme".into(), json!({ "type": "HEADER", "key": key, "value": secret }));
    }
    let mut body = json!({
        "name": p.name,
        "events": events,
        "channel": { "type": "HTTP", "version": "1.0.0", "config": config },
    });
    if let Some(d) = p.description {
        body["description"] = json!(d);
    }
    Ok(body)
}

/// Event Hook Items and Dynamic Event Hook Items joined, in order, without repeats.
pub(crate) fn event_types(items: Option<&[String]>, dynamic: Option<Value>) -> Result<Vec<String>, Error> {
    let mut all: Vec<String> = Vec::new();
    let mut add = |field: &str, t: &str| -> Result<(), Error> {
        let t = t.trim();
        if t.is_empty() || t.contains(char::is_whitespace) {
            return Err(Error::input(field, "event types are words such as user.lifecycle.create"));
        }
        if !all.iter().any(|x| x == t) {
            all.push(t.to_string());
        }
        Ok(())
    };
    for t in items.unwrap_or_default() {
        add("items", t)?;
    }
    match dynamic {
        None => {}
        Some(Value::Array(values)) => {
            for v in values {
                match v.as_str() {
                    Some(t) => add("dynamic_items", t)?,
                    None => return Err(Error::input("dynamic_items", "must be a JSON array of event types (strings)")),
                }
            }
        }
        // A plain string: one type, or several separated by commas.
        Some(Value::String(s)) => {
            for t in s.split(',') {
                add("dynamic_items", t)?;
            }
        }
        Some(_) => return Err(Error::input("dynamic_items", "must be a JSON array of event types")),
    }
    if all.is_empty() {
        return Err(Error::input(
            "items",
            "give at least one event type (Event Hook Items or Dynamic Event Hook Items)",
        ));
    }
    Ok(all)
}

/// Okta's `events.filter` from the Event Hook Filters input.
fn filter(value: Option<Value>) -> Result<Option<Value>, Error> {
    let entries = match value {
        None => return Ok(None),
        Some(Value::Object(o)) if o.contains_key("eventFilterMap") => return Ok(Some(Value::Object(o))),
        Some(Value::Array(entries)) if entries.is_empty() => return Ok(None),
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            return Err(Error::input(
                "filters",
                "must be a JSON array of {\"event\": ..., \"condition\": ...}, or Okta's events.filter object",
            ))
        }
    };
    let mut map = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let field = format!("filters[{i}]");
        let event = e.get("event").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let condition = match e.get("condition") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(c)) => c.get("expression").and_then(Value::as_str).map(str::to_string),
            _ => e.get("expression").and_then(Value::as_str).map(str::to_string),
        };
        match (event, condition.filter(|c| !c.trim().is_empty())) {
            (Some(event), Some(expression)) => {
                map.push(json!({ "event": event, "condition": { "expression": expression } }))
            }
            _ => {
                return Err(Error::input(
                    &field,
                    "needs an `event` and a `condition` (an Okta Expression Language expression)",
                ))
            }
        }
    }
    Ok(Some(json!({ "type": "EXPRESSION_LANGUAGE", "eventFilterMap": map })))
}

/// Get Event Hook: `GET /api/v1/eventHooks/{eventHookId}`.
pub fn get(okta: &Okta, input: HookRefInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(hook_path(&input.event_hook_id)?).send_object())
}

/// List Event Hooks: `GET /api/v1/eventHooks` (not paged).
pub fn list(okta: &Okta) -> Result<Flow<String>, Error> {
    Ok(okta.get("/api/v1/eventHooks").send_array())
}

/// Activate Event Hook: `POST /api/v1/eventHooks/{eventHookId}/lifecycle/activate`.
pub fn activate(_: &Okta, input: HookRefInput) -> Result<Flow<String>, Error> {
    Ok(lifecycle(&input.event_hook_id, "activate")?.send_object())
}

/// Deactivate Event Hook: `POST /api/v1/eventHooks/{eventHookId}/lifecycle/deactivate`.
pub fn deactivate(_: &Okta, input: HookRefInput) -> Result<Flow<String>, Error> {
    Ok(lifecycle(&input.event_hook_id, "deactivate")?.send_object())
}

/// Verify Event Hook: `POST /api/v1/eventHooks/{eventHookId}/lifecycle/verify`.
pub fn verify(_: &Okta, input: HookRefInput) -> Result<Flow<String>, Error> {
    Ok(lifecycle(&input.event_hook_id, "verify")?.send_object())
}

/// Delete Event Hook: `GET` it, deactivate it when ACTIVE, then `DELETE`.
pub fn delete(okta: &Okta, input: HookRefInput) -> Result<Flow<()>, Error> {
    let id = input.event_hook_id;
    hook_path(&id)?;
    Ok(okta.get(hook_path(&id)?).send_object().and_then(move |hook| match serde_json::from_str::<Value>(&hook) {
        Ok(h) => delete_one(id, h.get("status").and_then(Value::as_str) == Some("ACTIVE")),
        Err(_) => Flow::fail(Error::UnexpectedResponse("Okta's event hook is not JSON".into())),
    }))
}

/// Deactivates (when active) then deletes one hook.
fn delete_one(id: String, active: bool) -> Flow<()> {
    let (deactivate, delete) = match (lifecycle(&id, "deactivate"), hook_path(&id)) {
        (Ok(d), Ok(path)) => (d, Request::delete(path)),
        (Err(e), _) | (_, Err(e)) => return Flow::fail(e),
    };
    if active {
        deactivate.send_object().and_then(move |_| delete.send_empty())
    } else {
        delete.send_empty()
    }
}

/// Delete All Event Hooks: list them, keep those with the URL (or all), deactivate and delete
/// each in turn.
pub fn delete_all(okta: &Okta, input: DeleteAllInput) -> Result<Flow<String>, Error> {
    let url = input.url;
    Ok(okta.get("/api/v1/eventHooks").send_array().and_then(move |list| {
        let hooks: Vec<Value> = match serde_json::from_str(&list) {
            Ok(h) => h,
            Err(_) => return Flow::fail(Error::UnexpectedResponse("Okta's event hooks are not a JSON array".into())),
        };
        let chosen: Vec<(String, bool)> = hooks
            .iter()
            .filter(|h| match &url {
                Some(u) => h.pointer("/channel/config/uri").and_then(Value::as_str) == Some(u.as_str()),
                None => true,
            })
            .filter_map(|h| {
                let id = h.get("id")?.as_str()?.to_string();
                Some((id, h.get("status").and_then(Value::as_str) == Some("ACTIVE")))
            })
            .collect();
        delete_each(chosen, Vec::new()).map(|deleted| json!({ "deleted": deleted }).to_string())
    }))
}

fn delete_each(mut left: Vec<(String, bool)>, deleted: Vec<String>) -> Flow<Vec<String>> {
    if left.is_empty() {
        return Flow::done(deleted);
    }
    let (id, active) = left.remove(0);
    delete_one(id.clone(), active).then(move |r| match r {
        Ok(()) => {
            let mut deleted = deleted;
            deleted.push(id);
            delete_each(left, deleted)
        }
        Err(e) => {
            let note = match deleted.is_empty() {
                true => format!("deleting event hook {id} failed; none was deleted before it"),
                false => format!("deleting event hook {id} failed; deleted before it: {}", deleted.join(", ")),
            };
            Flow::fail(with_note(e, note))
        }
    })
}

/// The `id` of an Okta object.
fn id_of(json: &str) -> Result<String, Error> {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
        .ok_or_else(|| Error::UnexpectedResponse("Okta's event hook has no id".into()))
}

/// Adds a sentence for the user to an error: a cause for Okta's errors, else to the message.
fn with_note(e: Error, note: String) -> Error {
    match e {
        Error::Okta(mut o) => {
            o.causes.push(note);
            Error::Okta(o)
        }
        Error::Transport(m) => Error::Transport(format!("{m}; {note}")),
        Error::UnexpectedResponse(m) => Error::UnexpectedResponse(format!("{m}; {note}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::okta::testing::{drive, expect};

    fn input(json: Value) -> CreateHookInput {
        CreateHookInput::from_json(&json.to_string()).unwrap()
    }

    #[test]
    fn create_builds_okta_event_hook_and_verifies() {
        let i = input(json!({
            "name": "Audit", "url": "https://hooks.example.com/okta",
            "items": ["user.lifecycle.create", "group.user_membership.add"],
            "dynamic_items": "[\"user.lifecycle.create\", \"user.lifecycle.deactivate\"]",
            "headers": [{"key": "X-Source", "value": "okta"}],
            "filters": [{"event": "group.user_membership.add", "condition": "event.target.?[type eq 'UserGroup'].size()>0"}],
            "description": "to the SIEM",
            "auth_header_value": "hunter2-secret"
        }));
        let body = json!({
            "name": "Audit",
            "events": {
                "type": "EVENT_TYPE",
                "items": ["user.lifecycle.create", "group.user_membership.add", "user.lifecycle.deactivate"],
                "filter": {"type": "EXPRESSION_LANGUAGE", "eventFilterMap": [
                    {"event": "group.user_membership.add", "condition": {"expression": "event.target.?[type eq 'UserGroup'].size()>0"}}
                ]}
            },
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": "https://hooks.example.com/okta",
                "headers": [{"key": "X-Source", "value": "okta"}],
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": "hunter2-secret"}
            }},
            "description": "to the SIEM"
        });
        let out = drive(
            create(&Okta::for_tests(), i).unwrap(),
            vec![
                expect("POST", "/api/v1/eventHooks").body(body).answer_json(r#"{"id":"who1","status":"ACTIVE"}"#),
                expect("POST", "/api/v1/eventHooks/who1/lifecycle/verify")
                    .answer_json(r#"{"id":"who1","verificationStatus":"VERIFIED"}"#),
            ],
        )
        .unwrap();
        assert!(out.contains("VERIFIED"));
    }

    #[test]
    fn a_failed_verification_names_the_hook() {
        let i = input(json!({"name": "A", "url": "https://h.example.com", "items": ["user.lifecycle.create"]}));
        let e = drive(
            create(&Okta::for_tests(), i).unwrap(),
            vec![
                expect("POST", "/api/v1/eventHooks")
                    .body(json!({"name": "A", "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]},
                        "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "https://h.example.com"}}}))
                    .answer_json(r#"{"id":"who9"}"#),
                expect("POST", "/api/v1/eventHooks/who9/lifecycle/verify").fails(400, "E0000001"),
            ],
        )
        .unwrap_err();
        assert!(matches!(&e, Error::Okta(o) if o.causes.iter().any(|c| c.contains("who9"))), "{e:?}");
    }

    #[test]
    fn bad_inputs_are_named() {
        for (j, field) in [
            (json!({"name": "A", "url": "hooks.example.com", "items": ["x.y"]}), "url"),
            (json!({"name": "A", "url": "https://h.example.com"}), "items"),
            (json!({"name": "A", "url": "https://h.example.com", "dynamic_items": {"a": 1}}), "dynamic_items"),
            (
                json!({"name": "A", "url": "https://h.example.com", "items": ["x.y"], "filters": [{"event": "x.y"}]}),
                "filters[0]",
            ),
            (
                json!({"name": "A", "url": "https://h.example.com", "items": ["x.y"], "headers": [{"key": "Bad Name", "value": "v"}]}),
                "headers[0].key",
            ),
        ] {
            let e = create(&Okta::for_tests(), input(j.clone())).map(|_| ()).unwrap_err();
            assert!(matches!(&e, Error::InvalidInput { field: f, .. } if f == field), "{j}: {e:?}");
        }
    }

    #[test]
    fn delete_deactivates_an_active_hook_first() {
        let i = HookRefInput::from_json(r#"{"event_hook_id":"who1"}"#).unwrap();
        drive(
            delete(&Okta::for_tests(), i).unwrap(),
            vec![
                expect("GET", "/api/v1/eventHooks/who1").answer_json(r#"{"id":"who1","status":"ACTIVE"}"#),
                expect("POST", "/api/v1/eventHooks/who1/lifecycle/deactivate")
                    .answer_json(r#"{"id":"who1","status":"INACTIVE"}"#),
                expect("DELETE", "/api/v1/eventHooks/who1"),
            ],
        )
        .unwrap();
    }

    #[test]
    fn delete_all_keeps_other_urls() {
        let i = DeleteAllInput::from_json(r#"{"url":"https://a.example.com/h"}"#).unwrap();
        let list = json!([
            {"id": "who1", "status": "ACTIVE", "channel": {"config": {"uri": "https://a.example.com/h"}}},
            {"id": "who2", "status": "ACTIVE", "channel": {"config": {"uri": "https://b.example.com/h"}}},
            {"id": "who3", "status": "INACTIVE", "channel": {"config": {"uri": "https://a.example.com/h"}}}
        ]);
        let out = drive(
            delete_all(&Okta::for_tests(), i).unwrap(),
            vec![
                expect("GET", "/api/v1/eventHooks").answer_json(&list.to_string()),
                expect("POST", "/api/v1/eventHooks/who1/lifecycle/deactivate").answer_json("{}"),
                expect("DELETE", "/api/v1/eventHooks/who1"),
                expect("DELETE", "/api/v1/eventHooks/who3"),
            ],
        )
        .unwrap();
        assert_eq!(out, r#"{"deleted":["who1","who3"]}"#);
    }
}
