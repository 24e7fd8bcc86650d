//! Exact requests of every Groups action, through the built component: each test scripts the
//! requests `wit/groups.wit` promises and Okta's answers, and runs the same input through the
//! typed export and through `invoke`.

use crate::support::common::*;
use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};

const GID: &str = "00g1emaKYZTWRYYRRTSK";
const UID: &str = "00ub0oNGTSWTBKOLGLNR";

fn group(name: &str, description: Option<&str>) -> Value {
    json!({
        "id": GID,
        "created": "2026-01-05T10:00:00.000Z",
        "lastUpdated": "2026-01-05T10:00:00.000Z",
        "lastMembershipUpdated": "2026-01-05T10:00:00.000Z",
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": { "name": name, "description": description },
        "_links": { "users": { "href": format!("{ORIGIN}/api/v1/groups/{GID}/users") } }
    })
}

#[tokio::test]
pub(crate) async fn create_sends_the_profile() -> Result<()> {
    let created = group("Engineering", Some("Builds things"));
    let script = vec![(
        req_json(
            "POST",
            "/api/v1/groups",
            json!({ "profile": { "name": "Engineering", "description": "Builds things" } }),
        ),
        CannedResponse::json(200, created.clone()),
    )];
    let out =
        both_ok(script, "groups.create", json!({ "name": "Engineering", "description": "Builds things" })).await?;
    assert_eq!(out, created);

    let script = vec![(
        req_json("POST", "/api/v1/groups", json!({ "profile": { "name": "Ops" } })),
        CannedResponse::json(200, group("Ops", None)),
    )];
    both_ok(script, "groups.create", json!({ "name": " Ops ", "description": "" })).await?;
    Ok(())
}

#[tokio::test]
pub(crate) async fn get_and_delete() -> Result<()> {
    let g = group("Engineering", None);
    let out = both_ok(
        vec![(req("GET", &format!("/api/v1/groups/{GID}")), CannedResponse::json(200, g.clone()))],
        "groups.get",
        json!({ "group_id": GID }),
    )
    .await?;
    assert_eq!(out, g);
    let out = both_ok(
        vec![(req("DELETE", &format!("/api/v1/groups/{GID}")), CannedResponse::empty(204))],
        "groups.delete",
        json!({ "group_id": GID }),
    )
    .await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
pub(crate) async fn update_reads_then_replaces_keeping_other_attributes() -> Result<()> {
    let mut current = group("Engineering", Some("Builds things"));
    current["profile"]["costCenter"] = json!("7");
    let updated = group("Engineering", Some("Ships things"));
    let script = vec![
        (req("GET", &format!("/api/v1/groups/{GID}")), CannedResponse::json(200, current)),
        (
            req_json(
                "PUT",
                &format!("/api/v1/groups/{GID}"),
                json!({ "profile": { "name": "Engineering", "description": "Ships things", "costCenter": "7" } }),
            ),
            CannedResponse::json(200, updated.clone()),
        ),
    ];
    let out = both_ok(script, "groups.update", json!({ "group_id": GID, "description": "Ships things" })).await?;
    assert_eq!(out, updated);

    // Nothing to change: refused, nothing sent.
    let e = both_fail(vec![], "groups.update", json!({ "group_id": GID })).await?;
    assert_eq!(invalid_field(&e), "input");
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_with_every_option_and_a_next_cursor() -> Result<()> {
    let page = json!([group("Engineering", None)]);
    let script = vec![(
        req("GET", "/api/v1/groups")
            .query_pair("search", "profile.name sw \"Eng\"")
            .query_pair("filter", "type eq \"OKTA_GROUP\"")
            .query_pair("q", "En")
            .query_pair("after", "00g0")
            .query_pair("limit", "50")
            .query_pair("sortBy", "profile.name")
            .query_pair("sortOrder", "desc")
            .query_pair("expand", "stats"),
        CannedResponse::json(200, page.clone())
            .link_next(&format!("{ORIGIN}/api/v1/groups?after={GID}&limit=50&search=x")),
    )];
    let input = json!({
        "search": "profile.name sw \"Eng\"", "filter": "type eq \"OKTA_GROUP\"", "q": "En", "after": "00g0",
        "limit": 50, "sort_by": "profile.name", "sort_order": "DESC",
        "extra_parameters": [{ "key": "expand", "value": "stats" }]
    });
    let out = both_ok(script, "groups.list", input).await?;
    assert_eq!(out, json!({ "items": page, "next_cursor": GID }));

    // Defaults: limit 200, one page.
    let script = vec![(req("GET", "/api/v1/groups?limit=200"), CannedResponse::json(200, json!([])))];
    assert_eq!(both_ok(script, "groups.list", json!({})).await?, json!({ "items": [], "next_cursor": null }));
    Ok(())
}

#[tokio::test]
async fn list_fetch_all_follows_next_links() -> Result<()> {
    let a = group("A", None);
    let b = group("B", None);
    let script = vec![
        (
            req("GET", "/api/v1/groups?limit=1"),
            CannedResponse::json(200, json!([a])).link_next(&format!("{ORIGIN}/api/v1/groups?after=00ga&limit=1")),
        ),
        (req("GET", "/api/v1/groups?after=00ga&limit=1"), CannedResponse::json(200, json!([b]))),
    ];
    let out = both_ok(script, "groups.list", json!({ "fetch_all": true, "limit": 1 })).await?;
    assert_eq!(out, json!({ "items": [a, b], "next_cursor": null }));
    Ok(())
}

#[tokio::test]
async fn list_refuses_bad_inputs_before_sending() -> Result<()> {
    for (input, field) in [
        (json!({ "limit": 0 }), "limit"),
        (json!({ "limit": 10001 }), "limit"),
        (json!({ "extra_parameters": [{ "key": "limit", "value": "5" }] }), "extra_parameters[0].key"),
    ] {
        let e = both_fail(vec![], "groups.list", input.clone()).await?;
        assert_eq!(invalid_field(&e), field, "{input}");
    }
    // A value outside a closed set exists only in JSON: the typed door's enum cannot hold it.
    let e = invoke_fails("groups.list", json!({ "sort_order": "sideways" })).await?;
    assert_eq!(invalid_field(&e), "sort_order");
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_members_pages() -> Result<()> {
    let users = json!([{ "id": UID, "status": "ACTIVE", "profile": { "login": "a@example.com" } }]);
    let script = vec![(
        req("GET", &format!("/api/v1/groups/{GID}/users?limit=200")),
        CannedResponse::json(200, users.clone())
            .link_next(&format!("{ORIGIN}/api/v1/groups/{GID}/users?after={UID}&limit=200")),
    )];
    let out = both_ok(script, "groups.list-members", json!({ "group_id": GID })).await?;
    assert_eq!(out, json!({ "items": users, "next_cursor": UID }));

    let script = vec![(
        req("GET", &format!("/api/v1/groups/{GID}/users?after={UID}&limit=1000")),
        CannedResponse::json(200, json!([])),
    )];
    both_ok(script, "groups.list-members", json!({ "group_id": GID, "after": UID, "limit": 1000, "fetch_all": true }))
        .await?;
    Ok(())
}

#[tokio::test]
pub(crate) async fn membership_add_and_remove() -> Result<()> {
    let path = format!("/api/v1/groups/{GID}/users/{UID}");
    let add = vec![(req("PUT", &path), CannedResponse::empty(204))];
    assert_eq!(both_ok(add, "groups.add-user", json!({ "group_id": GID, "user_id": UID })).await?, json!({}));
    let remove = vec![(req("DELETE", &path), CannedResponse::empty(204))];
    assert_eq!(both_ok(remove, "groups.remove-user", json!({ "group_id": GID, "user_id": UID })).await?, json!({}));

    // Okta's answer for a group that cannot be changed is passed on, typed.
    let refused = vec![(
        req("PUT", &path),
        CannedResponse::okta_error(403, "E0000006", "You do not have permission to perform the requested action"),
    )];
    let e = both_fail(refused, "groups.add-user", json!({ "group_id": GID, "user_id": UID })).await?;
    assert_eq!(error_kind(&e), "forbidden");
    Ok(())
}

#[tokio::test]
async fn ids_cannot_change_the_path() -> Result<()> {
    let script =
        vec![(req("GET", "/api/v1/groups/..%2Fusers"), CannedResponse::okta_error(404, "E0000007", "Not found"))];
    let e = both_fail(script, "groups.get", json!({ "group_id": "../users" })).await?;
    assert_eq!(error_kind(&e), "not-found");
    let e = both_fail(vec![], "groups.get", json!({ "group_id": "x".repeat(5000) })).await?;
    assert_eq!(invalid_field(&e), "group_id");
    Ok(())
}
