//! Exact requests of every Event Hooks action, through the built component, both doors.

use crate::support::common::*;
use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};

const HID: &str = "whoxBderZ2hFMR9ol0g4";
const URL: &str = "https://hooks.example.com/okta";

fn hook(status: &str, verification: &str) -> Value {
    json!({
        "id": HID, "status": status, "verificationStatus": verification, "name": "Audit",
        "description": null, "created": "2026-01-05T10:00:00.000Z", "lastUpdated": "2026-01-05T10:00:00.000Z",
        "events": { "type": "EVENT_TYPE", "items": ["user.lifecycle.create"], "filter": null },
        "channel": { "type": "HTTP", "version": "1.0.0", "config": { "uri": URL, "headers": [], "authScheme": { "type": "HEADER", "key": "Authorization" } } }
    })
}

fn path(suffix: &str) -> String {
    format!("/api/v1/eventHooks/{HID}{suffix}")
}

#[tokio::test]
pub(crate) async fn create_then_verify() -> Result<()> {
    let body = json!({
        "name": "Audit",
        "events": { "type": "EVENT_TYPE", "items": ["user.lifecycle.create", "user.lifecycle.deactivate"] },
        "channel": { "type": "HTTP", "version": "1.0.0", "config": {
            "uri": URL,
            "headers": [{ "key": "X-Source", "value": "okta" }],
            "authScheme": { "type": "HEADER", "key": "X-Hook-Secret", "value": "shared-secret-0123" }
        }},
        "description": "SIEM feed"
    });
    let verified = hook("ACTIVE", "VERIFIED");
    let script = vec![
        (req_json("POST", "/api/v1/eventHooks", body), CannedResponse::json(200, hook("ACTIVE", "UNVERIFIED"))),
        (req("POST", &path("/lifecycle/verify")), CannedResponse::json(200, verified.clone())),
    ];
    let input = json!({
        "name": "Audit", "url": URL, "items": ["user.lifecycle.create"],
        "dynamic_items": ["user.lifecycle.deactivate", "user.lifecycle.create"],
        "headers": [{ "key": "X-Source", "value": "okta" }], "description": "SIEM feed",
        "auth_header_key": "X-Hook-Secret", "auth_header_value": "shared-secret-0123"
    });
    assert_eq!(both_ok(script, "event-hooks.create", input).await?, verified);
    Ok(())
}

#[tokio::test]
async fn create_without_activating() -> Result<()> {
    let body = json!({
        "name": "Audit",
        "events": { "type": "EVENT_TYPE", "items": ["user.lifecycle.create"], "filter": {
            "type": "EXPRESSION_LANGUAGE",
            "eventFilterMap": [{ "event": "user.lifecycle.create", "condition": { "expression": "event.target.?[type eq 'User'].size()>0" } }]
        }},
        "channel": { "type": "HTTP", "version": "1.0.0", "config": { "uri": URL } }
    });
    let inactive = hook("INACTIVE", "UNVERIFIED");
    let script = vec![
        (req_json("POST", "/api/v1/eventHooks", body), CannedResponse::json(200, hook("ACTIVE", "UNVERIFIED"))),
        (req("POST", &path("/lifecycle/deactivate")), CannedResponse::json(200, inactive.clone())),
    ];
    let input = json!({
        "name": "Audit", "url": URL, "do_not_activate": true, "items": ["user.lifecycle.create"],
        "filters": [{ "event": "user.lifecycle.create", "condition": "event.target.?[type eq 'User'].size()>0" }]
    });
    assert_eq!(both_ok(script, "event-hooks.create", input).await?, inactive);
    Ok(())
}

#[tokio::test]
async fn a_failed_verification_says_the_hook_exists() -> Result<()> {
    let script = vec![
        (
            req_json(
                "POST",
                "/api/v1/eventHooks",
                json!({ "name": "Audit", "events": { "type": "EVENT_TYPE", "items": ["user.lifecycle.create"] },
                        "channel": { "type": "HTTP", "version": "1.0.0", "config": { "uri": URL } } }),
            ),
            CannedResponse::json(200, hook("ACTIVE", "UNVERIFIED")),
        ),
        (
            req("POST", &path("/lifecycle/verify")),
            CannedResponse::okta_error(400, "E0000001", "Api validation failed: eventHook"),
        ),
    ];
    let e = both_fail(
        script,
        "event-hooks.create",
        json!({ "name": "Audit", "url": URL, "items": ["user.lifecycle.create"] }),
    )
    .await?;
    let shown = error_json(&e);
    assert_eq!(shown["kind"], "rejected");
    assert!(shown["causes"].to_string().contains(HID), "{shown}");
    Ok(())
}

#[tokio::test]
async fn bad_create_inputs_send_nothing() -> Result<()> {
    for (input, field) in [
        (json!({ "name": "A", "url": "not a url", "items": ["user.lifecycle.create"] }), "url"),
        (json!({ "name": "A", "url": URL }), "items"),
        (
            json!({ "name": "A", "url": URL, "items": ["x"], "headers": [{ "key": "X-A", "value": "a\r\nInjected: 1" }] }),
            "headers[0].value",
        ),
        (
            json!({ "name": "A", "url": URL, "items": ["x"], "auth_header_key": "Bad:Key", "auth_header_value": "s3cret-value" }),
            "auth_header_key",
        ),
        (json!({ "name": " ", "url": URL, "items": ["x"] }), "name"),
    ] {
        let e = both_fail(vec![], "event-hooks.create", input.clone()).await?;
        assert_eq!(invalid_field(&e), field, "{input}");
    }
    Ok(())
}

#[tokio::test]
pub(crate) async fn get_list_and_lifecycle() -> Result<()> {
    let h = hook("ACTIVE", "VERIFIED");
    let script = vec![(req("GET", &path("")), CannedResponse::json(200, h.clone()))];
    assert_eq!(both_ok(script, "event-hooks.get", json!({ "event_hook_id": HID })).await?, h);
    let script = vec![(req("GET", "/api/v1/eventHooks"), CannedResponse::json(200, json!([h])))];
    assert_eq!(both_ok(script, "event-hooks.list", json!({})).await?, json!([h]));
    for (action, op) in [
        ("event-hooks.activate", "activate"),
        ("event-hooks.deactivate", "deactivate"),
        ("event-hooks.verify", "verify"),
    ] {
        let script = vec![(req("POST", &path(&format!("/lifecycle/{op}"))), CannedResponse::json(200, h.clone()))];
        assert_eq!(both_ok(script, action, json!({ "event_hook_id": HID })).await?, h);
    }
    Ok(())
}

#[tokio::test]
pub(crate) async fn delete_deactivates_first_only_when_active() -> Result<()> {
    let script = vec![
        (req("GET", &path("")), CannedResponse::json(200, hook("ACTIVE", "VERIFIED"))),
        (req("POST", &path("/lifecycle/deactivate")), CannedResponse::json(200, hook("INACTIVE", "VERIFIED"))),
        (req("DELETE", &path("")), CannedResponse::empty(204)),
    ];
    assert_eq!(both_ok(script, "event-hooks.delete", json!({ "event_hook_id": HID })).await?, json!({}));
    let script = vec![
        (req("GET", &path("")), CannedResponse::json(200, hook("INACTIVE", "VERIFIED"))),
        (req("DELETE", &path("")), CannedResponse::empty(204)),
    ];
    both_ok(script, "event-hooks.delete", json!({ "event_hook_id": HID })).await?;
    Ok(())
}

#[tokio::test]
pub(crate) async fn delete_all_by_url_and_all() -> Result<()> {
    let other = "https://other.example.com/h";
    let list = json!([
        { "id": "who1", "status": "ACTIVE", "channel": { "config": { "uri": URL } } },
        { "id": "who2", "status": "ACTIVE", "channel": { "config": { "uri": other } } },
        { "id": "who3", "status": "INACTIVE", "channel": { "config": { "uri": URL } } }
    ]);
    let script = vec![
        (req("GET", "/api/v1/eventHooks"), CannedResponse::json(200, list.clone())),
        (req("POST", "/api/v1/eventHooks/who1/lifecycle/deactivate"), CannedResponse::json(200, json!({}))),
        (req("DELETE", "/api/v1/eventHooks/who1"), CannedResponse::empty(204)),
        (req("DELETE", "/api/v1/eventHooks/who3"), CannedResponse::empty(204)),
    ];
    assert_eq!(
        both_ok(script, "event-hooks.delete-all", json!({ "url": URL })).await?,
        json!({ "deleted": ["who1", "who3"] })
    );

    let script = vec![
        (req("GET", "/api/v1/eventHooks"), CannedResponse::json(200, list)),
        (req("POST", "/api/v1/eventHooks/who1/lifecycle/deactivate"), CannedResponse::json(200, json!({}))),
        (req("DELETE", "/api/v1/eventHooks/who1"), CannedResponse::empty(204)),
        (req("POST", "/api/v1/eventHooks/who2/lifecycle/deactivate"), CannedResponse::json(200, json!({}))),
        (
            req("DELETE", "/api/v1/eventHooks/who2"),
            CannedResponse::okta_error(500, "E0000009", "Internal Server Error"),
        ),
        (req("DELETE", "/api/v1/eventHooks/who2"), CannedResponse::empty(204)),
        (req("DELETE", "/api/v1/eventHooks/who3"), CannedResponse::empty(204)),
    ];
    let out = both_ok(script, "event-hooks.delete-all", json!({})).await?;
    assert_eq!(out, json!({ "deleted": ["who1", "who2", "who3"] }), "a 500 on a DELETE is retried");

    // A failure stops the run and says what was already deleted.
    let script = vec![
        (
            req("GET", "/api/v1/eventHooks"),
            CannedResponse::json(
                200,
                json!([
                    { "id": "who3", "status": "INACTIVE", "channel": { "config": { "uri": URL } } },
                    { "id": "who4", "status": "INACTIVE", "channel": { "config": { "uri": URL } } },
                    { "id": "who5", "status": "INACTIVE", "channel": { "config": { "uri": URL } } }
                ]),
            ),
        ),
        (req("DELETE", "/api/v1/eventHooks/who3"), CannedResponse::empty(204)),
        (
            req("DELETE", "/api/v1/eventHooks/who4"),
            CannedResponse::okta_error(403, "E0000006", "You do not have permission"),
        ),
    ];
    let e = both_fail(script, "event-hooks.delete-all", json!({ "url": URL })).await?;
    let causes = error_json(&e)["causes"].to_string();
    assert!(causes.contains("who4") && causes.contains("deleted before it: who3"), "{causes}");
    Ok(())
}
