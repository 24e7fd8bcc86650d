//! Applications and app assignments in the fake org: seeded apps of several sign-on modes,
//! listing (q, filter, expand, paging), assignment rules and errors, app users, app lifecycle,
//! and recorded-shape replays of the python application tests.

use crate::support::fake_org::replay::{self, Plan, Subst};
use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::{json, Value};

const PW: &str = "Sturdy-Passw0rd";

async fn app_by_label(org: &FakeOrg, label: &str) -> Value {
    let r = get(org, &format!("/api/v1/apps?q={}", label.replace(' ', "%20"))).await;
    r.json().as_array().unwrap().iter().find(|a| a["label"] == label).cloned().unwrap()
}

fn labels(r: &Resp) -> Vec<String> {
    r.json().as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn seeded_apps_and_listing() {
    let org = FakeOrg::seeded();
    let r = get(&org, "/api/v1/apps").await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/apps?limit=20"));
    assert!(r.link("next").is_none());
    let apps = r.json();
    let modes: Vec<(&str, &str)> = apps
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["signOnMode"].as_str().unwrap(), a["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        modes,
        [
            ("BOOKMARK", "ACTIVE"),
            ("BASIC_AUTH", "ACTIVE"),
            ("OPENID_CONNECT", "ACTIVE"),
            ("SAML_2_0", "ACTIVE"),
            ("AUTO_LOGIN", "ACTIVE"),
            ("SAML_2_0", "INACTIVE")
        ]
    );
    let a0 = r.ordered().items()[0].clone();
    assert_eq!(
        a0.keys(),
        [
            "id",
            "orn",
            "name",
            "label",
            "status",
            "lastUpdated",
            "created",
            "accessibility",
            "visibility",
            "features",
            "signOnMode",
            "credentials",
            "universalLogout",
            "settings",
            "_links"
        ]
    );
    assert!(apps[0]["id"].as_str().unwrap().starts_with("0oa"));
    assert_eq!(apps[1]["credentials"]["scheme"], "EDIT_USERNAME_AND_PASSWORD");
    assert!(apps[5]["_links"].get("activate").is_some() && apps[5]["_links"].get("deactivate").is_none());

    // paging by id with the cursor as last id; forged cursors refused
    let (ids, pages) = collect_ids(&org, "/api/v1/apps?limit=4").await;
    assert_eq!((ids.len(), pages), (6, 2));
    let p1 = get(&org, "/api/v1/apps?limit=4").await;
    assert_eq!(p1.link("next").unwrap(), format!("{ORIGIN}/api/v1/apps?after={}&limit=4", ids[3]));
    assert_error(&get(&org, "/api/v1/apps?after=00u1testcursorvalue&limit=1").await, 400, "E0000029");
    assert_eq!(get(&org, "/api/v1/apps?limit=500").await.json().as_array().unwrap().len(), 6);

    // q: prefix of name or label; ignored parameters leave the link
    let r = get(
        &org,
        "/api/v1/apps?q=team&useOptimization=true&alwaysIncludeVpnSettings=false&includeNonDeleted=false&limit=10",
    )
    .await;
    assert_eq!(labels(&r), ["Team Chat"]);
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/apps?limit=10&q=team"));
    assert_eq!(labels(&get(&org, "/api/v1/apps?q=template").await), ["Expense Tracker", "Travel Desk"]);

    // filter: one eq on id, status, name, user.id or group.id
    let r = get(&org, "/api/v1/apps?limit=10&filter=status%20eq%20%22INACTIVE%22").await;
    assert_eq!(labels(&r), ["Old Portal"]);
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/apps?limit=10&filter=status+eq+%22INACTIVE%22"));
    let everyone = get(&org, "/api/v1/groups?q=Everyone").await.json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(labels(&get(&org, &format!("/api/v1/apps?filter=group.id+eq+%22{everyone}%22")).await), ["Team Chat"]);
    for bad in ["status+eq+%22ACTIVE%22+and+name+eq+%22bookmark%22", "label+eq+%22Team+Chat%22", "status+sw+%22A%22"] {
        assert_error(&get(&org, &format!("/api/v1/apps?filter={bad}")).await, 400, "E0000031");
    }

    // expand=user/{id} only with the matching user.id filter
    let uid = create_user(&org, "", new_user("apps.expand@example.com", Some(PW))).await;
    let wiki = app_by_label(&org, "Example Wiki").await["id"].as_str().unwrap().to_string();
    call(&org, "POST", &format!("/api/v1/apps/{wiki}/users"), Some(&json!({"id": uid, "scope": "USER"}))).await;
    let r = get(&org, &format!("/api/v1/apps?filter=user.id+eq+%22{uid}%22&expand=user%2F{uid}")).await;
    assert_eq!(labels(&r), ["Example Wiki", "Team Chat"]);
    assert_eq!(r.json()[0]["_embedded"]["user"]["scope"], "USER");
    assert_eq!(r.json()[1]["_embedded"]["user"]["scope"], "GROUP");
    for bad in [
        format!("expand=user%2F{uid}"),
        "expand=user/id,group/id".to_string(),
        format!("filter=user.id+eq+%22{uid}%22&expand=user%2F00uOther"),
    ] {
        let r = get(&org, &format!("/api/v1/apps?{bad}")).await;
        assert_error(&r, 400, "E0000001");
        assert_eq!(r.json()["errorSummary"], "Api validation failed: RequestParams");
        assert_eq!(r.json()["errorCauses"][0]["errorSummary"], "Expand query is malformed.");
    }
    let r = get(&org, &format!("/api/v1/apps/{wiki}?expand=user%2F{uid}")).await;
    assert_eq!(r.json()["_embedded"]["user"]["id"], uid.as_str());
    assert_error(&get(&org, "/api/v1/apps/0oaNoSuchApp00000000").await, 404, "E0000007");
}

#[tokio::test]
async fn assignments() {
    let org = FakeOrg::seeded();
    let wiki = app_by_label(&org, "Example Wiki").await["id"].as_str().unwrap().to_string();
    let expenses = app_by_label(&org, "Expense Tracker").await["id"].as_str().unwrap().to_string();
    let uid = create_user(&org, "", new_user("assign.me@example.com", Some(PW))).await;
    let before = org.log_events().len();

    let r = call(&org, "POST", &format!("/api/v1/apps/{wiki}/users"), Some(&json!({"id": uid, "scope": "USER"}))).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.ordered().keys(),
        [
            "id",
            "externalId",
            "created",
            "lastUpdated",
            "scope",
            "status",
            "statusChanged",
            "passwordChanged",
            "syncState",
            "credentials",
            "profile",
            "_links"
        ]
    );
    let au = r.json();
    assert_eq!(au["id"], uid.as_str());
    assert_eq!(
        (au["scope"].as_str(), au["status"].as_str(), au["syncState"].as_str()),
        (Some("USER"), Some("ACTIVE"), Some("DISABLED"))
    );
    assert_eq!(au["credentials"], json!({"userName": "assign.me@example.com"}));
    assert_eq!(au["profile"], json!({}));
    assert_eq!(au["_links"]["app"]["href"], format!("{ORIGIN}/api/v1/apps/{wiki}"));
    assert_eq!(au["_links"]["user"]["href"], format!("{ORIGIN}/api/v1/users/{uid}"));

    // the assignment shows in the user's app links
    let links = get(&org, &format!("/api/v1/users/{uid}/appLinks")).await.json();
    let assigned: Vec<&str> = links.as_array().unwrap().iter().map(|l| l["label"].as_str().unwrap()).collect();
    assert_eq!(assigned, ["Example Wiki", "Team Chat"]);

    // a bookmark keeps no password; an update changes the user name
    let r = call(
        &org,
        "POST",
        &format!("/api/v1/apps/{wiki}/users/{uid}"),
        Some(&json!({"credentials": {"userName": "x", "password": {"value": "Secret-123"}}})),
    )
    .await;
    assert_error(&r, 400, "E0000041");
    assert_eq!(
        r.json()["errorCauses"][0]["errorSummary"],
        "User level credentials should not be provided for this scheme."
    );
    assert!(!String::from_utf8_lossy(&r.body).contains("Secret-123"));
    let r = call(
        &org,
        "POST",
        &format!("/api/v1/apps/{wiki}/users/{uid}"),
        Some(&json!({"credentials": {"userName": "JohnJohnJohn"}})),
    )
    .await;
    assert_eq!(r.json()["credentials"], json!({"userName": "JohnJohnJohn"}));
    // assigning again updates the assignment
    let r = call(
        &org,
        "POST",
        &format!("/api/v1/apps/{wiki}/users"),
        Some(&json!({"id": uid, "profile": {"role": "Editor"}})),
    )
    .await;
    assert_eq!((r.status, r.json()["profile"].clone()), (200, json!({"role": "Editor"})));

    // a password app keeps the password, never returns it
    let r = call(
        &org,
        "POST",
        &format!("/api/v1/apps/{expenses}/users"),
        Some(&json!({"id": uid, "scope": "USER", "credentials": {"userName": "jq", "password": {"value": "Secret-123"}}})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["credentials"], json!({"userName": "jq", "password": {}}));
    assert!(r.json()["passwordChanged"].is_string());
    assert!(!String::from_utf8_lossy(&r.body).contains("Secret-123"));

    // get with expand=user
    let r = get(&org, &format!("/api/v1/apps/{expenses}/users/{uid}?expand=user")).await;
    assert_eq!(r.ordered().keys().last().unwrap(), "_embedded");
    assert_eq!(r.ordered().get("_embedded").unwrap().get("user").unwrap().keys(), USER_KEYS);

    // errors
    assert_error(
        &call(&org, "POST", &format!("/api/v1/apps/{wiki}/users"), Some(&json!({"scope": "USER"}))).await,
        400,
        "E0000001",
    );
    assert_error(
        &call(&org, "POST", &format!("/api/v1/apps/{wiki}/users"), Some(&json!({"id": "assign.me@example.com"}))).await,
        404,
        "E0000007",
    );
    assert_error(
        &call(&org, "POST", "/api/v1/apps/0oaNoSuchApp00000000/users", Some(&json!({"id": uid}))).await,
        404,
        "E0000007",
    );
    let gone = create_user(&org, "", new_user("gone.user@example.com", Some(PW))).await;
    call(&org, "POST", &format!("/api/v1/users/{gone}/lifecycle/deactivate"), None).await;
    assert_error(
        &call(&org, "POST", &format!("/api/v1/apps/{wiki}/users"), Some(&json!({"id": gone}))).await,
        403,
        "E0000117",
    );

    // removal
    let r = call(&org, "DELETE", &format!("/api/v1/apps/{wiki}/users/{uid}?sendEmail=false"), None).await;
    assert_eq!((r.status, r.body.len()), (204, 0));
    let r = get(&org, &format!("/api/v1/apps/{wiki}/users/{uid}")).await;
    assert_error(&r, 404, "E0000007");
    assert_eq!(r.json()["errorSummary"], format!("Not found: Resource not found: {uid} (AppUser)"));
    assert_error(&call(&org, "DELETE", &format!("/api/v1/apps/{wiki}/users/{uid}"), None).await, 404, "E0000007");

    // what the log recorded: add, update, update, add, remove
    let events: Vec<Value> = org
        .log_events()
        .into_iter()
        .skip(before)
        .filter(|e| e["eventType"].as_str().unwrap().starts_with("application."))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "application.user_membership.add",
            "application.user_membership.update",
            "application.user_membership.update",
            "application.user_membership.add",
            "application.user_membership.remove"
        ]
    );
    let target_types: Vec<&str> =
        events[0]["target"].as_array().unwrap().iter().map(|t| t["type"].as_str().unwrap()).collect();
    assert_eq!(target_types, ["AppUser", "AppInstance", "User"]);
    assert!(events[0]["target"][0]["id"].as_str().unwrap().starts_with("0ua"));
    assert_eq!(events[0]["target"][1]["id"], wiki.as_str());
}

#[tokio::test]
async fn app_users_listing() {
    let org = FakeOrg::seeded();
    let chat = app_by_label(&org, "Team Chat").await["id"].as_str().unwrap().to_string();
    let r = get(&org, &format!("/api/v1/apps/{chat}/users")).await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/apps/{chat}/users?limit=50"));
    assert_eq!(r.json().as_array().unwrap().len(), 50);
    assert!(r.json().as_array().unwrap().iter().all(|u| u["scope"] == "GROUP"), "assigned through Everyone");
    let (ids, pages) = collect_ids(&org, &format!("/api/v1/apps/{chat}/users?limit=500")).await;
    assert_eq!((ids.len(), pages), (org.user_count(), 1));
    let (ids2, pages2) = collect_ids(&org, &format!("/api/v1/apps/{chat}/users?limit=100")).await;
    assert_eq!((ids2, pages2), (ids.clone(), 3));
    // group assignments are read-only here
    assert_error(&call(&org, "DELETE", &format!("/api/v1/apps/{chat}/users/{}", ids[0]), None).await, 403, "E0000006");

    // q on userName, firstName, lastName, email; expand=user
    let me = org.get_user_json("me").unwrap();
    let r = get(&org, &format!("/api/v1/apps/{chat}/users?q=fake.adm&expand=user")).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(r.json()[0]["_embedded"]["user"]["id"], me["id"]);
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/apps/{chat}/users?limit=50&q=fake.adm&expand=user"));
    assert_error(&get(&org, &format!("/api/v1/apps/{chat}/users?expand=group")).await, 400, "E0000001");

    // an empty list still has its self link
    let body =
        json!({"label": "Nobody Here", "signOnMode": "BOOKMARK", "settings": {"app": {"url": "https://example.com/"}}});
    let empty = call(&org, "POST", "/api/v1/apps", Some(&body)).await.json()["id"].as_str().unwrap().to_string();
    let r = get(&org, &format!("/api/v1/apps/{empty}/users")).await;
    assert_eq!(r.json(), json!([]));
    assert!(r.link("self").is_some());
}

#[tokio::test]
async fn app_lifecycle() {
    let org = FakeOrg::seeded();
    let body = json!({"label": "Lifecycle App", "signOnMode": "BOOKMARK", "settings": {"app": {"requestIntegration": false, "url": "https://example.com/x"}}});
    let r = call(&org, "POST", "/api/v1/apps?activate=false", Some(&body)).await;
    assert_eq!(r.status, 200);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!((r.json()["name"].as_str(), r.json()["status"].as_str()), (Some("bookmark"), Some("INACTIVE")));
    assert_eq!(r.json()["settings"]["app"]["url"], "https://example.com/x");
    assert_eq!(call(&org, "POST", &format!("/api/v1/apps/{id}/lifecycle/activate"), None).await.body, "{}");
    let r = call(&org, "DELETE", &format!("/api/v1/apps/{id}"), None).await;
    assert_error(&r, 403, "E0000056");
    assert_eq!(r.json()["errorCauses"][0]["errorSummary"], "The application must be deactivated before deletion.");
    assert_eq!(call(&org, "POST", &format!("/api/v1/apps/{id}/lifecycle/deactivate"), None).await.body, "{}");
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/apps/{id}"), None).await.status, 204);
    assert_error(&get(&org, &format!("/api/v1/apps/{id}")).await, 404, "E0000007");
    assert_error(
        &call(&org, "POST", "/api/v1/apps", Some(&json!({"label": "X", "signOnMode": "NOPE"}))).await,
        400,
        "E0000001",
    );
    let types: Vec<String> = org
        .log_events()
        .iter()
        .filter(|e| e["eventType"].as_str().unwrap().starts_with("application.lifecycle"))
        .map(|e| e["eventType"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "application.lifecycle.create",
            "application.lifecycle.activate",
            "application.lifecycle.deactivate",
            "application.lifecycle.delete"
        ]
    );
}

#[tokio::test]
async fn recorded_app_shapes() {
    let org = FakeOrg::seeded();
    let mut subst = Subst::default();
    let dir = "okta-sdk-python/test_applications_it";
    let mut total = 0;
    for (file, plan) in [
        ("TestApplicationsResource.test_app_update_assigned_user.yaml", Plan::default()),
        ("TestApplicationsResource.test_get_list_assign_users_app.yaml", Plan::default()),
        ("TestApplicationsResource.test_activate_deactivate_delete_app.yaml", Plan::default()),
        (
            "TestApplicationsResource.test_list_applications_pagination_with_after.yaml",
            // The recorded developer org had reached its app-instance limit.
            Plan::default().skip(&[1], "org app-instance limit"),
        ),
        ("TestApplicationsResource.test_list_applications_with_query_parameters.yaml", Plan::default()),
    ] {
        total += replay::replay(&org, &format!("{dir}/{file}"), plan, &mut subst).await;
    }
    assert!(total >= 40, "compared {total} interactions");
}
