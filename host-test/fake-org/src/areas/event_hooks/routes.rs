//! Event hooks: `GET/POST /api/v1/eventHooks`, `GET/PUT/DELETE /api/v1/eventHooks/{id}`,
//! `POST /api/v1/eventHooks/{id}/lifecycle/activate|deactivate|verify`.
//!
//! Okta's rules kept here (API-NOTES §2.7, §3.7; RECORDED-NOTES §5, §6): a new hook is ACTIVE
//! and UNVERIFIED (`status` is read-only in the spec, so a `status` in the body is ignored);
//! `authScheme.value` is never returned; `events.filter` is stored and echoed (`null` when
//! absent, `condition.version` added as `null`); a `PUT` replaces name, description, events and
//! channel and makes the hook UNVERIFIED again; lifecycle calls answer 200 with the full hook;
//! verification really calls the endpoint (see `outbound`) and fails with 400 E0000001
//! "Unable to verify event hook. Hook <name> execution failed"; only INACTIVE hooks can be
//! deleted (403 E0000006 otherwise, the spec's only error for it); the listing has no Link.
//!
//! Endpoints must be `https://`, as Okta requires, except `http://` on loopback, which the fake
//! org accepts so tests can run real receivers.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxState};
use http::Method;

use super::delivery::hook_endpoint;
use super::model::{AuthScheme, EventHook};
use super::outbound;
use crate::areas::state::State;
use crate::infra::auth::Scope;
use crate::infra::edge::Endpoint;
use crate::infra::errors::ApiError;
use crate::infra::json::J;
use crate::infra::ratelimit::Bucket;
use crate::infra::routing::{Ctx, HResult, Reply, Routes};
use crate::infra::time::iso;
use crate::org::Org;

const READ: Endpoint = Endpoint::new(Bucket::EventHooks, Scope::EventHooksRead);
const MANAGE: Endpoint = Endpoint::new(Bucket::EventHooks, Scope::EventHooksManage);

pub fn routes(r: Routes) -> Routes {
    r.sync0(Method::GET, "/api/v1/eventHooks", READ, list_hooks)
        .sync0(Method::POST, "/api/v1/eventHooks", MANAGE, create_hook)
        .sync1(Method::GET, "/api/v1/eventHooks/{hook}", READ, get_hook)
        .sync1(Method::PUT, "/api/v1/eventHooks/{hook}", MANAGE, replace_hook)
        .sync1(Method::DELETE, "/api/v1/eventHooks/{hook}", MANAGE, delete_hook)
        .sync1(
            Method::POST,
            "/api/v1/eventHooks/{hook}/lifecycle/activate",
            MANAGE,
            |st: &mut State, ctx: &Ctx, id: &str| set_status(st, ctx, id, true),
        )
        .sync1(
            Method::POST,
            "/api/v1/eventHooks/{hook}/lifecycle/deactivate",
            MANAGE,
            |st: &mut State, ctx: &Ctx, id: &str| set_status(st, ctx, id, false),
        )
        .handler(Method::POST, "/api/v1/eventHooks/{hook}/lifecycle/verify", MANAGE, verify_hook)
}

fn hook_not_found(id: &str) -> ApiError {
    // Okta names the type of an event hook `Webhook` in its 404s.
    ApiError::not_found(id, "Webhook")
}

fn find<'a>(st: &'a State, id: &str) -> Result<&'a EventHook, ApiError> {
    st.event_hook(id).ok_or_else(|| hook_not_found(id))
}

/// Keys as 2026 responses order them: `id, status, verificationStatus, name, description,
/// created, createdBy, lastUpdated, events{type, items, filter}, channel{type, version,
/// config{uri, headers, method, authScheme{type, key}}}, _links`.
fn render_hook(h: &EventHook, origin: &str) -> J {
    let base = format!("{origin}/api/v1/eventHooks/{}", h.id);
    let post = |href: String, method: &str| {
        J::obj([("href", J::s(href)), ("hints", J::obj([("allow", J::Arr(vec![J::s(method)]))]))])
    };
    let mut config = J::obj([
        ("uri", J::s(h.uri.clone())),
        (
            "headers",
            J::Arr(
                h.headers.iter().map(|(k, v)| J::obj([("key", J::s(k.clone())), ("value", J::s(v.clone()))])).collect(),
            ),
        ),
        ("method", J::s("POST")),
    ]);
    if let Some(a) = &h.auth {
        // Never the value.
        config.push("authScheme", J::obj([("type", J::s(a.kind.clone())), ("key", J::s(a.key.clone()))]));
    }
    let links = if h.status == "ACTIVE" {
        J::obj([
            ("self", J::obj([("href", J::s(base.clone()))])),
            ("verify", post(format!("{base}/lifecycle/verify"), "POST")),
            ("deactivate", post(format!("{base}/lifecycle/deactivate"), "POST")),
        ])
    } else {
        J::obj([
            ("activate", post(format!("{base}/lifecycle/activate"), "POST")),
            ("self", J::obj([("href", J::s(base.clone()))])),
            ("delete", post(base.clone(), "DELETE")),
        ])
    };
    J::obj([
        ("id", J::s(h.id.clone())),
        ("status", J::s(h.status.clone())),
        ("verificationStatus", J::s(h.verification_status.clone())),
        ("name", J::s(h.name.clone())),
        ("description", J::opt_s(h.description.clone())),
        ("created", J::s(iso(h.created))),
        ("createdBy", J::s(h.created_by.clone())),
        ("lastUpdated", J::s(iso(h.last_updated))),
        (
            "events",
            J::obj([
                ("type", J::s(h.events_type.clone())),
                ("items", J::Arr(h.items.iter().map(|i| J::s(i.clone())).collect())),
                ("filter", h.filter.clone()),
            ]),
        ),
        ("channel", J::obj([("type", J::s("HTTP")), ("version", J::s(h.version.clone())), ("config", config)])),
        ("_links", links),
    ])
}

fn invalid(field: &str, msg: &str) -> ApiError {
    ApiError::validation(field, [format!("{field}: {msg}")])
}

/// `events.filter` as echoed: each condition gets `version: null` first, as Okta returns it.
fn normalise_filter(filter: Option<&J>) -> Result<J, ApiError> {
    let Some(f @ J::Obj(_)) = filter else {
        return match filter {
            None | Some(J::Null) => Ok(J::Null),
            _ => Err(invalid("events.filter", "must be an object")),
        };
    };
    if f.get("type").and_then(J::as_str) != Some("EXPRESSION_LANGUAGE") {
        return Err(invalid("events.filter.type", "must be EXPRESSION_LANGUAGE"));
    }
    let Some(J::Arr(map)) = f.get("eventFilterMap") else {
        return Err(invalid("events.filter.eventFilterMap", "The field cannot be left blank"));
    };
    let mut entries = Vec::new();
    for m in map {
        let event = m
            .get("event")
            .and_then(J::as_str)
            .ok_or_else(|| invalid("events.filter.eventFilterMap.event", "The field cannot be left blank"))?;
        let expression = m
            .get("condition")
            .and_then(|c| c.get("expression"))
            .and_then(J::as_str)
            .ok_or_else(|| invalid("events.filter.eventFilterMap.condition", "The field cannot be left blank"))?;
        entries.push(J::obj([
            ("event", J::s(event)),
            ("condition", J::obj([("version", J::Null), ("expression", J::s(expression))])),
        ]));
    }
    Ok(J::obj([("type", J::s("EXPRESSION_LANGUAGE")), ("eventFilterMap", J::Arr(entries))]))
}

/// A hook from a create or replace body (id, status and timestamps are the caller's).
fn parse_hook(body: &J) -> Result<EventHook, ApiError> {
    let name = body.get("name").and_then(J::as_str).unwrap_or("").trim().to_string();
    if name.is_empty() {
        return Err(invalid("name", "The field cannot be left blank"));
    }
    let events = body.get("events").ok_or_else(|| invalid("events", "The field cannot be left blank"))?;
    let events_type = events.get("type").and_then(J::as_str).unwrap_or("EVENT_TYPE").to_string();
    if events_type != "EVENT_TYPE" {
        return Err(invalid("events.type", "must be EVENT_TYPE"));
    }
    let items: Vec<String> = match events.get("items") {
        Some(J::Arr(items)) => items.iter().filter_map(J::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    if items.is_empty() || items.iter().any(|i| !i.contains('.')) {
        return Err(invalid("events.items", "At least one valid event type is required"));
    }
    let channel = body.get("channel").ok_or_else(|| invalid("channel", "The field cannot be left blank"))?;
    if channel.get("type").and_then(J::as_str).unwrap_or("HTTP") != "HTTP" {
        return Err(invalid("channel.type", "must be HTTP"));
    }
    let version = channel.get("version").and_then(J::as_str).unwrap_or("1.0.0").to_string();
    if version != "1.0.0" {
        return Err(invalid("channel.version", "Currently the only supported version is 1.0.0"));
    }
    let config = channel.get("config").ok_or_else(|| invalid("channel.config", "The field cannot be left blank"))?;
    let uri = config.get("uri").and_then(J::as_str).unwrap_or("").to_string();
    let https = uri.starts_with("https://") && uri.len() > "https://".len();
    if !https && outbound::callable(&uri).is_err() {
        return Err(invalid("channel.config.uri", "Your external service must use a valid HTTPS endpoint"));
    }
    let headers = match config.get("headers") {
        Some(J::Arr(hs)) => hs
            .iter()
            .filter_map(|h| Some((h.get("key")?.as_str()?.to_string(), h.get("value")?.as_str()?.to_string())))
            .collect(),
        _ => Vec::new(),
    };
    let auth = match config.get("authScheme") {
        None | Some(J::Null) => None,
        Some(a) => {
            let kind = a.get("type").and_then(J::as_str).unwrap_or("HEADER").to_string();
            if kind != "HEADER" {
                return Err(invalid("channel.config.authScheme.type", "Currently only HEADER is supported"));
            }
            let key = a.get("key").and_then(J::as_str).unwrap_or("").to_string();
            let value = a.get("value").and_then(J::as_str).unwrap_or("").to_string();
            if key.is_empty() || value.is_empty() {
                return Err(invalid("channel.config.authScheme", "key and value are required"));
            }
            Some(AuthScheme { kind, key, value })
        }
    };
    Ok(EventHook {
        id: String::new(),
        status: "ACTIVE".into(),
        verification_status: "UNVERIFIED".into(),
        name,
        description: body.get("description").and_then(J::as_str).map(str::to_string),
        created: 0,
        created_by: String::new(),
        last_updated: 0,
        events_type,
        items,
        filter: normalise_filter(events.get("filter"))?,
        version,
        uri,
        headers,
        auth,
    })
}

/// `GET /api/v1/eventHooks` (not paged, no Link).
pub fn list_hooks(st: &mut State, ctx: &Ctx) -> HResult {
    Ok(Reply::ok(J::Arr(st.event_hooks().values().map(|h| render_hook(h, &ctx.origin)).collect())))
}

/// `GET /api/v1/eventHooks/{id}`.
pub fn get_hook(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    Ok(Reply::ok(render_hook(find(st, id)?, &ctx.origin)))
}

/// `POST /api/v1/eventHooks` → 200, ACTIVE and UNVERIFIED.
pub fn create_hook(st: &mut State, ctx: &Ctx) -> HResult {
    let hook = parse_hook(&ctx.json_ordered()?)?;
    let id = st.create_event_hook(&ctx.audit(), hook);
    get_hook(st, ctx, &id)
}

/// `PUT /api/v1/eventHooks/{id}` → 200, UNVERIFIED again.
pub fn replace_hook(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    find(st, id)?;
    let mut hook = parse_hook(&ctx.json_ordered()?)?;
    hook.id = id.to_string();
    st.replace_event_hook(&ctx.audit(), hook);
    get_hook(st, ctx, id)
}

/// `POST /api/v1/eventHooks/{id}/lifecycle/activate|deactivate` → 200 hook.
pub fn set_status(st: &mut State, ctx: &Ctx, id: &str, active: bool) -> HResult {
    let h = find(st, id)?;
    if (h.status == "ACTIVE") != active {
        st.set_event_hook_status(&ctx.audit(), id, active);
    }
    get_hook(st, ctx, id)
}

/// `DELETE /api/v1/eventHooks/{id}` → 204, INACTIVE hooks only.
pub fn delete_hook(st: &mut State, ctx: &Ctx, id: &str) -> HResult {
    if find(st, id)?.status != "INACTIVE" {
        return Err(ApiError::access_denied());
    }
    st.delete_event_hook(&ctx.audit(), id);
    Ok(Reply::NoContent)
}

/// `POST /api/v1/eventHooks/{id}/lifecycle/verify`: calls the endpoint (without holding the
/// org), then → 200 VERIFIED hook, or 400 E0000001.
pub async fn verify_hook(AxState(org): AxState<Org>, path: Result<Path<String>, PathRejection>, ctx: Ctx) -> HResult {
    let Ok(Path(id)) = path else { return Err(ApiError::path_not_found()) };
    let (endpoint, name) = org
        .with(|st| find(st, &id).map(|h| (hook_endpoint(h), h.name.clone())))
        .unwrap_or_else(|| Err(ApiError::for_status(503)))?;
    if outbound::verify(&endpoint, org.hook_timeout()).await.is_err() {
        return Err(ApiError::validation(
            "eventHook",
            [format!("Unable to verify event hook. Hook {name} execution failed")],
        ));
    }
    org.with(|st| {
        find(st, &id)?;
        st.verify_event_hook(&ctx.audit(), &id);
        get_hook(st, &ctx, &id)
    })
    .unwrap_or_else(|| Err(ApiError::for_status(503)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(uri: &str) -> J {
        J::parse(&format!(
            r#"{{"name":"H","status":"INACTIVE","events":{{"type":"EVENT_TYPE","items":["user.lifecycle.create"],"filter":{{"type":"EXPRESSION_LANGUAGE","eventFilterMap":[{{"event":"user.lifecycle.create","condition":{{"expression":"event.eventType eq 'x'"}}}}]}}}},"channel":{{"type":"HTTP","version":"1.0.0","config":{{"uri":"{uri}","authScheme":{{"type":"HEADER","key":"Authorization","value":"s3cret"}}}}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn parse_and_render() {
        let mut h = parse_hook(&body("https://hooks.example.com/x")).unwrap();
        assert_eq!((h.status.as_str(), h.verification_status.as_str()), ("ACTIVE", "UNVERIFIED"));
        assert_eq!(
            h.filter.to_value()["eventFilterMap"][0]["condition"],
            serde_json::json!({"version": null, "expression": "event.eventType eq 'x'"})
        );
        h.id = "who1".into();
        let text = String::from_utf8(render_hook(&h, "https://o").to_vec()).unwrap();
        assert!(!text.contains("s3cret"));
        assert!(format!("{:?}", h.auth).contains("[redacted]") && !format!("{:?}", h.auth).contains("s3cret"));
        assert!(parse_hook(&body("http://127.0.0.1:9/x")).is_ok());
        for bad in ["http://hooks.example.com/x", "https://", "ftp://x"] {
            assert_eq!(parse_hook(&body(bad)).unwrap_err().code, "E0000001", "{bad}");
        }
        let no_items =
            J::parse(r#"{"name":"H","events":{"items":[]},"channel":{"config":{"uri":"https://h.example.com"}}}"#)
                .unwrap();
        assert!(parse_hook(&no_items).is_err());
    }
}
