//! Scenarios through the built component against the stateful fake org, for the areas beyond
//! Users: a group membership round trip, an app assignment round trip, the System Log's
//! 10 000-event cap and its never-ending polling stream, an event hook's life (create →
//! verify against a real endpoint → deactivate → delete) and Delete All by URL. Every request
//! is checked against Okta's OpenAPI spec, and every write shows in the org's System Log.

use crate::support::common::*;
use crate::support::fake_org::receiver::{Answer, Receiver};
use anyhow::Result;
use okta_fake_org::FakeOrg;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// Runs an action that must succeed, checking its requests against the spec.
async fn step(org: &FakeOrg, action: &str, input: Value) -> Result<Value> {
    let (r, exchanges) = run(org, action, input.clone()).await?;
    conforms(&exchanges);
    Ok(ok(r, &format!("{action} {input}")))
}

/// `2026-11-30T10:00:00.000Z` for a time.
fn iso(t: SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let days = secs / 86_400;
    let (y, m, d) = civil(days as i64);
    let rem = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to a date (proleptic Gregorian).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn event_types(org: &FakeOrg) -> Vec<String> {
    org.log_events().iter().filter_map(|e| e["eventType"].as_str().map(str::to_string)).collect()
}

#[tokio::test]
async fn group_membership_round_trip() -> Result<()> {
    let org = FakeOrg::seeded();
    let user = step(&org, "users.create", json!({
        "login": "lin.member@example.com", "email": "lin.member@example.com", "first_name": "Lin", "last_name": "Member",
        "password": "Quartz-Lamp-42"
    }))
    .await?;
    let uid = user["id"].as_str().unwrap().to_string();
    let group = step(&org, "groups.create", json!({ "name": "Round Trip", "description": "made by a test" })).await?;
    let gid = group["id"].as_str().unwrap().to_string();
    assert_eq!(group["type"], "OKTA_GROUP");

    step(&org, "groups.add-user", json!({ "group_id": gid, "user_id": uid })).await?;
    let members = step(&org, "groups.list-members", json!({ "group_id": gid, "fetch_all": true })).await?;
    assert_eq!(ids(&members["items"]), vec![uid.clone()]);
    let groups = step(&org, "users.list-groups", json!({ "id": uid })).await?;
    assert!(ids(&groups).contains(&gid), "the user's groups include the new one");

    let updated = step(&org, "groups.update", json!({ "group_id": gid, "name": "Round Trip 2" })).await?;
    assert_eq!(
        updated["profile"],
        json!({ "name": "Round Trip 2", "description": "made by a test" }),
        "the description kept"
    );
    let found = step(&org, "groups.list", json!({ "q": "Round Trip" })).await?;
    assert_eq!(ids(&found["items"]), vec![gid.clone()]);

    step(&org, "groups.remove-user", json!({ "group_id": gid, "user_id": uid })).await?;
    let members = step(&org, "groups.list-members", json!({ "group_id": gid })).await?;
    assert_eq!(members["items"], json!([]));
    step(&org, "groups.delete", json!({ "group_id": gid })).await?;
    let (r, _) = run(&org, "groups.get", json!({ "group_id": gid })).await?;
    assert_eq!(okta_error(&r.expect_err("deleted")).and_then(|e| e.error_code.clone()).as_deref(), Some("E0000007"));

    let events = event_types(&org);
    for t in [
        "group.lifecycle.create",
        "group.user_membership.add",
        "group.profile.update",
        "group.user_membership.remove",
        "group.lifecycle.delete",
    ] {
        assert!(events.iter().any(|e| e == t), "{t} missing from the System Log");
    }
    Ok(())
}

#[tokio::test]
async fn app_assignment_round_trip() -> Result<()> {
    let org = FakeOrg::seeded();
    let user = step(
        &org,
        "users.create",
        json!({
            "login": "ada.apps@example.com", "email": "ada.apps@example.com", "first_name": "Ada", "last_name": "Apps",
            "password": "Violet-Kite-77"
        }),
    )
    .await?;
    let uid = user["id"].as_str().unwrap().to_string();
    // An app that takes a username and password (BASIC_AUTH), found by listing.
    let apps = step(&org, "apps.list", json!({ "fetch_all": true, "limit": 2 })).await?;
    let app = apps["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["signOnMode"] == "BASIC_AUTH")
        .expect("a BASIC_AUTH app")
        .clone();
    let aid = app["id"].as_str().unwrap().to_string();
    assert_eq!(step(&org, "apps.get", json!({ "app_id": aid })).await?["id"], aid);

    let assigned = step(
        &org,
        "apps.assign-user",
        json!({
            "app_id": aid, "user_id": uid, "username": "ada.apps", "password": "App-Secret-9", "scope": "USER"
        }),
    )
    .await?;
    assert_eq!((assigned["id"].as_str(), assigned["scope"].as_str()), (Some(uid.as_str()), Some("USER")));
    assert_eq!(assigned["credentials"]["userName"], "ada.apps");
    assert!(!assigned.to_string().contains("App-Secret-9"), "Okta never returns the password");

    let got =
        step(&org, "apps.get-user-assignment", json!({ "app_id": aid, "user_id": uid, "expand": "user" })).await?;
    assert_eq!(got["_embedded"]["user"]["id"], uid);
    let updated =
        step(&org, "apps.update-user-assignment", json!({ "app_id": aid, "user_id": uid, "username": "ada.l" }))
            .await?;
    assert_eq!(updated["credentials"]["userName"], "ada.l");
    let links = step(&org, "users.list-applications", json!({ "id": uid })).await?;
    assert!(
        links.as_array().unwrap().iter().any(|l| l["appInstanceId"] == aid),
        "the app shows in the user's app links"
    );
    let filtered =
        step(&org, "apps.list", json!({ "filter": format!("user.id eq \"{uid}\""), "expand": format!("user/{uid}") }))
            .await?;
    assert!(ids(&filtered["items"]).contains(&aid));

    step(&org, "apps.remove-user-assignment", json!({ "app_id": aid, "user_id": uid })).await?;
    let (r, _) = run(&org, "apps.get-user-assignment", json!({ "app_id": aid, "user_id": uid })).await?;
    assert_eq!(okta_error(&r.expect_err("removed")).map(|e| e.status), Some(404));
    let events = event_types(&org);
    for t in
        ["application.user_membership.add", "application.user_membership.update", "application.user_membership.remove"]
    {
        assert!(events.iter().any(|e| e == t), "{t} missing from the System Log");
    }
    Ok(())
}

#[tokio::test]
async fn policies_and_realms_list() -> Result<()> {
    let org = FakeOrg::seeded();
    let password = step(&org, "policies.list", json!({ "type": "PASSWORD", "fetch_all": true })).await?;
    assert!(password["items"].as_array().unwrap().iter().all(|p| p["type"] == "PASSWORD"));
    assert!(!password["items"].as_array().unwrap().is_empty());
    let (r, exchanges) = run(&org, "policies.list", json!({})).await?;
    assert_eq!(invalid_field(&r.expect_err("type is required")), "type");
    assert!(exchanges.is_empty());
    let realms = step(&org, "realms.list", json!({ "fetch_all": true, "limit": 1 })).await?;
    assert!(realms["items"].as_array().unwrap().len() > 1, "several pages of one realm each");
    Ok(())
}

#[tokio::test]
async fn the_log_is_capped_at_ten_thousand_events_and_the_cursor_continues() -> Result<()> {
    let org = FakeOrg::empty();
    let start = SystemTime::now() - Duration::from_secs(3600);
    for i in 0..10_250u64 {
        org.append_log_event_late("user.session.start", start + Duration::from_millis(i)).expect("an event");
    }
    let since = iso(start - Duration::from_secs(60));
    let all = org.log_events();
    let (r, exchanges) = run(
        &org,
        "system-log.get",
        json!({ "fetch_all": true, "limit": 1000, "since": since, "until": "2100-01-01T00:00:00.000Z" }),
    )
    .await?;
    conforms(&exchanges);
    let first = ok(r, "system-log.get");
    let got: Vec<Value> = first["items"].as_array().unwrap().clone();
    assert_eq!(got.len(), 10_000);
    assert_eq!(first["capped"], true);
    assert_eq!(exchanges.len(), 10, "ten pages of 1000");
    let cursor = first["next_cursor"].as_str().expect("a cursor to continue").to_string();

    // A bounded query resumes with its bounds and the cursor, as Okta's own next links do.
    let (r, _) = run(&org, "system-log.get", json!({ "fetch_all": true, "limit": 1000, "since": since, "after": cursor, "until": "2100-01-01T00:00:00.000Z" })).await?;
    let rest = ok(r, "system-log.get rest");
    assert_eq!(rest["capped"], false);
    let mut uuids: Vec<&str> =
        got.iter().chain(rest["items"].as_array().unwrap()).map(|e| e["uuid"].as_str().unwrap()).collect();
    let expected: Vec<&str> = all.iter().map(|e| e["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids.len(), expected.len(), "every event once");
    uuids.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(uuids, want);
    Ok(())
}

#[tokio::test]
async fn a_polling_stream_ends_at_its_first_empty_page_and_resumes_exactly() -> Result<()> {
    let org = FakeOrg::seeded();
    let since = iso(SystemTime::now() - Duration::from_secs(90 * 86_400));
    let (r, exchanges) =
        run(&org, "system-log.get", json!({ "fetch_all": true, "since": since, "limit": 100 })).await?;
    conforms(&exchanges);
    let page = ok(r, "poll");
    let seen = page["items"].as_array().unwrap().len();
    assert_eq!(seen, org.log_events().len(), "the whole log, nothing twice");
    assert_eq!(page["capped"], false);
    let cursor = page["next_cursor"].as_str().expect("a polling stream always has a next").to_string();
    assert_eq!(exchanges.last().unwrap().response_json(), Some(json!([])), "it stopped at an empty page");

    // Nothing new: one request, nothing returned, the same place to resume.
    let (r, exchanges) =
        run(&org, "system-log.get", json!({ "fetch_all": true, "after": cursor, "limit": 100 })).await?;
    assert_eq!(exchanges.len(), 1);
    let again = ok(r, "poll again");
    assert_eq!(again["items"], json!([]));

    // New events arrive: exactly those.
    step(&org, "groups.create", json!({ "name": "Polled" })).await?;
    let (r, _) =
        run(&org, "system-log.get", json!({ "fetch_all": true, "after": again["next_cursor"], "limit": 100 })).await?;
    let new = ok(r, "poll new");
    let types: Vec<&str> = new["items"].as_array().unwrap().iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert_eq!(types, vec!["group.lifecycle.create"]);
    Ok(())
}

#[tokio::test]
async fn an_event_hook_is_created_verified_deactivated_and_deleted() -> Result<()> {
    let org = FakeOrg::seeded();
    let receiver = Receiver::start().await;
    let url = receiver.url("/okta/events");
    let hook = step(
        &org,
        "event-hooks.create",
        json!({
            "name": "Scenario hook", "url": url, "items": ["group.lifecycle.create"],
            "auth_header_key": "X-Shared-Secret", "auth_header_value": "scenario-secret-123",
            "headers": [{ "key": "X-Source", "value": "scenario" }]
        }),
    )
    .await?;
    let id = hook["id"].as_str().unwrap().to_string();
    assert_eq!((hook["status"].as_str(), hook["verificationStatus"].as_str()), (Some("ACTIVE"), Some("VERIFIED")));
    let verification = &receiver.received()[0];
    assert_eq!(verification.method, "GET");
    assert_eq!(verification.header("x-shared-secret"), Some("scenario-secret-123"));
    assert!(verification.header("x-okta-verification-challenge").is_some());
    assert!(!hook.to_string().contains("scenario-secret-123"), "Okta never returns the secret");

    // Verified and active: a write is delivered to the endpoint.
    step(&org, "groups.create", json!({ "name": "Hooked group" })).await?;
    let posts = receiver.wait_posts(1, Duration::from_secs(5)).await;
    assert_eq!(posts[0].json()["data"]["events"][0]["eventType"], "group.lifecycle.create");

    let listed = step(&org, "event-hooks.list", json!({})).await?;
    assert!(ids(&listed).contains(&id));
    let inactive = step(&org, "event-hooks.deactivate", json!({ "event_hook_id": id })).await?;
    assert_eq!(inactive["status"], "INACTIVE");
    step(&org, "event-hooks.activate", json!({ "event_hook_id": id })).await?;
    step(&org, "event-hooks.delete", json!({ "event_hook_id": id })).await?;
    let (r, _) = run(&org, "event-hooks.get", json!({ "event_hook_id": id })).await?;
    assert_eq!(okta_error(&r.expect_err("deleted")).map(|e| e.status), Some(404));

    // An endpoint that answers the challenge wrongly: Okta refuses, the hook stays, named.
    receiver.on_get([Answer::WrongChallenge, Answer::WrongChallenge]);
    let (r, _) = run(
        &org,
        "event-hooks.create",
        json!({ "name": "Bad endpoint", "url": url, "items": ["user.lifecycle.create"] }),
    )
    .await?;
    let e = r.expect_err("verification fails");
    let shown = okhost_error(&e);
    assert!(shown.contains("was created"), "{shown}");
    Ok(())
}

fn okhost_error(e: &okta_harness::WitError) -> String {
    okta_harness::error_json(e).to_string()
}

#[tokio::test]
async fn delete_all_removes_only_the_hooks_of_that_url() -> Result<()> {
    let org = FakeOrg::seeded();
    let a = Receiver::start().await;
    let b = Receiver::start().await;
    for (name, url) in [("A1", a.url("/h")), ("A2", a.url("/h")), ("B1", b.url("/h"))] {
        step(&org, "event-hooks.create", json!({ "name": name, "url": url, "items": ["user.lifecycle.create"] }))
            .await?;
    }
    let before = step(&org, "event-hooks.list", json!({})).await?;
    let out = step(&org, "event-hooks.delete-all", json!({ "url": a.url("/h") })).await?;
    assert_eq!(out["deleted"].as_array().unwrap().len(), 2);
    let after = step(&org, "event-hooks.list", json!({})).await?;
    assert_eq!(after.as_array().unwrap().len(), before.as_array().unwrap().len() - 2);
    assert!(after.as_array().unwrap().iter().all(|h| h["channel"]["config"]["uri"] != a.url("/h")));
    assert!(after.as_array().unwrap().iter().any(|h| h["channel"]["config"]["uri"] == b.url("/h")));

    let out = step(&org, "event-hooks.delete-all", json!({})).await?;
    assert_eq!(out["deleted"].as_array().unwrap().len(), after.as_array().unwrap().len());
    assert_eq!(step(&org, "event-hooks.list", json!({})).await?, json!([]));
    Ok(())
}
