//! Exact requests of List Policies, List Realms and Get System Logs, through the built
//! component, both doors: the System Log's polling stream, its 10 000-event cap and its
//! cursors included.

use crate::support::common::*;
use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};

#[tokio::test]
pub(crate) async fn policies_need_a_type_and_send_every_option() -> Result<()> {
    let e = invoke_fails("policies.list", json!({})).await?;
    assert_eq!(invalid_field(&e), "type");
    let e = invoke_fails("policies.list", json!({ "type": "SIGN_ON" })).await?;
    assert_eq!(invalid_field(&e), "type");

    let items = json!([{ "id": "00p1", "type": "PASSWORD", "name": "Default Policy" }]);
    let script =
        vec![(req("GET", "/api/v1/policies?type=PASSWORD&limit=200"), CannedResponse::json(200, items.clone()))];
    let out = both_ok(script, "policies.list", json!({ "type": "password" })).await?;
    assert_eq!(out, json!({ "items": items, "next_cursor": null }));

    let script = vec![
        (
            req("GET", "/api/v1/policies")
                .query_pair("type", "OKTA_SIGN_ON")
                .query_pair("status", "ACTIVE")
                .query_pair("q", "Def")
                .query_pair("expand", "rules")
                .query_pair("sortBy", "name")
                .query_pair("limit", "1")
                .query_pair("after", "00p0")
                .query_pair("resourceId", "aus1"),
            CannedResponse::json(200, items.clone())
                .link_next(&format!("{ORIGIN}/api/v1/policies?type=OKTA_SIGN_ON&after=00p1&limit=1")),
        ),
        (req("GET", "/api/v1/policies?type=OKTA_SIGN_ON&after=00p1&limit=1"), CannedResponse::json(200, json!([]))),
    ];
    let input = json!({
        "type": "OKTA_SIGN_ON", "status": "active", "q": "Def", "expand": "rules", "sort_by": "name", "limit": 1,
        "after": "00p0", "resource_id": "aus1", "fetch_all": true
    });
    assert_eq!(both_ok(script, "policies.list", input).await?, json!({ "items": items, "next_cursor": null }));
    Ok(())
}

#[tokio::test]
pub(crate) async fn realms_send_every_option() -> Result<()> {
    let items = json!([{ "id": "guo1", "profile": { "name": "Partners", "realmType": "PARTNER" } }]);
    let script = vec![(req("GET", "/api/v1/realms?limit=200"), CannedResponse::json(200, items.clone()))];
    assert_eq!(both_ok(script, "realms.list", json!({})).await?, json!({ "items": items, "next_cursor": null }));
    let script = vec![(
        req("GET", "/api/v1/realms")
            .query_pair("limit", "10")
            .query_pair("after", "guo0")
            .query_pair("search", "profile.name co \"art\"")
            .query_pair("sortBy", "profile.name")
            .query_pair("sortOrder", "asc"),
        CannedResponse::json(200, items.clone()).link_next(&format!("{ORIGIN}/api/v1/realms?after=guo1&limit=10")),
    )];
    let input = json!({ "limit": 10, "after": "guo0", "search": "profile.name co \"art\"", "sort_by": "profile.name", "sort_order": "asc" });
    assert_eq!(both_ok(script, "realms.list", input).await?, json!({ "items": items, "next_cursor": "guo1" }));
    Ok(())
}

fn events(from: usize, n: usize) -> Value {
    Value::Array(
        (from..from + n).map(|i| json!({ "uuid": format!("e{i}"), "eventType": "user.lifecycle.create" })).collect(),
    )
}

fn logs_url(query: &str) -> String {
    format!("{ORIGIN}/api/v1/logs?{query}")
}

#[tokio::test]
pub(crate) async fn logs_one_page_with_every_option() -> Result<()> {
    let script = vec![(
        req("GET", "/api/v1/logs")
            .query_pair("since", "2026-11-01T00:00:00.000Z")
            .query_pair("until", "2026-11-02T00:00:00.000Z")
            .query_pair("filter", "eventType eq \"user.lifecycle.create\"")
            .query_pair("q", "ada")
            .query_pair("limit", "2")
            .query_pair("sortOrder", "DESCENDING"),
        CannedResponse::json(200, events(0, 2)).link_next(&logs_url("after=1700000000000_1&limit=2")),
    )];
    let input = json!({
        "since": "2026-11-01T00:00:00.000Z", "until": "2026-11-02T00:00:00.000Z",
        "filter": "eventType eq \"user.lifecycle.create\"", "q": "ada", "limit": 2, "sort_order": "desc"
    });
    let out = both_ok(script, "system-log.get", input).await?;
    assert_eq!(out, json!({ "items": events(0, 2), "next_cursor": "1700000000000_1", "capped": false }));
    Ok(())
}

#[tokio::test]
async fn a_polling_stream_stops_at_the_first_empty_page_and_resumes_there() -> Result<()> {
    // No `until`: Okta's polling stream. Every page has a `next`; the caught-up page's next is itself.
    let script = vec![
        (
            req("GET", "/api/v1/logs?since=2026-11-01T00%3A00%3A00Z&limit=2"),
            CannedResponse::json(200, events(0, 2)).link_next(&logs_url("after=1_a&limit=2")),
        ),
        (
            req("GET", "/api/v1/logs?after=1_a&limit=2"),
            CannedResponse::json(200, events(2, 1)).link_next(&logs_url("after=2_b&limit=2")),
        ),
        (
            req("GET", "/api/v1/logs?after=2_b&limit=2"),
            CannedResponse::json(200, json!([])).link_next(&logs_url("after=2_b&limit=2")),
        ),
    ];
    let out =
        both_ok(script, "system-log.get", json!({ "fetch_all": true, "since": "2026-11-01T00:00:00Z", "limit": 2 }))
            .await?;
    assert_eq!(out, json!({ "items": events(0, 3), "next_cursor": "2_b", "capped": false }));

    // A stream whose next links keep changing but whose pages are empty still ends at once.
    let script = vec![(
        req("GET", "/api/v1/logs?after=2_b&limit=2"),
        CannedResponse::json(200, json!([])).link_next(&logs_url("after=3_c&limit=2")),
    )];
    let out = both_ok(script, "system-log.get", json!({ "fetch_all": true, "after": "2_b", "limit": 2 })).await?;
    assert_eq!(out, json!({ "items": [], "next_cursor": "3_c", "capped": false }));
    Ok(())
}

#[tokio::test]
async fn fetch_all_is_capped_at_ten_thousand_events_with_a_cursor_to_continue() -> Result<()> {
    let mut script = Vec::new();
    let mut query = "since=2026-01-01T00%3A00%3A00Z&until=2026-02-01T00%3A00%3A00Z&limit=1000".to_string();
    for page in 0..10 {
        let next = format!("after={page}_x&limit=1000");
        script.push((
            req("GET", &format!("/api/v1/logs?{query}")),
            CannedResponse::json(200, events(page * 1000, 1000)).link_next(&logs_url(&next)),
        ));
        query = next;
    }
    let input =
        json!({ "fetch_all": true, "since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z", "limit": 1000 });
    let out = both_ok(script, "system-log.get", input).await?;
    assert_eq!(out["items"].as_array().unwrap().len(), 10_000);
    assert_eq!(out["capped"], true);
    assert_eq!(out["next_cursor"], "9_x", "the next page is where the next call resumes");
    Ok(())
}

#[tokio::test]
async fn log_limits_are_checked() -> Result<()> {
    let e = both_fail(vec![], "system-log.get", json!({ "limit": 1001 })).await?;
    assert_eq!(invalid_field(&e), "limit");
    Ok(())
}
