//! Creates whose answer is lost, against the stateful fake org: one fault applies the write
//! and then drops the connection, the other drops it before anything is applied. Create User
//! and Create Group look the object up instead of failing or repeating blindly: the object
//! this action made comes back, one that existed before is a conflict, and a create that was
//! never applied is sent once more. Each ends with exactly one object, and every request is
//! one Okta's spec declares.

use crate::support::common::*;
use anyhow::Result;
use okta_fake_org::{FakeOrg, Fault};
use okta_harness::*;
use serde_json::{json, Value};

fn lines(exchanges: &[Exchange]) -> Vec<String> {
    exchanges
        .iter()
        .map(|e| match e.status {
            Some(s) => format!("{} {}", e.line(), s),
            None => format!("{} lost", e.line()),
        })
        .collect()
}

fn user(login: &str) -> Value {
    json!({ "login": login, "email": login, "first_name": "Lost", "last_name": "Answer", "password": "Cobol-Compiler-1959" })
}

const CREATE_USER: &str = "POST /api/v1/users?activate=true&provider=false";

#[tokio::test]
async fn create_user_recovers_a_lost_answer() -> Result<()> {
    let org = FakeOrg::seeded();
    let before = org.user_count();

    // Applied, then the connection dropped: the user this action made is returned, once.
    org.inject_fault("POST", "/api/v1/users", Fault::DropAfterApply, 1);
    let (r, ex) = run(&org, "users.create", user("lost.after@example.com")).await?;
    let created = ok(r, "applied, answer lost");
    assert_eq!(lines(&ex), [format!("{CREATE_USER} lost"), "GET /api/v1/users/lost.after%40example.com 200".into()]);
    assert_eq!(org.user_count(), before + 1, "one user, not two");
    let stored = org.get_user_json("lost.after@example.com").expect("created");
    assert_eq!((created["id"].clone(), created["status"].clone()), (stored["id"].clone(), json!("ACTIVE")));
    conforms(&ex);

    // Dropped before it was applied: not there, so sent once more.
    org.inject_fault("POST", "/api/v1/users", Fault::DropConnection, 1);
    let (r, ex) = run(&org, "users.create", user("lost.before@example.com")).await?;
    let created = ok(r, "answer lost before applying");
    assert_eq!(
        lines(&ex),
        [
            format!("{CREATE_USER} lost"),
            "GET /api/v1/users/lost.before%40example.com 404".into(),
            format!("{CREATE_USER} 200")
        ]
    );
    assert_eq!(org.user_count(), before + 2);
    assert_eq!(created["profile"]["login"], "lost.before@example.com");
    conforms(&ex);

    // The login belonged to a user from before this action: a conflict, nothing created.
    org.inject_fault("POST", "/api/v1/users", Fault::DropConnection, 1);
    let (r, ex) = run(&org, "users.create", user("fake.admin@example.com")).await?;
    let e = r.expect_err("the login was taken before");
    assert_eq!(error_kind(&e), "rejected");
    let o = okta_error(&e).unwrap();
    assert_eq!(o.error_code.as_deref(), Some("E0000001"));
    assert!(o.summary.contains("before this action began"), "{}", o.summary);
    assert_eq!(lines(&ex), [format!("{CREATE_USER} lost"), "GET /api/v1/users/fake.admin%40example.com 200".into()]);
    assert_eq!(org.user_count(), before + 2);

    // Both tries lost before applying: looked up twice, never a third create.
    org.inject_fault("POST", "/api/v1/users", Fault::DropConnection, 2);
    let (r, ex) = run(&org, "users.create", user("lost.twice@example.com")).await?;
    assert!(matches!(r, Err(WitError::Transport(ref m)) if m.contains("nothing was created")), "{r:?}");
    assert_eq!(ex.iter().filter(|e| e.method == "POST").count(), 2);
    assert_eq!(org.user_count(), before + 2);
    Ok(())
}

/// The groups named exactly `name`, through the component.
async fn named(org: &FakeOrg, name: &str) -> Result<Vec<Value>> {
    let search = format!("profile.name eq \"{name}\"");
    let (r, _) = run(org, "groups.list", json!({ "search": search })).await?;
    Ok(ok(r, "groups.list")["items"].as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn create_group_recovers_a_lost_answer() -> Result<()> {
    let org = FakeOrg::seeded();
    let lookup = |name: &str| {
        format!(
            "GET /api/v1/groups?search={}&limit=200 200",
            url::form_urlencoded::byte_serialize(
                format!("profile.name eq \"{name}\" and type eq \"OKTA_GROUP\"").as_bytes()
            )
            .collect::<String>()
        )
    };

    org.inject_fault("POST", "/api/v1/groups", Fault::DropAfterApply, 1);
    let (r, ex) = run(&org, "groups.create", json!({ "name": "Lost \"After\"", "description": "d" })).await?;
    let created = ok(r, "applied, answer lost");
    assert_eq!(lines(&ex), ["POST /api/v1/groups lost".to_string(), lookup("Lost \\\"After\\\"")]);
    let found = named(&org, "Lost \\\"After\\\"").await?;
    assert_eq!(found.len(), 1, "one group, not two");
    assert_eq!(created["id"], found[0]["id"]);
    conforms(&ex);

    org.inject_fault("POST", "/api/v1/groups", Fault::DropConnection, 1);
    let (r, ex) = run(&org, "groups.create", json!({ "name": "Lost Before" })).await?;
    let created = ok(r, "answer lost before applying");
    assert_eq!(
        lines(&ex),
        ["POST /api/v1/groups lost".to_string(), lookup("Lost Before"), "POST /api/v1/groups 200".into()]
    );
    assert_eq!(named(&org, "Lost Before").await?.len(), 1);
    assert_eq!(created["profile"]["name"], "Lost Before");

    org.inject_fault("POST", "/api/v1/groups", Fault::DropConnection, 1);
    let (r, ex) = run(&org, "groups.create", json!({ "name": "Engineering" })).await?;
    let e = r.expect_err("a seeded group's name");
    assert_eq!((error_kind(&e), okta_error(&e).unwrap().error_code.as_deref()), ("rejected", Some("E0000001")));
    assert_eq!(lines(&ex), ["POST /api/v1/groups lost".to_string(), lookup("Engineering")]);
    assert_eq!(named(&org, "Engineering").await?.len(), 1);
    Ok(())
}
