//! Exact requests of every Applications action, through the built component, both doors.

use crate::support::common::*;
use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};

const AID: &str = "0oa1gjh63g214q0Hq0g4";
const UID: &str = "00ub0oNGTSWTBKOLGLNR";

fn app(label: &str) -> Value {
    json!({ "id": AID, "name": "bookmark", "label": label, "status": "ACTIVE", "signOnMode": "BOOKMARK" })
}

fn app_user(user_name: Option<&str>) -> Value {
    json!({
        "id": UID, "externalId": null, "created": "2026-01-05T10:00:00.000Z", "lastUpdated": "2026-01-05T10:00:00.000Z",
        "scope": "USER", "status": "PROVISIONED", "statusChanged": "2026-01-05T10:00:00.000Z", "passwordChanged": null,
        "syncState": "DISABLED", "credentials": user_name.map(|u| json!({ "userName": u })), "profile": {},
        "_links": { "app": { "href": format!("{ORIGIN}/api/v1/apps/{AID}") }, "user": { "href": format!("{ORIGIN}/api/v1/users/{UID}") } }
    })
}

#[tokio::test]
pub(crate) async fn get_with_and_without_expand() -> Result<()> {
    let a = app("Wiki");
    let script = vec![(req("GET", &format!("/api/v1/apps/{AID}")), CannedResponse::json(200, a.clone()))];
    assert_eq!(both_ok(script, "apps.get", json!({ "app_id": AID })).await?, a);
    let script = vec![(
        req("GET", &format!("/api/v1/apps/{AID}")).query_pair("expand", &format!("user/{UID}")),
        CannedResponse::json(200, a.clone()),
    )];
    both_ok(script, "apps.get", json!({ "app_id": AID, "expand": format!("user/{UID}") })).await?;
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_sends_every_option_and_explicit_defaults() -> Result<()> {
    let items = json!([app("Wiki")]);
    let script = vec![(
        req("GET", "/api/v1/apps?limit=200&useOptimization=false&includeNonDeleted=false"),
        CannedResponse::json(200, items.clone()),
    )];
    assert_eq!(both_ok(script, "apps.list", json!({})).await?, json!({ "items": items, "next_cursor": null }));

    let filter = format!("user.id eq \"{UID}\"");
    let script = vec![(
        req("GET", "/api/v1/apps")
            .query_pair("q", "Wi")
            .query_pair("after", "0oa0")
            .query_pair("limit", "20")
            .query_pair("useOptimization", "true")
            .query_pair("filter", &filter)
            .query_pair("expand", &format!("user/{UID}"))
            .query_pair("includeNonDeleted", "true"),
        CannedResponse::json(200, items.clone()).link_next(&format!("{ORIGIN}/api/v1/apps?after={AID}&limit=20")),
    )];
    let input = json!({
        "q": "Wi", "after": "0oa0", "limit": 20, "use_optimization": true, "filter": filter,
        "expand": format!("user/{UID}"), "include_non_deleted": true
    });
    assert_eq!(both_ok(script, "apps.list", input).await?, json!({ "items": items, "next_cursor": AID }));

    let e = both_fail(vec![], "apps.list", json!({ "limit": 201 })).await?;
    assert_eq!(invalid_field(&e), "limit");
    let e = both_fail(vec![], "apps.list", json!({ "expand": "user/00u1" })).await?;
    assert_eq!(invalid_field(&e), "expand");
    Ok(())
}

#[tokio::test]
pub(crate) async fn assign_user_with_credentials_scope_and_profile() -> Result<()> {
    let assigned = app_user(Some("ada"));
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/apps/{AID}/users"),
            json!({
                "id": UID, "scope": "USER",
                "credentials": { "userName": "ada", "password": { "value": "Wiki-Passw0rd" } },
                "profile": { "role": "editor" }
            }),
        ),
        CannedResponse::json(200, assigned.clone()),
    )];
    let input = json!({
        "app_id": AID, "user_id": UID, "username": "ada", "password": "Wiki-Passw0rd", "scope": "USER",
        "profile": { "role": "editor" }
    });
    assert_eq!(both_ok(script, "apps.assign-user", input).await?, assigned);

    // The smallest assignment: just the user.
    let script = vec![(
        req_json("POST", &format!("/api/v1/apps/{AID}/users"), json!({ "id": UID })),
        CannedResponse::json(200, app_user(None)),
    )];
    both_ok(script, "apps.assign-user", json!({ "app_id": AID, "user_id": UID })).await?;
    Ok(())
}

#[tokio::test]
async fn okta_refusals_never_echo_the_password() -> Result<()> {
    // A server that echoes the request back in its error: the password must not come through.
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/apps/{AID}/users"),
            json!({ "id": UID, "credentials": { "password": { "value": "Echoed-Passw0rd" } } }),
        ),
        CannedResponse::json(
            400,
            json!({
                "errorCode": "E0000041",
                "errorSummary": "Credentials should not be set on this resource based on the scheme: Echoed-Passw0rd",
                "errorLink": "E0000041", "errorId": "oaeEchoed-Passw0rd",
                "errorCauses": [{ "errorSummary": "password Echoed-Passw0rd" }]
            }),
        ),
    )];
    let input = json!({ "app_id": AID, "user_id": UID, "password": "Echoed-Passw0rd" });
    let e = both_fail(script, "apps.assign-user", input).await?;
    assert_eq!(error_kind(&e), "rejected");
    let shown = error_json(&e).to_string();
    assert!(!shown.contains("Echoed-Passw0rd"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    Ok(())
}

#[tokio::test]
pub(crate) async fn get_update_and_remove_an_assignment() -> Result<()> {
    let path = format!("/api/v1/apps/{AID}/users/{UID}");
    let a = app_user(Some("ada"));
    let script = vec![(req("GET", &format!("{path}?expand=user")), CannedResponse::json(200, a.clone()))];
    assert_eq!(
        both_ok(script, "apps.get-user-assignment", json!({ "app_id": AID, "user_id": UID, "expand": "user" })).await?,
        a
    );

    let script = vec![(
        req_json("POST", &path, json!({ "profile": { "role": "admin" }, "credentials": { "userName": "ada.l" } })),
        CannedResponse::json(200, a.clone()),
    )];
    let input = json!({ "app_id": AID, "user_id": UID, "profile": { "role": "admin" }, "username": "ada.l" });
    both_ok(script, "apps.update-user-assignment", input).await?;
    let e = both_fail(vec![], "apps.update-user-assignment", json!({ "app_id": AID, "user_id": UID })).await?;
    assert_eq!(invalid_field(&e), "input");

    let script = vec![(req("DELETE", &format!("{path}?sendEmail=false")), CannedResponse::empty(204))];
    assert_eq!(
        both_ok(script, "apps.remove-user-assignment", json!({ "app_id": AID, "user_id": UID })).await?,
        json!({})
    );
    let script = vec![(req("DELETE", &format!("{path}?sendEmail=true")), CannedResponse::empty(204))];
    both_ok(script, "apps.remove-user-assignment", json!({ "app_id": AID, "user_id": UID, "send_email": true }))
        .await?;
    Ok(())
}
