//! Scenarios against the stateful fake org, through the built component: long listings by
//! Fetch All and by cursor, a 429 in the middle of a listing, writes that must not repeat,
//! and Okta's lifecycle rules as the connector reports them. Every request is checked against
//! Okta's OpenAPI spec.

use crate::support::common::*;
use anyhow::Result;
use okta_fake_org::{FakeOrg, Fault};
use okta_harness::*;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

const USERS: usize = 1_234;

#[tokio::test]
async fn fetch_all_and_cursor_paging_return_every_user_once() -> Result<()> {
    let org = FakeOrg::empty();
    org.generate_users(USERS);

    let (r, all_exchanges) = run(&org, "users.list", json!({ "fetch_all": true })).await?;
    let all = ok(r, "users.list fetch_all");
    assert_eq!(all["next_cursor"], serde_json::Value::Null);
    let fetched = ids(&all["items"]);
    assert_eq!(fetched.len(), USERS);
    assert_eq!(fetched.iter().collect::<HashSet<_>>().len(), USERS, "no duplicates");
    assert_eq!(all_exchanges.len(), USERS.div_ceil(200), "one request per page of 200");
    assert!(all_exchanges.iter().all(|e| e.status == Some(200)));
    conforms(&all_exchanges);

    // The same listing, a page per call, passing each next cursor back as After.
    let mut by_cursor = Vec::new();
    let mut after: Option<String> = None;
    let mut calls = 0;
    loop {
        let input = json!({ "limit": 150, "after": after });
        let (r, exchanges) = run(&org, "users.list", input).await?;
        conforms(&exchanges);
        assert_eq!(exchanges.len(), 1);
        let page = ok(r, "users.list page");
        by_cursor.extend(ids(&page["items"]));
        calls += 1;
        match page["next_cursor"].as_str() {
            Some(c) => after = Some(c.to_string()),
            None => break,
        }
        assert!(calls < 100, "paging does not end");
    }
    assert_eq!(calls, USERS.div_ceil(150));
    assert_eq!(by_cursor, fetched, "both ways list the same users in the same order");
    Ok(())
}

#[tokio::test]
async fn a_429_in_the_middle_of_a_listing_is_waited_out_with_nothing_lost() -> Result<()> {
    let org = FakeOrg::empty();
    org.generate_users(USERS);
    let (r, _) = run(&org, "users.list", json!({ "fetch_all": true })).await?;
    let expected = ids(&ok(r, "baseline")["items"]);

    // The third page is refused once with a real-looking 429 (reset one second after Date).
    org.inject_fault_after("GET", "/api/v1/users", Fault::RateLimited { reset_after_secs: 1 }, 2, 1);
    let started = std::time::Instant::now();
    let (r, exchanges) = run(&org, "users.list", json!({ "fetch_all": true })).await?;
    let waited = started.elapsed();
    let got = ids(&ok(r, "users.list through a 429")["items"]);
    assert_eq!(got, expected, "no user lost or duplicated");

    let statuses: Vec<_> = exchanges.iter().map(|e| e.status).collect();
    let mut want = vec![Some(200); USERS.div_ceil(200) + 1];
    want[2] = Some(429);
    assert_eq!(statuses, want);
    // The retry repeats exactly the refused request: same page, same cursor.
    assert_eq!(exchanges[2].url, exchanges[3].url);
    assert!(waited >= Duration::from_millis(900), "retried after only {waited:?}");
    conforms(&exchanges);
    Ok(())
}

#[tokio::test]
async fn a_spent_bucket_is_waited_out_before_okta_has_to_refuse() -> Result<()> {
    let org = FakeOrg::empty();
    org.generate_users(1_000);
    // Three requests per two seconds: the third page reports `Remaining: 0`.
    org.set_rate_limit(3, Duration::from_secs(2));
    let (r, exchanges) = run(&org, "users.list", json!({ "fetch_all": true })).await?;
    assert_eq!(ids(&ok(r, "users.list")["items"]).len(), 1_000);
    let statuses: Vec<_> = exchanges.iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![Some(200); 5], "no 429: the connector waited for the reset");
    Ok(())
}

#[tokio::test]
async fn a_500_on_a_post_is_not_retried() -> Result<()> {
    let org = FakeOrg::seeded();
    let before = org.user_count();
    org.inject_fault("POST", "/api/v1/users", Fault::Status(500), 1);
    let input = json!({
        "login": "grace.hopper@example.com", "email": "grace.hopper@example.com",
        "first_name": "Grace", "last_name": "Hopper", "password": "Cobol-Compiler-1959"
    });
    let (r, exchanges) = run(&org, "users.create", input.clone()).await?;
    match &r {
        Err(WitError::Okta(e)) if e.kind == OktaErrorKind::Server => {
            assert_eq!(e.error_code.as_deref(), Some("E0000009"))
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    assert_eq!(exchanges.len(), 1, "a POST is sent once");
    assert_eq!(org.user_count(), before, "and nothing was created");

    // The same POST goes through once the fault is gone, exactly once.
    let (r, exchanges) = run(&org, "users.create", input).await?;
    assert_eq!(ok(r, "users.create")["status"], "ACTIVE");
    assert_eq!(exchanges.len(), 1);
    assert_eq!(org.user_count(), before + 1);
    conforms(&exchanges);
    Ok(())
}

#[tokio::test]
async fn a_dropped_connection_on_a_get_is_retried_within_the_attempt_limit() -> Result<()> {
    let org = FakeOrg::seeded();
    org.inject_fault("GET", "/api/v1/users", Fault::DropConnection, 1);
    let (r, exchanges) = run(&org, "users.list", json!({ "limit": 5 })).await?;
    assert_eq!(ids(&ok(r, "users.list")["items"]).len(), 5);
    assert_eq!(exchanges.len(), 2);
    assert!(exchanges[0].error.is_some());

    // Past the attempt limit the transport error is reported, without the token.
    org.inject_fault("GET", "/api/v1/users/*", Fault::DropConnection, 10);
    let (r, exchanges) = run(&org, "users.get", json!({ "id": "fake.admin@example.com" })).await?;
    match r {
        Err(WitError::Transport(m)) => assert!(!m.contains(FakeOrg::TOKEN), "{m}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(exchanges.len(), 4, "four attempts at most");
    Ok(())
}

#[tokio::test]
async fn lifecycle_rules_come_back_as_typed_errors() -> Result<()> {
    let org = FakeOrg::seeded();
    let staged = json!({
        "login": "alan.turing@example.com", "email": "alan.turing@example.com",
        "first_name": "Alan", "last_name": "Turing", "activate": false
    });
    let (r, mut all) = run(&org, "users.create", staged).await?;
    let id = ok(r, "users.create")["id"].as_str().unwrap().to_string();

    // Each wrong-state call: (action, error case, Okta's code).
    let cases: [(&str, &str, &str); 4] = [
        ("users.suspend", "rejected", "E0000001"),
        ("users.unlock", "forbidden", "E0000032"),
        ("users.reactivate", "forbidden", "E0000038"),
        ("users.unsuspend", "rejected", "E0000001"),
    ];
    for (action, kind, code) in cases {
        let (r, ex) = run(&org, action, json!({ "id": id })).await?;
        all.extend(ex);
        let e = r.expect_err(action);
        assert_eq!(error_json(&e)["kind"], kind, "{action}: {}", error_json(&e));
        assert_eq!(okta_error(&e).and_then(|o| o.error_code.as_deref()), Some(code), "{action}");
        assert!(okta_error(&e).unwrap().request_id.is_some(), "{action}: the request id is kept");
    }
    assert_eq!(org.get_user_json(&id).unwrap()["status"], "STAGED", "nothing changed");

    let (r, ex) = run(&org, "users.activate", json!({ "id": id })).await?;
    all.extend(ex);
    let token = ok(r, "users.activate");
    assert!(token["activationToken"].is_string(), "send_email defaults to false: {token}");
    let (r, ex) = run(&org, "users.activate", json!({ "id": id })).await?;
    all.extend(ex);
    let e = r.expect_err("activating an active user");
    assert_eq!(okta_error(&e).and_then(|o| o.error_code.as_deref()), Some("E0000016"));

    let (r, ex) = run(&org, "users.deactivate", json!({ "id": id })).await?;
    all.extend(ex);
    assert_eq!(ok(r, "users.deactivate"), json!({}));
    assert_eq!(org.get_user_json(&id).unwrap()["status"], "DEPROVISIONED");
    // Delete on a DEPROVISIONED user: the first DELETE deletes, the second finds nothing.
    let (r, ex) = run(&org, "users.delete", json!({ "id": id })).await?;
    assert_eq!(ex.iter().map(|e| e.status).collect::<Vec<_>>(), vec![Some(204), Some(404)]);
    all.extend(ex);
    ok(r, "users.delete");
    assert!(org.get_user_json(&id).is_none());
    conforms(&all);
    Ok(())
}

#[tokio::test]
async fn update_is_partial_and_passwords_change_by_the_right_route() -> Result<()> {
    let org = FakeOrg::seeded();
    let input = json!({
        "login": "katherine.johnson@example.com", "email": "katherine.johnson@example.com",
        "first_name": "Katherine", "last_name": "Johnson", "mobile_phone": "+1-555-0100",
        "password": "Orbital-Mechanics-62", "department": "Flight Research",
        "profile_extra_attributes": { "employeeId": "E-62" }
    });
    let (r, mut all) = run(&org, "users.create", input).await?;
    let user = ok(r, "users.create");
    let id = user["id"].as_str().unwrap().to_string();
    assert_eq!(user["profile"]["locale"], "en_US", "Locale defaults to en_US");
    assert_eq!(user["profile"]["employeeId"], "E-62");

    let (r, ex) = run(&org, "users.update", json!({ "id": id, "department": "Analysis" })).await?;
    all.extend(ex);
    let updated = ok(r, "users.update");
    assert_eq!(updated["profile"]["department"], "Analysis");
    assert_eq!(updated["profile"]["mobilePhone"], "+1-555-0100", "attributes not given are kept");
    assert_eq!(updated["profile"]["employeeId"], "E-62");

    // With the old password: Okta's change_password, which checks it.
    let (r, ex) = run(
        &org,
        "users.set-password",
        json!({ "user_id": id, "old_password": "Wrong-Password-00", "new_password": "Trajectory-Calc-1961" }),
    )
    .await?;
    all.extend(ex);
    let e = r.expect_err("a wrong old password");
    assert_eq!(okta_error(&e).and_then(|o| o.error_code.as_deref()), Some("E0000014"));
    let text = format!("{e:?}");
    assert!(!text.contains("Wrong-Password-00") && !text.contains("Trajectory-Calc-1961"), "{text}");

    let (r, ex) = run(
        &org,
        "users.set-password",
        json!({ "user_id": id, "old_password": "Orbital-Mechanics-62", "new_password": "Trajectory-Calc-1961", "revoke_sessions": true }),
    )
    .await?;
    assert_eq!(ex[0].path, format!("/api/v1/users/{id}/credentials/change_password"));
    all.extend(ex);
    ok(r, "users.set-password with the old password");

    // Without it: an admin set, then the sessions are cleared as asked.
    let (r, ex) = run(
        &org,
        "users.set-password",
        json!({ "user_id": id, "new_password": "Friendship-7-Orbit", "revoke_sessions": true }),
    )
    .await?;
    let routes: Vec<_> = ex.iter().map(|e| format!("{} {}", e.method, e.path)).collect();
    assert_eq!(routes, [format!("POST /api/v1/users/{id}"), format!("DELETE /api/v1/users/{id}/sessions")]);
    all.extend(ex);
    assert_eq!(ok(r, "users.set-password admin set")["id"], id.as_str());
    conforms(&all);
    Ok(())
}

#[tokio::test]
async fn read_only_user_actions_against_seeded_users() -> Result<()> {
    let org = FakeOrg::seeded();
    let mut all = Vec::new();
    let (r, ex) = run(&org, "users.list", json!({ "search": "status eq \"SUSPENDED\"", "limit": 200 })).await?;
    all.extend(ex);
    let suspended = ok(r, "users.list search");
    assert!(!ids(&suspended["items"]).is_empty());
    assert!(suspended["items"].as_array().unwrap().iter().all(|u| u["status"] == "SUSPENDED"));

    let (r, ex) = run(&org, "users.list", json!({ "filter": "status eq \"DEPROVISIONED\"" })).await?;
    all.extend(ex);
    assert!(ok(r, "users.list filter")["items"].as_array().unwrap().iter().all(|u| u["status"] == "DEPROVISIONED"));

    let (r, ex) = run(&org, "users.list", json!({})).await?;
    all.extend(ex);
    let bare = ok(r, "users.list bare");
    assert!(bare["items"].as_array().unwrap().iter().all(|u| u["status"] != "DEPROVISIONED"), "Okta omits them");

    let admin = "fake.admin@example.com";
    let (r, ex) = run(&org, "users.get", json!({ "id": admin })).await?;
    all.extend(ex);
    let me = ok(r, "users.get by login");
    let id = me["id"].as_str().unwrap().to_string();
    assert_eq!(all.last().unwrap().path, "/api/v1/users/fake.admin%40example.com");

    let (r, ex) = run(&org, "users.list-groups", json!({ "id": id })).await?;
    all.extend(ex);
    assert!(ok(r, "users.list-groups").as_array().unwrap().iter().any(|g| g["profile"]["name"] == "Everyone"));

    let (r, ex) = run(&org, "users.list-applications", json!({ "id": admin })).await?;
    all.extend(ex);
    assert!(ok(r, "users.list-applications").is_array());

    let (r, ex) = run(&org, "users.list-types", json!({})).await?;
    all.extend(ex);
    assert!(ok(r, "users.list-types").as_array().unwrap().iter().any(|t| t["default"] == true));

    // A user with factors: list them, unenroll one, and it is gone.
    let with_factor = find_user_with_factors();
    let (r, ex) = run(&org, "users.list-factors", json!({ "user_id": with_factor })).await?;
    all.extend(ex);
    let factors = ok(r, "users.list-factors");
    let factor = factors[0]["id"].as_str().unwrap().to_string();
    let (r, ex) = run(&org, "users.unenroll-factor", json!({ "user_id": with_factor, "factor_id": factor })).await?;
    all.extend(ex);
    assert_eq!(ok(r, "users.unenroll-factor"), json!({}));
    let (r, ex) = run(&org, "users.list-factors", json!({ "user_id": with_factor })).await?;
    all.extend(ex);
    assert!(ok(r, "users.list-factors").as_array().unwrap().iter().all(|f| f["id"] != factor.as_str()));

    let (r, ex) = run(&org, "users.clear-sessions", json!({ "user_id": id, "oauth_tokens": true })).await?;
    all.extend(ex);
    ok(r, "users.clear-sessions");
    assert_eq!(all.last().unwrap().query.as_deref(), Some("oauthTokens=true&forgetDevices=false"));
    conforms(&all);
    Ok(())
}

/// The first user with a factor in the fake org's seed.
fn find_user_with_factors() -> String {
    let seed: serde_json::Value =
        serde_json::from_str(include_str!("../../../../../fixtures/factors.json")).expect("fixtures/factors.json");
    seed[0]["userId"].as_str().expect("the seed has factors").to_string()
}
