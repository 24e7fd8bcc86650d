//! The harness's other two backends: the fake org answering in-process, and the network
//! (the fake org served on loopback). Lifecycle, paging, injected faults and rate limits, with
//! every request the guest sent checked against Okta's OpenAPI spec.

use std::time::{Duration, Instant};

use anyhow::Result;
use okta_fake_org::{FakeOrg, Fault};
use okta_harness::*;

use crate::support::common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn a_user_goes_through_its_lifecycle_in_process() -> Result<()> {
    let org = FakeOrg::seeded();
    let before = org.user_count();
    let mut all = Vec::new();

    let input = json!({
        "login": "ada.lovelace@example.com",
        "email": "ada.lovelace@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "password": "Analytical-3ngine!",
        "activate": false
    });
    let (r, ex) = run(&org, "users.create", input).await?;
    let created = ok(r, "users.create");
    all.extend(ex);
    assert_eq!(created["status"], "STAGED");
    let id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(org.user_count(), before + 1);

    let (r, ex) = run(&org, "users.activate", json!({ "id": id, "send_email": false })).await?;
    ok(r, "users.activate");
    all.extend(ex);
    assert_eq!(org.get_user_json(&id).expect("the user")["status"], "ACTIVE");

    for (action, status) in [("users.suspend", "SUSPENDED"), ("users.unsuspend", "ACTIVE")] {
        let (r, ex) = run(&org, action, json!({ "id": id })).await?;
        ok(r, action);
        all.extend(ex);
        assert_eq!(org.get_user_json(&id).expect("the user")["status"], status, "after {action}");
    }

    let (r, ex) = run(&org, "users.reset-password", json!({ "id": id, "send_email": false })).await?;
    let link = ok(r, "users.reset-password");
    all.extend(ex);
    assert!(link["resetPasswordUrl"].as_str().is_some_and(|u| u.starts_with(DOMAIN)), "{link}");
    assert_eq!(org.get_user_json(&id).expect("the user")["status"], "RECOVERY");

    let (r, ex) = run(&org, "users.delete", json!({ "id": id })).await?;
    assert_eq!(ok(r, "users.delete"), json!({}));
    assert_eq!(ex.len(), 2, "two DELETEs");
    all.extend(ex);
    assert_eq!(org.user_count(), before);

    let (r, ex) = run(&org, "users.get", json!({ "id": id })).await?;
    assert!(matches!(&r, Err(WitError::Okta(o)) if o.kind == OktaErrorKind::NotFound), "{r:?}");
    all.extend(ex);

    assert_eq!(org.requests().len(), all.len(), "the org saw exactly the recorded exchanges");
    conforms(&all);
    Ok(())
}

#[tokio::test]
async fn paging_over_loopback_follows_the_cursor() -> Result<()> {
    let org = FakeOrg::empty();
    org.generate_users(5);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(org.clone().serve(listener));
    let c = api_token(&origin, FakeOrg::TOKEN);

    let (r, first) = run_on(Backend::Network, &c, "users.list", json!({ "limit": 2 })).await?;
    let page = ok(r, "users.list");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    let cursor = page["next_cursor"].as_str().expect("a next cursor").to_string();
    assert_eq!(first.len(), 1);
    assert!(first[0].url.starts_with(&origin), "{}", first[0].url);
    assert_eq!(first[0].status, Some(200));
    assert!(first[0].response_header("link").is_some());

    let (r, _) = run_on(Backend::Network, &c, "users.list", json!({ "limit": 2, "after": cursor })).await?;
    let next = ok(r, "users.list after");
    assert_eq!(next["items"].as_array().map(Vec::len), Some(2));
    assert_ne!(next["items"][0]["id"], page["items"][0]["id"]);

    let (r, all) = run_on(Backend::Network, &c, "users.list", json!({ "limit": 2, "fetch_all": true })).await?;
    let everything = ok(r, "users.list fetch_all");
    assert_eq!(everything["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(everything["next_cursor"], Value::Null);
    assert_eq!(all.len(), 3);
    conforms(&all);
    server.abort();
    Ok(())
}

#[tokio::test]
async fn faults_reach_the_guest_in_process() -> Result<()> {
    let org = FakeOrg::seeded();
    let me = "fake.admin@example.com";

    // A dropped connection on a POST is final: writes are not repeated.
    org.inject_fault("POST", "/api/v1/users/*/lifecycle/suspend", Fault::DropConnection, 1);
    let (r, ex) = run(&org, "users.suspend", json!({ "id": me })).await?;
    assert!(matches!(r, Err(WitError::Transport(_))), "{r:?}");
    assert_eq!(ex.len(), 1);

    // A body cut off on a GET is retried, and the retry succeeds.
    org.inject_fault("GET", "/api/v1/users/*", Fault::TruncateBody, 1);
    let (r, ex) = run(&org, "users.get", json!({ "id": me })).await?;
    assert_eq!(ok(r, "users.get")["profile"]["login"], me);
    assert_eq!(ex.len(), 2);
    assert!(ex[0].error.is_some(), "{}", ex[0]);
    assert!(ex[1].error.is_none(), "{}", ex[1]);

    // A 500 on a GET is retried.
    org.inject_fault("GET", "/api/v1/meta/types/user", Fault::Status(500), 1);
    let (r, ex) = run(&org, "users.list-types", json!({})).await?;
    assert!(ok(r, "users.list-types").as_array().is_some_and(|t| !t.is_empty()));
    assert_eq!(ex.iter().map(|e| e.status).collect::<Vec<_>>(), vec![Some(500), Some(200)]);
    Ok(())
}

#[tokio::test]
async fn a_rate_limited_request_waits_for_the_reset_and_succeeds() -> Result<()> {
    let org = FakeOrg::seeded();
    org.inject_fault("GET", "/api/v1/users", Fault::RateLimited { reset_after_secs: 1 }, 1);
    let started = Instant::now();
    let (r, ex) = run(&org, "users.list", json!({ "limit": 3 })).await?;
    let page = ok(r, "users.list");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(ex.iter().map(|e| e.status).collect::<Vec<_>>(), vec![Some(429), Some(200)]);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900), "retried after only {waited:?}");
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() -> Result<()> {
    let org = FakeOrg::seeded();
    let c = api_token(DOMAIN, "not-the-fake-org-token");
    let (r, ex) = run_on(Backend::FakeOrg(org), &c, "users.get", json!({ "id": "me" })).await?;
    let e = r.expect_err("401");
    assert!(
        matches!(&e, WitError::Okta(o) if o.kind == OktaErrorKind::Unauthorized && o.error_code.as_deref() == Some("E0000011")),
        "{e:?}"
    );
    assert!(!format!("{e:?}").contains("not-the-fake-org-token"));
    assert_eq!(ex.len(), 1, "a 401 is not retried");
    Ok(())
}

#[tokio::test]
async fn a_pinned_clock_is_what_the_guest_sees() -> Result<()> {
    // The guest's wall clock is the instance's; scripted answers are dated by it too.
    let clock = Clock::pinned_at_unix(1_800_000_000);
    let script =
        vec![(ExpectedRequest::get("/api/v1/meta/types/user").okta_ssws("t"), CannedResponse::json(200, json!([])))];
    let options = InstanceOptions { clock: Some(clock.clone()), ..InstanceOptions::default() };
    let mut instance = connector().instantiate_with(Backend::scripted(script), options).await?;
    instance.users().list_types(&api_token("acme.okta.com", "t")).await?.expect("users.list-types");
    let date = instance.exchanges()[0].response_header("date").map(str::to_string);
    assert_eq!(date.as_deref(), Some("Fri, 15 Jan 2027 08:00:00 GMT"));
    clock.advance(Duration::from_secs(60));
    assert_eq!(instance.clock().unix_secs(), 1_800_000_060);
    Ok(())
}
