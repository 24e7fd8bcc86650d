//! Behaviour of the fake org's Users API: lifecycle rules and error codes, two-phase delete,
//! create/update validation, pagination, search/filter/q, rate limits, common headers.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::{json, Value};

const PW: &str = "Sturdy-Passw0rd";

fn status_of(org: &FakeOrg, id: &str) -> String {
    org.get_user_json(id).unwrap()["status"].as_str().unwrap().to_string()
}

async fn lc(org: &FakeOrg, id: &str, op: &str) -> Resp {
    call(org, "POST", &format!("/api/v1/users/{id}/lifecycle/{op}"), None).await
}

#[tokio::test]
async fn lifecycle_rules_and_error_codes() {
    let org = FakeOrg::empty();
    let id = create_user(&org, "?activate=false", new_user("life.cycle@example.com", Some(PW))).await;
    assert_eq!(status_of(&org, &id), "STAGED");

    assert_error(&lc(&org, &id, "reactivate?sendEmail=false").await, 403, "E0000038");
    assert_error(&lc(&org, &id, "suspend").await, 400, "E0000001");
    assert_error(&lc(&org, &id, "unsuspend").await, 400, "E0000001");

    let r = lc(&org, &id, "activate?sendEmail=false").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.ordered().keys(), ["activationUrl", "activationToken"]);
    let token = r.json()["activationToken"].as_str().unwrap().to_string();
    assert_eq!(r.json()["activationUrl"], format!("{ORIGIN}/tokens/{token}/verify"));
    assert_eq!(status_of(&org, &id), "ACTIVE", "activation with a password makes the user ACTIVE");
    assert_error(&lc(&org, &id, "activate").await, 403, "E0000016");

    let r = lc(&org, &id, "unlock").await;
    assert_error(&r, 403, "E0000032");
    assert_eq!(r.json()["errorSummary"], "Unlock is not allowed for this user.");
    assert_eq!(r.json()["errorCauses"][0]["errorSummary"], "The user is not locked out.");

    let r = lc(&org, &id, "suspend").await;
    assert_eq!((r.status, &r.body[..]), (200, &b"{}"[..]));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(status_of(&org, &id), "SUSPENDED");
    assert_error(&lc(&org, &id, "suspend").await, 400, "E0000001");
    assert_eq!(lc(&org, &id, "unsuspend").await.body, "{}");
    assert_eq!(status_of(&org, &id), "ACTIVE");

    // reset_password requires sendEmail
    assert_error(&lc(&org, &id, "reset_password").await, 400, "E0000028");
    let r = lc(&org, &id, "reset_password?sendEmail=false&revokeSessions=true").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.ordered().keys(), ["resetPasswordUrl"]);
    assert!(r.json()["resetPasswordUrl"].as_str().unwrap().starts_with(&format!("{ORIGIN}/reset_password/")));
    assert_eq!(status_of(&org, &id), "RECOVERY");
    // reactivate works from RECOVERY; sendEmail defaults to false there, so a token comes back
    assert_eq!(lc(&org, &id, "reactivate").await.ordered().keys(), ["activationUrl", "activationToken"]);

    // change_password: wrong old password, login in a {userId} path, then success (RECOVERY → ACTIVE)
    let body = json!({"oldPassword": {"value": "Wrong-Passw0rd"}, "newPassword": {"value": "Another-Passw0rd9"}});
    let r = call(&org, "POST", &format!("/api/v1/users/{id}/credentials/change_password"), Some(&body)).await;
    assert_error(&r, 403, "E0000014");
    assert_eq!(r.json()["errorSummary"], "Update of credentials failed");
    assert_eq!(r.json()["errorCauses"].as_array().unwrap().len(), 1);
    let r = call(&org, "POST", "/api/v1/users/life.cycle@example.com/credentials/change_password", Some(&body)).await;
    assert_error(&r, 404, "E0000007");
    let body =
        json!({"oldPassword": {"value": PW}, "newPassword": {"value": "Another-Passw0rd9"}, "revokeSessions": true});
    let r = call(&org, "POST", &format!("/api/v1/users/{id}/credentials/change_password"), Some(&body)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.ordered().keys(), ["password", "provider"]);
    assert_eq!(status_of(&org, &id), "ACTIVE");
    let same = json!({"oldPassword": {"value": "Another-Passw0rd9"}, "newPassword": {"value": "Another-Passw0rd9"}});
    assert_error(
        &call(&org, "POST", &format!("/api/v1/users/{id}/credentials/change_password"), Some(&same)).await,
        403,
        "E0000080",
    );

    // expire_password answers with the full user
    let r = lc(&org, &id, "expire_password").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.ordered().keys(), USER_KEYS);
    assert_eq!(r.json()["status"], "PASSWORD_EXPIRED");
    let r = lc(&org, &id, "expire_password_with_temp_password").await;
    assert_eq!(r.ordered().keys(), ["tempPassword"]);

    assert_eq!(lc(&org, &id, "reset_factors").await.body, "{}");
    let r =
        call(&org, "DELETE", &format!("/api/v1/users/{id}/sessions?oauthTokens=true&forgetDevices=false"), None).await;
    assert_eq!(r.status, 204);
    assert_error(&call(&org, "DELETE", "/api/v1/users/life.cycle@example.com/sessions", None).await, 404, "E0000007");

    assert_eq!(lc(&org, &id, "deactivate").await.body, "{}");
    assert_eq!(status_of(&org, &id), "DEPROVISIONED");
    assert_error(&lc(&org, &id, "deactivate").await, 403, "E0000038");
    assert_error(&lc(&org, &id, "frobnicate").await, 404, "E0000008");
    // activate works again from DEPROVISIONED
    assert_eq!(lc(&org, &id, "activate").await.body, "{}");

    // No password: created PROVISIONED (activate defaults to true), activate → E0000016
    let p = create_user(&org, "", new_user("no.password@example.com", None)).await;
    let u = org.get_user_json(&p).unwrap();
    assert_eq!(u["status"], "PROVISIONED");
    assert!(u["activated"].is_string());
    assert_eq!(u["credentials"].as_object().unwrap().keys().collect::<Vec<_>>(), ["provider"]);
    assert_error(&lc(&org, &p, "activate").await, 403, "E0000016");
    assert_eq!(lc(&org, &p, "reactivate?sendEmail=true").await.body, "{}");
    // STAGED without password + default sendEmail=true → {} and PROVISIONED
    let s = create_user(&org, "?activate=false", new_user("staged.nopw@example.com", None)).await;
    assert_eq!(lc(&org, &s, "activate").await.body, "{}");
    assert_eq!(status_of(&org, &s), "PROVISIONED");
}

#[tokio::test]
async fn seeded_locked_out_user_can_be_unlocked() {
    let org = FakeOrg::seeded();
    let r = get(&org, "/api/v1/users?filter=status+eq+%22LOCKED_OUT%22&limit=1").await;
    let id = r.json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(lc(&org, &id, "unlock").await.body, "{}");
    assert_eq!(status_of(&org, &id), "ACTIVE");
}

#[tokio::test]
async fn two_phase_delete() {
    let org = FakeOrg::seeded();
    let id = create_user(&org, "?activate=true", new_user("to.delete@example.com", Some(PW))).await;
    let r = call(&org, "DELETE", &format!("/api/v1/users/{id}?sendEmail=false"), None).await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert!(r.header("content-type").is_none());
    let g = get(&org, &format!("/api/v1/users/{id}")).await;
    assert_eq!(g.json()["status"], "DEPROVISIONED");
    assert_eq!(g.json()["_links"]["delete"]["method"], "DELETE");
    let r = call(&org, "DELETE", &format!("/api/v1/users/{id}"), None).await;
    assert_eq!(r.status, 204);
    let r = get(&org, &format!("/api/v1/users/{id}")).await;
    assert_error(&r, 404, "E0000007");
    assert_eq!(r.json()["errorSummary"], format!("Not found: Resource not found: {id} (User)"));
    assert_eq!(r.json()["errorCauses"], json!([]));
    assert_error(&call(&org, "DELETE", &format!("/api/v1/users/{id}"), None).await, 404, "E0000007");
    // the login is free again
    create_user(&org, "", new_user("to.delete@example.com", Some(PW))).await;
}

#[tokio::test]
async fn create_validation() {
    let org = FakeOrg::seeded();
    let r = call(
        &org,
        "POST",
        "/api/v1/users",
        Some(&json!({"profile": {"login": "half@example.com", "email": "half@example.com"}})),
    )
    .await;
    assert_error(&r, 400, "E0000001");
    assert!(r.json()["errorSummary"].as_str().unwrap().starts_with("Api validation failed: "));
    assert_eq!(r.json()["errorCauses"].as_array().unwrap().len(), 2);

    create_user(&org, "", new_user("dupe@example.com", Some(PW))).await;
    let r = call(&org, "POST", "/api/v1/users", Some(&new_user("DUPE@example.com", Some(PW)))).await;
    assert_error(&r, 400, "E0000001");
    assert_eq!(
        r.json()["errorCauses"][0]["errorSummary"],
        "login: An object with this field already exists in the current organization"
    );

    let mut undefined = new_user("undefined.attr@example.com", None);
    undefined["profile"]["notValid"] = json!("x");
    let r = call(&org, "POST", "/api/v1/users", Some(&undefined)).await;
    assert_error(&r, 400, "E0000001");
    assert_eq!(r.json()["errorSummary"], "Api validation failed: newUser");

    assert_error(
        &call(&org, "POST", "/api/v1/users", Some(&new_user("weak@example.com", Some("password")))).await,
        400,
        "E0000001",
    );
    assert_error(
        &call(&org, "POST", "/api/v1/users?nextLogin=changePassword", Some(&new_user("nl1@example.com", None))).await,
        400,
        "E0000124",
    );
    assert_error(
        &call(
            &org,
            "POST",
            "/api/v1/users?activate=false&nextLogin=changePassword",
            Some(&new_user("nl2@example.com", Some(PW))),
        )
        .await,
        400,
        "E0000125",
    );
    let nl = create_user(&org, "?nextLogin=changePassword", new_user("nl3@example.com", Some(PW))).await;
    assert_eq!(status_of(&org, &nl), "PASSWORD_EXPIRED");

    let mut bad_group = new_user("bad.group@example.com", None);
    bad_group["groupIds"] = json!(["00gDoesNotExist000000"]);
    assert_error(&call(&org, "POST", "/api/v1/users", Some(&bad_group)).await, 400, "E0000001");
    let groups = get(&org, "/api/v1/groups?q=Engineering").await.json();
    let gid = groups[0]["id"].as_str().unwrap().to_string();
    let mut good_group = new_user("good.group@example.com", None);
    good_group["groupIds"] = json!([gid]);
    let id = create_user(&org, "", good_group).await;
    let gs = get(&org, &format!("/api/v1/users/{id}/groups")).await.json();
    let names: Vec<&str> = gs.as_array().unwrap().iter().map(|g| g["profile"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Everyone", "Engineering"]);

    let r = call(&org, "POST", "/api/v1/users", None).await;
    assert_error(&r, 400, "E0000003");

    // Hashed passwords: fine at create; on update only while STAGED.
    let hash = json!({"password": {"hash": {"algorithm": "BCRYPT", "workFactor": 10, "salt": "rwh3vH166HCH/NT9XV5FYu", "value": "qaMqvAPULkbiQzkTCWo5XDcvzpk8Tna"}}});
    let mut hashed = new_user("hashed@example.com", None);
    hashed["credentials"] = hash.clone();
    let h = create_user(&org, "?activate=false", hashed).await;
    let r = call(&org, "POST", &format!("/api/v1/users/{h}"), Some(&json!({"credentials": hash}))).await;
    assert_eq!(r.status, 200);
    lc(&org, &h, "activate").await;
    let r = call(&org, "POST", &format!("/api/v1/users/{h}"), Some(&json!({"credentials": hash}))).await;
    assert_error(&r, 400, "E0000001");
}

#[tokio::test]
async fn get_update_and_replace() {
    let org = FakeOrg::seeded();
    let mut body = new_user("jamie.quartz@example.com", Some(PW));
    body["profile"]["mobilePhone"] = json!("+1-555-0100-0000");
    body["profile"]["nickName"] = json!("JQ");
    body["profile"]["employeeId"] = json!("E-1");
    let id = create_user(&org, "?activate=true", body).await;

    // id, login, shortname; ETag only on single GET
    for key in [id.as_str(), "jamie.quartz@example.com", "jamie.quartz@example.com".split('@').next().unwrap()] {
        let r = get(&org, &format!("/api/v1/users/{key}?expand=blocks")).await;
        assert_eq!(r.status, 200, "{key}");
        assert_eq!(r.json()["id"], id.as_str());
        let etag = r.header("etag").unwrap();
        assert!(
            etag.starts_with("W/\"") && etag.len() == 68 && etag[3..67].bytes().all(|b| b.is_ascii_hexdigit()),
            "{etag}"
        );
        assert_eq!(r.ordered().keys(), USER_KEYS);
    }
    let me = get(&org, "/api/v1/users/me").await;
    assert_eq!(me.json()["profile"]["login"], "fake.admin@example.com");
    assert!(get(&org, "/api/v1/users?limit=1").await.header("etag").is_none());
    assert_error(&get(&org, "/api/v1/users/nobody@example.com").await, 404, "E0000007");

    // partial update keeps what was not sent
    let r = call(&org, "POST", &format!("/api/v1/users/{id}"), Some(&json!({"profile": {"nickName": "Jay"}}))).await;
    assert_eq!(r.status, 200);
    let p = &r.json()["profile"];
    assert_eq!(
        (p["nickName"].as_str(), p["mobilePhone"].as_str(), p["employeeId"].as_str()),
        (Some("Jay"), Some("+1-555-0100-0000"), Some("E-1"))
    );
    // profile keys: the six base keys always present, in Okta's order
    let keys = r.ordered().get("profile").unwrap().keys();
    assert_eq!(&keys[..3], ["firstName", "lastName", "mobilePhone"]);
    assert_eq!(&keys[keys.len() - 3..], ["secondEmail", "login", "email"]);

    // full replace drops omitted attributes
    let put = json!({"profile": {"firstName": "Jamie", "lastName": "Quartz", "email": "jamie.quartz@example.com", "login": "jamie.quartz@example.com"}});
    let r = call(&org, "PUT", &format!("/api/v1/users/{id}"), Some(&put)).await;
    assert_eq!(r.status, 200);
    let p = r.json()["profile"].clone();
    assert_eq!(p["mobilePhone"], Value::Null);
    assert!(p.get("nickName").is_none() && p.get("employeeId").is_none());
    assert_error(
        &call(&org, "PUT", &format!("/api/v1/users/{id}"), Some(&json!({"profile": {"firstName": "X"}}))).await,
        400,
        "E0000001",
    );

    // admin password set
    let r = call(
        &org,
        "POST",
        &format!("/api/v1/users/{id}"),
        Some(&json!({"credentials": {"password": {"value": "Brand-New-Passw0rd"}}})),
    )
    .await;
    assert_eq!(r.status, 200);

    // okta-response=omitCredentials
    let r =
        okta_host_req(&org, &format!("/api/v1/users/{id}"), "application/json; okta-response=omitCredentials").await;
    assert!(r.json().get("credentials").is_none());
}

async fn okta_host_req(org: &FakeOrg, path: &str, content_type: &str) -> Resp {
    let req = http::Request::builder()
        .uri(format!("{ORIGIN}{path}"))
        .header("authorization", format!("SSWS {}", FakeOrg::TOKEN))
        .header("content-type", content_type)
        .body(bytes::Bytes::new())
        .unwrap();
    match org.handle(req).await {
        okta_fake_org::Outcome::Response { response, .. } => {
            let (p, b) = response.into_parts();
            Resp { status: p.status.as_u16(), headers: p.headers, body: b, truncate_at: None }
        }
        okta_fake_org::Outcome::Dropped => panic!("dropped"),
    }
}

#[tokio::test]
async fn pagination_over_generated_users() {
    let org = FakeOrg::empty();
    org.generate_users(1234);
    assert_eq!(org.user_count(), 1234);

    let first = get(&org, "/api/v1/users").await;
    assert_eq!(first.link("self").unwrap(), format!("{ORIGIN}/api/v1/users?limit=200"));
    let next = first.link("next").unwrap();
    let (prefix, rest) = next.split_once("?after=").unwrap();
    assert_eq!(prefix, format!("{ORIGIN}/api/v1/users"));
    let (cursor, tail) = rest.split_once('&').unwrap();
    assert_eq!(tail, "limit=200");
    let last_id = first.json()[199]["id"].as_str().unwrap().to_string();
    assert_eq!(cursor, format!("2{last_id}"), "plain list cursor: status digit + last id");
    // two separate header lines
    assert_eq!(first.headers.get_all("link").iter().count(), 2);

    let (ids, pages) = collect_ids(&org, "/api/v1/users?limit=200").await;
    assert_eq!(pages, 7);
    assert_eq!(ids.len(), 1234);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1234);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "stable id order");
    for id in &ids {
        assert!(org.get_user_json(id).is_some());
    }
    // limit is capped at 200
    assert_eq!(get(&org, "/api/v1/users?limit=1000").await.json().as_array().unwrap().len(), 200);
    assert_error(&get(&org, "/api/v1/users?limit=abc").await, 400, "E0000001");

    // same n → same users
    let again = FakeOrg::empty();
    again.generate_users(1234);
    let (ids2, _) = collect_ids(&again, "/api/v1/users?limit=200").await;
    assert_eq!(ids, ids2);

    // forged cursors
    for forged in [format!("2{}", ids[5]), ids[5].clone(), "garbage".to_string()] {
        let r = get(&org, &format!("/api/v1/users?after={forged}&limit=5")).await;
        assert_error(&r, 400, "E0000029");
        assert_eq!(r.json()["errorSummary"], "Invalid paging request.");
        assert_eq!(r.json()["errorCauses"][0]["errorSummary"], "Invalid cursor.");
    }
}

#[tokio::test]
async fn fifty_thousand_users() {
    let org = FakeOrg::seeded();
    org.generate_users(50_000);
    let visible =
        org.user_count() - collect_ids(&org, "/api/v1/users?filter=status+eq+%22DEPROVISIONED%22").await.0.len();
    let (ids, pages) = collect_ids(&org, "/api/v1/users").await;
    assert_eq!((ids.len(), pages), (visible, visible.div_ceil(200)));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    // the New Users trigger query: search on created, sorted ascending
    let (new_ids, _) = collect_ids(
        &org,
        "/api/v1/users?search=created+gt+%222025-07-01T00%3A00%3A00.000Z%22&sortBy=created&sortOrder=asc",
    )
    .await;
    assert_eq!(new_ids.len(), 50_000 - 1, "generated users after the first one");
    let created: Vec<String> = new_ids
        .iter()
        .step_by(997)
        .map(|id| org.get_user_json(id).unwrap()["created"].as_str().unwrap().to_string())
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn pagination_survives_concurrent_writes() {
    let org = FakeOrg::empty();
    org.generate_users(50);
    let p1 = get(&org, "/api/v1/users?limit=20").await;
    let mut seen: Vec<String> =
        p1.json().as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect();
    // new users while paging, and the cursor user itself disappears
    let new_id = create_user(&org, "", new_user("late.arrival@example.com", Some(PW))).await;
    let cursor_user = seen.last().unwrap().clone();
    call(&org, "DELETE", &format!("/api/v1/users/{cursor_user}"), None).await;
    call(&org, "DELETE", &format!("/api/v1/users/{cursor_user}"), None).await;
    let (rest, _) = collect_ids(&org, &p1.link("next").unwrap()).await;
    seen.extend(rest);
    assert_eq!(seen.len(), 51);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 51);
    assert_eq!(seen.last(), Some(&new_id), "users created during paging show up at the end");
}

#[tokio::test]
async fn search_filter_and_q() {
    let org = FakeOrg::seeded();
    let all = org.user_count();
    let (bare, _) = collect_ids(&org, "/api/v1/users").await;
    let deprovisioned: Vec<String> = {
        let (ids, _) = collect_ids(&org, "/api/v1/users?filter=status+eq+%22DEPROVISIONED%22").await;
        ids
    };
    assert!(!deprovisioned.is_empty());
    assert_eq!(bare.len() + deprovisioned.len(), all, "a bare list leaves out DEPROVISIONED users only");
    assert!(deprovisioned.iter().all(|d| !bare.contains(d)));
    // search includes DEPROVISIONED users too
    let (searched, _) = collect_ids(&org, "/api/v1/users?search=status+eq+%22deprovisioned%22").await;
    assert_eq!(searched, deprovisioned, "search values are case-insensitive");
    // filter values are case-sensitive
    let r = get(&org, "/api/v1/users?filter=status+eq+%22deprovisioned%22").await;
    assert_eq!(r.json(), json!([]));
    assert_eq!(
        r.link("self").unwrap(),
        format!("{ORIGIN}/api/v1/users?limit=200&filter=status+eq+%22deprovisioned%22")
    );
    assert!(r.link("next").is_none());

    let admin = get(&org, "/api/v1/users?filter=profile.login%20eq%20%22fake.admin@example.com%22").await.json();
    assert_eq!(admin.as_array().unwrap().len(), 1);
    let r =
        get(&org, "/api/v1/users?search=profile.login+eq+%22FAKE.ADMIN%40EXAMPLE.COM%22+and+status+eq+%22ACTIVE%22")
            .await;
    assert_eq!(r.json()[0]["profile"]["login"], "fake.admin@example.com");
    // lastUpdated range in filter; date search
    let (recent, _) = collect_ids(&org, "/api/v1/users?filter=lastUpdated+gt+%222024-06-01T00%3A00%3A00.000Z%22").await;
    let (recent_s, _) =
        collect_ids(&org, "/api/v1/users?search=lastUpdated+gt+%222024-06-01T00%3A00%3A00.000Z%22").await;
    assert!(!recent.is_empty() && recent == recent_s);
    // co only on firstName/lastName/email/login
    assert!(!get(&org, "/api/v1/users?search=profile.email+co+%22admin%22")
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    assert_error(&get(&org, "/api/v1/users?search=profile.city+co+%22a%22").await, 400, "E0000031");
    assert_error(&get(&org, "/api/v1/users?filter=profile.city+eq+%22Madison%22").await, 400, "E0000031");
    assert_error(&get(&org, "/api/v1/users?filter=status+sw+%22A%22").await, 400, "E0000031");
    assert_error(&get(&org, "/api/v1/users?search=status+ne+%22ACTIVE%22").await, 400, "E0000031");
    assert_error(&get(&org, "/api/v1/users?search=(status+eq+%22ACTIVE%22").await, 400, "E0000031");
    let r = get(&org, "/api/v1/users?search=status+eq").await;
    assert_eq!(r.json()["errorSummary"], "Invalid search criteria.");

    // search paging: the cursor is the plain last id; sortBy/sortOrder kept in links
    let r =
        get(&org, "/api/v1/users?search=status+eq+%22ACTIVE%22&limit=3&sortBy=profile.lastName&sortOrder=desc").await;
    let items = r.json();
    let last = items[2]["id"].as_str().unwrap();
    assert_eq!(
        r.link("next").unwrap(),
        format!("{ORIGIN}/api/v1/users?after={last}&limit=3&search=status+eq+%22ACTIVE%22&sortBy=profile.lastName&sortOrder=desc")
    );
    let (sorted, _) = collect_ids(
        &org,
        "/api/v1/users?search=status+eq+%22ACTIVE%22&limit=50&sortBy=profile.lastName&sortOrder=desc",
    )
    .await;
    let names: Vec<String> = sorted
        .iter()
        .map(|id| org.get_user_json(id).unwrap()["profile"]["lastName"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "sorted by lastName desc");
    assert_eq!(sorted.len(), sorted.iter().collect::<HashSet<_>>().len());
    // sortOrder without sortBy is dropped from the self link
    let r = get(&org, "/api/v1/users?limit=1&search=status+eq+%22ACTIVE%22&sortOrder=0").await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/users?limit=1&search=status+eq+%22ACTIVE%22"));

    // q: prefix on firstName/lastName/email, no DEPROVISIONED, default limit 10, no paging, no Link
    let r = get(&org, "/api/v1/users?q=a").await;
    let hits = r.json();
    assert_eq!(hits.as_array().unwrap().len(), 10);
    assert!(r.headers.get("link").is_none());
    assert!(hits.as_array().unwrap().iter().all(|u| u["status"] != "DEPROVISIONED"));
    let dep = org.get_user_json(&deprovisioned[0]).unwrap();
    let email = dep["profile"]["email"].as_str().unwrap();
    let r = get(&org, &format!("/api/v1/users?q={}&limit=200", email.replace('@', "%40"))).await;
    assert!(r.json().as_array().unwrap().iter().all(|u| u["id"] != dep["id"]));
}

#[tokio::test]
async fn rate_limit_buckets() {
    let org = FakeOrg::seeded();
    org.set_rate_limit(5, Duration::from_secs(60));
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let r = get(&org, "/api/v1/users?limit=1").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-rate-limit-limit"), Some("5"));
        remaining.push(r.header("x-rate-limit-remaining").unwrap().to_string());
        let date = httpdate::parse_http_date(r.header("date").unwrap()).unwrap();
        let date = date.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let reset: i64 = r.header("x-rate-limit-reset").unwrap().parse().unwrap();
        assert!(reset > date && reset <= date + 61, "reset {reset} vs date {date}");
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    let r = get(&org, "/api/v1/users?limit=1").await;
    assert_error(&r, 429, "E0000047");
    assert_eq!(r.json()["errorSummary"], "API call exceeded rate limit due to too many requests.");
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    assert!(r.header("retry-after").is_none());
    assert!(r.header("cache-control").is_none());
    assert!(r.header("x-okta-request-id").is_some());
    // the users family shares the bucket (404s count too); single-user GET has its own
    assert_error(&lc(&org, "nobody", "suspend").await, 429, "E0000047");
    assert_eq!(get(&org, "/api/v1/users/me").await.status, 200);
    assert_eq!(get(&org, "/api/v1/meta/types/user").await.status, 200);
    for _ in 0..4 {
        get(&org, "/api/v1/users/nobody").await;
    }
    assert_error(&get(&org, "/api/v1/users/me").await, 429, "E0000047");

    // short windows reset
    org.set_rate_limit(1, Duration::from_millis(300));
    assert_eq!(get(&org, "/api/v1/users?limit=1").await.status, 200);
    assert_eq!(get(&org, "/api/v1/users?limit=1").await.status, 429);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(get(&org, "/api/v1/users?limit=1").await.status, 200);
}

#[tokio::test]
async fn common_headers_and_errors() {
    let org = FakeOrg::seeded();
    let r = get(&org, "/api/v1/users?limit=2").await;
    for h in [
        "date",
        "content-type",
        "x-okta-request-id",
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
        "cache-control",
        "pragma",
        "expires",
    ] {
        assert!(r.header(h).is_some(), "missing {h}");
    }
    let rid = r.header("x-okta-request-id").unwrap();
    assert!(rid.len() == 32 && rid.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert!(httpdate::parse_http_date(r.header("date").unwrap()).is_ok());
    let u = r.ordered().items()[0].clone();
    assert_eq!(u.keys(), USER_KEYS);
    assert_eq!(u.get("_links").unwrap().keys(), ["self"], "list items carry only _links.self");
    let created = u.get("created").and_then(|c| c.as_str().map(str::to_string)).unwrap();
    assert!(created.ends_with(".000Z") && created.len() == 24);

    // bad or missing token
    for token in [Some("SSWS wrong"), Some("Bearer fake-org-token-0123456789"), Some("")] {
        assert_error(&call_with(&org, "GET", "/api/v1/users", None, token).await, 401, "E0000011");
    }
    // wrong method on a known path: bare 405, no request id, no rate-limit headers
    let r = call(&org, "POST", "/api/v1/users/x/sessions", None).await;
    assert_error(&r, 405, "E0000022");
    let mut names = r.header_names();
    names.sort();
    assert_eq!(names, ["content-type", "date"]);
    // unknown path
    assert_error(&get(&org, "/api/v1/nothing/here").await, 404, "E0000008");
    // double slashes are tolerated
    assert_eq!(call(&org, "GET", "//api/v1/users?limit=1", None).await.status, 200);

    // user types: no Link header
    let r = get(&org, "/api/v1/meta/types/user").await;
    assert_eq!(r.status, 200);
    assert!(r.headers.get("link").is_none());
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    assert_error(&get(&org, "/api/v1/meta/types/user/otyNope").await, 404, "E0000007");

    // the org records what it saw
    let seen = org.requests();
    assert_eq!(seen.len(), 9);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/api/v1/users");
    assert_eq!(seen[0].query.as_deref(), Some("limit=2"));
    assert!(seen[0].headers.iter().any(|(k, v)| k == "authorization" && v.starts_with("SSWS ")));
}

#[tokio::test]
async fn groups_app_links_and_factors() {
    let org = FakeOrg::seeded();
    // a user with an sms factor
    let (ids, _) = collect_ids(&org, "/api/v1/users?filter=status+eq+%22ACTIVE%22").await;
    let mut target = None;
    for id in &ids {
        let f = get(&org, &format!("/api/v1/users/{id}/factors")).await.json();
        if let Some(sms) = f.as_array().unwrap().iter().find(|x| x["factorType"] == "sms") {
            target = Some((id.clone(), sms["id"].as_str().unwrap().to_string(), f.as_array().unwrap().len()));
            break;
        }
    }
    let (uid, fid, count) = target.expect("seeded users with sms factors");
    let r = get(&org, &format!("/api/v1/users/{uid}/factors")).await;
    assert!(r.headers.get("link").is_none());
    let f0 = r.ordered().items()[0].clone();
    assert_eq!(&f0.keys()[..3], ["id", "factorType", "provider"]);
    assert_eq!(r.json()[0]["_links"]["self"]["hints"]["allow"][0], "GET");
    let login = org.get_user_json(&uid).unwrap()["profile"]["login"].as_str().unwrap().to_string();
    assert_error(&get(&org, &format!("/api/v1/users/{login}/factors")).await, 404, "E0000007");
    let r =
        call(&org, "DELETE", &format!("/api/v1/users/{uid}/factors/{fid}?removeRecoveryEnrollment=true"), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(get(&org, &format!("/api/v1/users/{uid}/factors")).await.json().as_array().unwrap().len(), count - 1);
    let r = call(&org, "DELETE", &format!("/api/v1/users/{uid}/factors/{fid}"), None).await;
    assert_error(&r, 404, "E0000007");
    assert_eq!(r.json()["errorSummary"], format!("Not found: Resource not found: {fid} (UserFactor)"));

    // groups of a user: Everyone first, self link with the default limit
    let r = get(&org, &format!("/api/v1/users/{login}/groups")).await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/users/{uid}/groups?limit=200"));
    let g0 = r.ordered().items()[0].clone();
    assert_eq!(
        g0.keys(),
        ["id", "created", "lastUpdated", "lastMembershipUpdated", "objectClass", "type", "profile", "_links"]
    );
    assert_eq!(r.json()[0]["profile"]["name"], "Everyone");
    assert_eq!(r.json()[0]["type"], "BUILT_IN");

    // app links: Team Chat is assigned to Everyone
    let r = get(&org, &format!("/api/v1/users/{uid}/appLinks")).await;
    assert!(r.headers.get("link").is_none());
    let links = r.json();
    assert!(links.as_array().unwrap().iter().any(|l| l["label"] == "Team Chat"));
    assert_eq!(
        r.ordered().items()[0].keys(),
        [
            "id",
            "label",
            "linkUrl",
            "logoUrl",
            "appName",
            "appInstanceId",
            "appAssignmentId",
            "credentialsSetup",
            "hidden",
            "sortOrder"
        ]
    );

    // group membership round trip
    let g = call(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {"name": "Fake Org Test Group"}}))).await;
    assert_eq!(g.status, 200);
    let gid = g.json()["id"].as_str().unwrap().to_string();
    assert_eq!(call(&org, "PUT", &format!("/api/v1/groups/{gid}/users/{uid}"), None).await.status, 204);
    let names = get(&org, &format!("/api/v1/users/{uid}/groups")).await.json();
    assert!(names.as_array().unwrap().iter().any(|x| x["id"] == gid.as_str()));
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/groups/{gid}/users/{uid}"), None).await.status, 204);
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/groups/{gid}"), None).await.status, 204);
    assert_error(&get(&org, &format!("/api/v1/groups/{gid}")).await, 404, "E0000007");
}

#[tokio::test]
async fn factor_unenroll_rules() {
    let org = FakeOrg::seeded();
    let (ids, _) = collect_ids(&org, "/api/v1/users?search=status+eq+%22ACTIVE%22").await;
    let mut found = None;
    for id in &ids {
        let f = get(&org, &format!("/api/v1/users/{id}/factors")).await.json();
        let push = f.as_array().unwrap().iter().find(|x| x["factorType"] == "push").cloned();
        if let Some(push) = push {
            found = Some((id.clone(), push["id"].as_str().unwrap().to_string()));
            break;
        }
    }
    let (uid, push) = found.expect("a seeded user with Okta Verify");
    let types = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}/{}", f["factorType"].as_str().unwrap(), f["provider"].as_str().unwrap()))
            .collect()
    };
    let before = types(get(&org, &format!("/api/v1/users/{uid}/factors")).await.json());
    assert!(before.contains(&"token:software:totp/OKTA".to_string()));
    let r = call(&org, "DELETE", &format!("/api/v1/users/{uid}/factors/{push}"), None).await;
    assert_eq!(r.status, 204);
    let after = types(get(&org, &format!("/api/v1/users/{uid}/factors")).await.json());
    assert!(
        !after.iter().any(|t| t == "push/OKTA" || t == "token:software:totp/OKTA"),
        "Okta Verify factors go together: {after:?}"
    );

    // deactivated users keep their factors, and unenrolling is refused
    let f = get(&org, &format!("/api/v1/users/{uid}/factors")).await.json();
    lc(&org, &uid, "deactivate").await;
    if let Some(fid) = f.as_array().unwrap().first().and_then(|x| x["id"].as_str()) {
        assert_error(&call(&org, "DELETE", &format!("/api/v1/users/{uid}/factors/{fid}"), None).await, 403, "E0000038");
    }
    assert_error(&get(&org, "/api/v1/users/00uNoSuchUser0000000/factors").await, 404, "E0000007");
}
