//! The untyped door (`UntypedConnector`): a component of any version of the contract called
//! through its catalog's `invoke`, as the bench runs the build from before the shared budget.
//! Here the tree's own component, whose typed door gives the reference answer.

use crate::support::common::*;
use anyhow::Result;
use okta_fake_org::FakeOrg;
use okta_harness::*;
use serde_json::json;

#[tokio::test]
async fn invoke_sends_what_the_typed_door_sends_and_returns_its_result() -> Result<()> {
    let org = FakeOrg::seeded();
    let id = org.user_ids()[0].clone();
    let untyped = UntypedConnector::load(connector().path())?;
    let mut inst = untyped.instantiate_with(Backend::FakeOrg(org.clone()), InstanceOptions::default()).await?;
    let connection = json!({ "api-token": { "domain": DOMAIN, "token": FakeOrg::TOKEN } });
    let got = inst.invoke("users.get", &connection, &json!({ "id": id })).await?.expect("the user");
    let user: serde_json::Value = serde_json::from_str(&got)?;
    assert_eq!(user["id"], json!(id));
    let sent = inst.exchanges();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].method.as_str(), sent[0].path.as_str()), ("GET", format!("/api/v1/users/{id}").as_str()));
    assert_eq!(sent[0].request_header("authorization"), Some(format!("SSWS {}", FakeOrg::TOKEN).as_str()));

    let (typed, _) = run(&org, "users.get", json!({ "id": id })).await?;
    assert_eq!(typed.expect("the user"), user);

    // The action's error comes back as its case and message, never the token.
    let wrong = json!({ "api-token": { "domain": DOMAIN, "token": "not-the-token-0123456789" } });
    let err = inst.invoke("users.get", &wrong, &json!({ "id": id })).await?.expect_err("refused");
    assert!(err.starts_with("okta: ") && err.contains("status 401"), "{err}");
    assert!(!err.contains("not-the-token"), "{err}");

    // A connection that is not a value of the WIT's type is the caller's error, sent nowhere.
    inst.clear_exchanges();
    let e = inst.invoke("users.get", &json!({ "api-key": {} }), &json!({ "id": id })).await.unwrap_err();
    assert!(e.to_string().contains("connection: no case api-key"), "{e}");
    let e = inst.invoke("users.get", &json!({ "api-token": { "domain": 7 } }), &json!({})).await.unwrap_err();
    assert!(e.to_string().contains("connection.api-token.domain: a string expected"), "{e}");
    assert!(inst.exchanges().is_empty());
    Ok(())
}
