//! The fake org's edge across all areas: path normalisation, bare 405s, 404s behind
//! authentication and the rate limit, per-area buckets, OAuth scopes declared per route.

use std::time::Duration;

use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::json;

#[tokio::test]
async fn methods_paths_and_buckets() {
    let org = FakeOrg::seeded();
    // a known path with another method: bare 405 in every area
    for (method, path) in [
        ("POST", "/api/v1/logs"),
        ("PATCH", "/api/v1/groups"),
        ("PUT", "/api/v1/apps"),
        ("DELETE", "/api/v1/policies"),
        ("PUT", "/api/v1/eventHooks/whoX/lifecycle/activate/"),
        ("GET", "/api/v1/eventHooks/whoX/lifecycle/verify"),
    ] {
        let r = call(&org, method, path, None).await;
        assert_error(&r, 405, "E0000022");
        let mut names = r.header_names();
        names.sort();
        assert_eq!(names, ["content-type", "date"], "{method} {path}");
    }
    // unknown paths: 404 E0000008, but only with a valid token, and counted
    assert_error(&get(&org, "/api/v1/logs/extra").await, 404, "E0000008");
    assert_error(&call_with(&org, "GET", "/api/v1/nothing", None, Some("SSWS bad")).await, 401, "E0000011");
    // trailing and double slashes route like Okta's
    assert_eq!(get(&org, "//api/v1/apps/?limit=1").await.status, 200);

    // each area has its own bucket; an area's paths share it
    org.set_rate_limit(3, Duration::from_secs(60));
    let app = get(&org, "/api/v1/apps?limit=1").await.json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(get(&org, &format!("/api/v1/apps/{app}")).await.header("x-rate-limit-remaining"), Some("1"));
    assert_eq!(get(&org, &format!("/api/v1/apps/{app}/users")).await.header("x-rate-limit-remaining"), Some("0"));
    assert_error(&get(&org, "/api/v1/apps").await, 429, "E0000047");
    for path in
        ["/api/v1/logs", "/api/v1/eventHooks", "/api/v1/realms", "/api/v1/policies?type=PASSWORD", "/api/v1/groups"]
    {
        assert_eq!(get(&org, path).await.header("x-rate-limit-remaining"), Some("2"), "{path}");
    }
}

#[tokio::test]
async fn oauth_scopes_per_route() {
    let org = FakeOrg::seeded();
    assert!(org.issue_access_token(&["okta.users.write"]).is_err());
    let token = org.issue_access_token(&["okta.users.read", "okta.logs.read"]).unwrap();
    let bearer = format!("Bearer {token}");
    assert_eq!(call_with(&org, "GET", "/api/v1/users?limit=1", None, Some(&bearer)).await.status, 200);
    assert_eq!(call_with(&org, "GET", "/api/v1/logs?limit=1", None, Some(&bearer)).await.status, 200);
    for (method, path, scope) in [
        ("POST", "/api/v1/users", "okta.users.manage"),
        ("GET", "/api/v1/groups", "okta.groups.read"),
        ("GET", "/api/v1/apps", "okta.apps.read"),
        ("GET", "/api/v1/eventHooks", "okta.eventHooks.read"),
        ("GET", "/api/v1/meta/types/user", "okta.userTypes.read"),
        ("GET", "/api/v1/realms", "okta.realms.read"),
    ] {
        let before = org.log_events().len();
        let r = call_with(&org, method, path, Some(&json!({"profile": {}})), Some(&bearer)).await;
        // Okta answers a missing scope with an empty body: the challenge says it all.
        assert_eq!(r.status, 403);
        assert!(r.body.is_empty());
        assert_eq!(
            r.header("www-authenticate").unwrap(),
            format!(
                "Bearer authorization_uri=\"{ORIGIN}/oauth2/v1/authorize\", realm=\"{ORIGIN}\", scope=\"{scope}\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"{}\"",
                path.split('?').next().unwrap()
            )
        );
        assert_eq!(org.log_events().len(), before);
    }
    // an unknown bearer token is an invalid token
    assert_error(&call_with(&org, "GET", "/api/v1/users", None, Some("Bearer eyJnope")).await, 401, "E0000011");
    // writes through OAuth are recorded with the admin as actor too
    let admin = org.issue_access_token(&["okta.groups.manage"]).unwrap();
    let r = call_with(
        &org,
        "POST",
        "/api/v1/groups",
        Some(&json!({"profile": {"name": "Via OAuth"}})),
        Some(&format!("Bearer {admin}")),
    )
    .await;
    assert_eq!(r.status, 200);
    let last = org.log_events().pop().unwrap();
    assert_eq!(
        (last["eventType"].as_str(), last["actor"]["alternateId"].as_str()),
        (Some("group.lifecycle.create"), Some("fake.admin@example.com"))
    );
}
