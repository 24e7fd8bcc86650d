//! Every write through the API records the System Log event(s) Okta would record, with the
//! admin as actor, typed targets, the request's id as `transaction.id`, and `published` from
//! the org clock with real milliseconds; failed writes record nothing.

use std::time::{Duration, UNIX_EPOCH};

use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::{json, Value};

const PW: &str = "Sturdy-Passw0rd";
/// 2026-03-16T03:48:26.250Z
const T0_MS: u64 = 1_773_632_906_250;

fn pinned_seeded() -> FakeOrg {
    let org = FakeOrg::seeded();
    org.pin_clock(UNIX_EPOCH + Duration::from_millis(T0_MS));
    org
}

/// Events recorded after the first `skip`.
fn new_events(org: &FakeOrg, skip: usize) -> Vec<Value> {
    org.log_events().into_iter().skip(skip).collect()
}

fn types(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["eventType"].as_str().unwrap().to_string()).collect()
}

fn target_types(e: &Value) -> Vec<String> {
    e["target"].as_array().unwrap().iter().map(|t| t["type"].as_str().unwrap().to_string()).collect()
}

/// Calls and returns (response, events it recorded).
async fn write(org: &FakeOrg, method: &str, path: &str, body: Option<&Value>) -> (Resp, Vec<Value>) {
    let before = org.log_events().len();
    let r = call(org, method, path, body).await;
    (r, new_events(org, before))
}

#[tokio::test]
async fn user_writes_record_their_events() {
    let org = pinned_seeded();
    let engineering = get(&org, "/api/v1/groups?q=Engineering").await.json()[0]["id"].as_str().unwrap().to_string();
    let mut body = new_user("ev.user@example.com", Some(PW));
    body["groupIds"] = json!([engineering]);
    let (r, ev) = write(&org, "POST", "/api/v1/users?activate=true", Some(&body)).await;
    assert_eq!(r.status, 200);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(types(&ev), ["user.lifecycle.create", "user.lifecycle.activate", "group.user_membership.add"]);
    let rid = r.header("x-okta-request-id").unwrap();
    for e in &ev {
        assert_eq!(e["transaction"]["id"], rid, "transaction id is the request id");
        assert_eq!(e["debugContext"]["debugData"]["requestId"], rid);
        assert_eq!(e["debugContext"]["debugData"]["requestUri"], "/api/v1/users");
        assert_eq!(e["debugContext"]["debugData"]["url"], "/api/v1/users?activate=true");
        assert_eq!(e["published"], "2026-03-16T03:48:26.250Z");
        assert_eq!(e["outcome"], json!({"result": "SUCCESS", "reason": null}));
        assert_eq!(e["actor"]["alternateId"], "fake.admin@example.com");
        assert_eq!(e["actor"]["type"], "User");
        assert_eq!((e["version"].as_str(), e["client"]["zone"].as_str()), (Some("0"), Some("null")));
        let uuid = e["uuid"].as_str().unwrap();
        assert!(uuid.len() == 36 && uuid.as_bytes()[14] == b'1', "{uuid}");
    }
    assert_eq!(
        ev[0]["target"][0],
        json!({"id": id, "type": "User", "alternateId": "ev.user@example.com", "displayName": "Test User ev.user", "detailEntry": null})
    );
    assert_eq!(target_types(&ev[2]), ["User", "UserGroup"]);
    assert_eq!(ev[2]["target"][1]["id"], engineering.as_str());
    // the created user carries the pinned clock's second
    assert_eq!(r.json()["created"], "2026-03-16T03:48:26.000Z");
    // key order of the document
    let ordered = {
        let raw = serde_json::to_vec(&org.log_events()).unwrap();
        let o: J = serde_json::from_slice(&raw).unwrap();
        o.items()[0].keys()
    };
    assert!(ordered.contains(&"actor".to_string()));

    org.advance_clock(Duration::from_millis(1_500));
    let (_, ev) =
        write(&org, "POST", &format!("/api/v1/users/{id}"), Some(&json!({"profile": {"nickName": "Evie"}}))).await;
    assert_eq!(types(&ev), ["user.account.update_profile"]);
    assert_eq!(ev[0]["published"], "2026-03-16T03:48:27.750Z");
    let (_, ev) = write(
        &org,
        "POST",
        &format!("/api/v1/users/{id}"),
        Some(&json!({"credentials": {"password": {"value": "Another-Passw0rd9"}}})),
    )
    .await;
    assert_eq!(types(&ev), ["user.account.update_password"]);
    let (_, ev) = write(
        &org,
        "POST",
        &format!("/api/v1/users/{id}/credentials/change_password"),
        Some(&json!({"oldPassword": {"value": "Another-Passw0rd9"}, "newPassword": {"value": "Third-Passw0rd7"}})),
    )
    .await;
    assert_eq!(types(&ev), ["user.account.update_password"]);

    for (op, expected) in [
        ("suspend", "user.lifecycle.suspend"),
        ("unsuspend", "user.lifecycle.unsuspend"),
        ("reset_password?sendEmail=false", "user.account.reset_password"),
        ("reactivate", "user.lifecycle.reactivate"),
        ("expire_password", "user.account.expire_password"),
        ("reset_factors", "user.mfa.factor.reset_all"),
    ] {
        let (r, ev) = write(&org, "POST", &format!("/api/v1/users/{id}/lifecycle/{op}"), None).await;
        assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
        assert_eq!(types(&ev), [expected], "{op}");
        assert_eq!(target_types(&ev[0]), ["User"]);
    }
    let (_, ev) = write(&org, "DELETE", &format!("/api/v1/users/{id}/sessions"), None).await;
    assert_eq!(types(&ev), ["user.session.clear"]);
    let (_, ev) = write(&org, "DELETE", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(types(&ev), ["user.lifecycle.deactivate"]);
    let (_, ev) = write(&org, "DELETE", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(types(&ev), ["user.lifecycle.delete.initiated", "user.lifecycle.delete.completed"]);
    assert!(ev.iter().all(|e| e["target"][0]["id"] == id.as_str()));
}

#[tokio::test]
async fn factor_and_group_writes_record_their_events() {
    let org = pinned_seeded();
    let (ids, _) = collect_ids(&org, "/api/v1/users?filter=status+eq+%22ACTIVE%22").await;
    let mut found = None;
    for id in &ids {
        let f = get(&org, &format!("/api/v1/users/{id}/factors")).await.json();
        if let Some(sms) = f.as_array().unwrap().iter().find(|x| x["factorType"] == "sms") {
            found = Some((id.clone(), sms["id"].as_str().unwrap().to_string()));
            break;
        }
    }
    let (uid, fid) = found.unwrap();
    let (_, ev) = write(&org, "DELETE", &format!("/api/v1/users/{uid}/factors/{fid}"), None).await;
    assert_eq!(types(&ev), ["user.mfa.factor.deactivate"]);

    let (r, ev) = write(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {"name": "Logged Group"}}))).await;
    let gid = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(types(&ev), ["group.lifecycle.create"]);
    assert_eq!(
        ev[0]["target"][0],
        json!({"id": gid, "type": "UserGroup", "alternateId": "unknown", "displayName": "Logged Group", "detailEntry": null})
    );
    let (_, ev) =
        write(&org, "PUT", &format!("/api/v1/groups/{gid}"), Some(&json!({"profile": {"name": "Logged Group 2"}})))
            .await;
    assert_eq!(types(&ev), ["group.profile.update"]);
    let (r, ev) = write(&org, "PUT", &format!("/api/v1/groups/{gid}/users/{uid}"), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(types(&ev), ["group.user_membership.add"]);
    assert_eq!(target_types(&ev[0]), ["User", "UserGroup"]);
    // already a member: 204, nothing changes, nothing is recorded
    let (r, ev) = write(&org, "PUT", &format!("/api/v1/groups/{gid}/users/{uid}"), None).await;
    assert_eq!((r.status, ev.len()), (204, 0));
    let (_, ev) = write(&org, "DELETE", &format!("/api/v1/groups/{gid}/users/{uid}"), None).await;
    assert_eq!(types(&ev), ["group.user_membership.remove"]);
    let (_, ev) = write(&org, "DELETE", &format!("/api/v1/groups/{gid}"), None).await;
    assert_eq!(types(&ev), ["group.lifecycle.delete"]);
}

#[tokio::test]
async fn failed_writes_record_nothing() {
    let org = pinned_seeded();
    let staged = create_user(&org, "?activate=false", new_user("staged.ev@example.com", Some(PW))).await;
    let before = org.log_events().len();
    // validation, wrong status, unknown ids, bad token, wrong method, rate limit
    assert_error(
        &call(&org, "POST", "/api/v1/users", Some(&new_user("staged.ev@example.com", Some(PW)))).await,
        400,
        "E0000001",
    );
    assert_error(
        &call(&org, "POST", &format!("/api/v1/users/{staged}/lifecycle/suspend"), None).await,
        400,
        "E0000001",
    );
    assert_error(
        &call(&org, "POST", &format!("/api/v1/users/{staged}/lifecycle/reactivate"), None).await,
        403,
        "E0000038",
    );
    assert_error(&call(&org, "DELETE", "/api/v1/users/00uNoSuchUser0000000", None).await, 404, "E0000007");
    assert_error(
        &call(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {"name": "Everyone"}}))).await,
        400,
        "E0000001",
    );
    assert_error(
        &call_with(&org, "DELETE", &format!("/api/v1/users/{staged}"), None, Some("SSWS wrong")).await,
        401,
        "E0000011",
    );
    assert_error(&call(&org, "PATCH", &format!("/api/v1/users/{staged}"), None).await, 405, "E0000022");
    org.set_rate_limit(0, Duration::from_secs(60));
    assert_error(&call(&org, "DELETE", &format!("/api/v1/users/{staged}"), None).await, 429, "E0000047");
    assert_eq!(org.log_events().len(), before);
    org.set_rate_limit(600, Duration::from_secs(60));
    assert_eq!(org.get_user_json(&staged).unwrap()["status"], "STAGED");
}

#[tokio::test]
async fn seeded_history_and_clock() {
    let org = FakeOrg::seeded();
    let now = org.now();
    let history = org.log_events();
    assert!(history.len() > 40);
    let now_ms = now.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    for e in &history {
        let published = e["published"].as_str().unwrap();
        assert_eq!(published.len(), 24, "{published}");
        assert!(e["target"].is_array() && e["actor"]["id"].is_string());
    }
    let first = history.first().unwrap()["published"].as_str().unwrap().to_string();
    let last = history.last().unwrap()["published"].as_str().unwrap().to_string();
    assert!(first < last);
    // everything lies in the 30 days before the org was made
    let day = 86_400_000;
    assert!(iso_ms(&first) > now_ms - 31 * day && iso_ms(&last) < now_ms);
    assert_eq!(iso_ms("2026-03-16T03:48:26.250Z"), T0_MS as i64);
    let empty = FakeOrg::empty();
    assert!(empty.log_events().is_empty());
}

/// Milliseconds of an ISO-8601 UTC timestamp such as `2026-03-16T03:48:26.250Z`.
fn iso_ms(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from civil (proleptic Gregorian).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    ((days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)) * 1000) + n(20..23)
}
