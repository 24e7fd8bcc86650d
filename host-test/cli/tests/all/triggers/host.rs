//! The triggers through the built component: the Event Hook trigger's deploy, redeploy and
//! teardown against the fake org (whose verification calls a real loopback endpoint), every
//! case of receive with deliveries the fake org really sent, and the polling triggers' first
//! runs, through the generic door and the typed one.

use crate::support::common::*;
use crate::support::fake_org::receiver::Receiver;
use anyhow::Result;
use okta_fake_org::FakeOrg;
use okta_harness::*;
use serde_json::{json, Value};
use std::time::Duration;

const SECRET_HEADER: &str = "x-okta-connector-secret";

async fn instance(org: &FakeOrg) -> Result<Instance> {
    connector().instantiate(Backend::FakeOrg(org.clone())).await
}

async fn list_hooks(org: &FakeOrg) -> Result<Vec<Value>> {
    let (r, _) = run(org, "event-hooks.list", json!({})).await?;
    Ok(ok(r, "event-hooks.list").as_array().unwrap().clone())
}

#[tokio::test]
async fn deploy_redeploy_and_teardown() -> Result<()> {
    let org = FakeOrg::seeded();
    let endpoint = Receiver::start().await;
    let url = endpoint.url("/hook");
    let input = json!({ "items": ["group.lifecycle.create"], "headers": [{ "key": "X-Env", "value": "test" }] });
    let before = list_hooks(&org).await?.len();

    let (id, state) = instance(&org).await?.deploy_hook(&connection(), &input, &url, None).await??;
    let hooks = list_hooks(&org).await?;
    assert_eq!(hooks.len(), before + 1);
    let hook = hooks.iter().find(|h| h["id"] == id).unwrap();
    assert_eq!((hook["status"].as_str(), hook["verificationStatus"].as_str()), (Some("ACTIVE"), Some("VERIFIED")));
    let verification = &endpoint.received()[0];
    let secret = verification.header(SECRET_HEADER).expect("the generated secret is the auth header").to_string();
    assert!(secret.len() >= 32, "a 256-bit secret");
    assert!(!state.is_empty());

    // Redeploy with the state: the same hook, the same secret, no duplicate.
    let (again, state2) = instance(&org).await?.deploy_hook(&connection(), &input, &url, Some(&state)).await??;
    assert_eq!(again, id);
    assert_eq!(list_hooks(&org).await?.len(), before + 1);
    assert_eq!(endpoint.received().last().unwrap().header(SECRET_HEADER), Some(secret.as_str()));

    // Redeploy without the state (a host that lost it): still one hook, a new secret.
    let (third, state3) = instance(&org).await?.deploy_hook(&connection(), &input, &url, None).await??;
    assert_eq!(third, id);
    assert_eq!(list_hooks(&org).await?.len(), before + 1);
    assert_ne!(endpoint.received().last().unwrap().header(SECRET_HEADER), Some(secret.as_str()));
    assert_ne!(state2, state3, "a new secret, a new state");

    instance(&org).await?.teardown_hook(&connection(), &state3).await??;
    assert_eq!(list_hooks(&org).await?.len(), before, "torn down");
    instance(&org).await?.teardown_hook(&connection(), &state3).await??;
    Ok(())
}

#[tokio::test]
async fn receive_turns_real_deliveries_into_events_once() -> Result<()> {
    let org = FakeOrg::seeded();
    let endpoint = Receiver::start().await;
    let url = endpoint.url("/hook");
    let input = json!({ "items": ["group.lifecycle.create", "group.user_membership.add"] });
    let (_, mut state) = instance(&org).await?.deploy_hook(&connection(), &input, &url, None).await??;

    // Okta delivers a write; the host hands the request to receive.
    run(&org, "groups.create", json!({ "name": "Delivered" })).await?.0.expect("created");
    let posts = endpoint.wait_posts(1, Duration::from_secs(5)).await;
    let delivery = posts.last().expect("a delivery");
    let headers: Vec<(&str, &str)> = delivery.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut inst = instance(&org).await?;
    let got = inst.receive_hook(&input, &state, "POST", &headers, &delivery.body).await?;
    assert_eq!(got.status, 200);
    let events: Vec<Value> = serde_json::from_str(&got.events)?;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["eventType"], "group.lifecycle.create");
    assert!(inst.exchanges().is_empty(), "receive sends nothing");
    state = got.state;

    // The same delivery again (Okta delivers at least once): nothing twice.
    let again = instance(&org).await?.receive_hook(&input, &state, "POST", &headers, &delivery.body).await?;
    assert_eq!((again.status, again.events.as_str()), (200, "[]"));

    // Nor after 1 500 other events (a copy held up behind a burst): the window is 5 minutes.
    let secret = delivery.header(SECRET_HEADER).unwrap();
    let mut burst_state = state.clone();
    for batch in 0..3 {
        let events: Vec<Value> = (0..500)
            .map(|i| json!({ "uuid": format!("burst-{batch}-{i}"), "eventType": "group.lifecycle.create" }))
            .collect();
        let body = json!({ "eventType": "com.okta.event_hook", "data": { "events": events } }).to_string();
        let r = instance(&org)
            .await?
            .receive_hook(&input, &burst_state, "POST", &[(SECRET_HEADER, secret)], body.as_bytes())
            .await?;
        assert_eq!(serde_json::from_str::<Vec<Value>>(&r.events)?.len(), 500);
        burst_state = r.state;
    }
    let late = instance(&org).await?.receive_hook(&input, &burst_state, "POST", &headers, &delivery.body).await?;
    assert_eq!((late.status, late.events.as_str()), (200, "[]"));

    // A type the trigger does not subscribe to is dropped.
    let other = json!({ "eventType": "com.okta.event_hook", "data": { "events": [
        { "uuid": "x-1", "eventType": "user.lifecycle.create" },
        { "uuid": "x-2", "eventType": "group.user_membership.add" }
    ] } });
    let r = instance(&org)
        .await?
        .receive_hook(&input, &state, "POST", &[(SECRET_HEADER, secret)], other.to_string().as_bytes())
        .await?;
    let events: Vec<Value> = serde_json::from_str(&r.events)?;
    assert_eq!(events.iter().map(|e| e["uuid"].clone()).collect::<Vec<_>>(), vec![json!("x-2")]);

    // Wrong or missing secret: 401, nothing emitted; malformed and oversized bodies: 4xx.
    let body = other.to_string();
    for headers in [vec![], vec![(SECRET_HEADER, "not-the-secret-at-all-000000000000000")]] {
        let r = instance(&org).await?.receive_hook(&input, &state, "POST", &headers, body.as_bytes()).await?;
        assert_eq!((r.status, r.events.as_str()), (401, "[]"));
    }
    let r =
        instance(&org).await?.receive_hook(&input, &state, "POST", &[(SECRET_HEADER, secret)], b"{not json").await?;
    assert_eq!(r.status, 400);
    let huge = vec![b' '; 5 * 1024 * 1024];
    let r = instance(&org).await?.receive_hook(&input, &state, "POST", &[(SECRET_HEADER, secret)], &huge).await?;
    assert_eq!(r.status, 413);

    // The one-time verification GET is answered with its challenge.
    let r = instance(&org)
        .await?
        .receive_hook(&input, &state, "GET", &[("X-Okta-Verification-Challenge", "ch-123")], b"")
        .await?;
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"verification":"ch-123"}"#));
    Ok(())
}

#[tokio::test]
async fn the_typed_door_receives_too() -> Result<()> {
    let mut inst = connector().instantiate(Backend::Scripted(vec![])).await?;
    let (bindings, store) = inst.bindings_and_store();
    let input = bindings::exports::okta::connector::triggers::EventHookTriggerInput {
        items: None,
        dynamic_items: None,
        headers: None,
        filters: None,
    };
    let request = IncomingRequest {
        method: "GET".into(),
        headers: vec![KeyValue { key: "x-okta-verification-challenge".into(), value: "typed".into() }],
        body: vec![],
    };
    let r = bindings
        .okta_connector_triggers()
        .call_receive_event_hook(&mut *store, &input, "", &request)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(r.body, r#"{"verification":"typed"}"#);
    Ok(())
}

#[tokio::test]
async fn first_runs_record_where_the_data_stands() -> Result<()> {
    let org = FakeOrg::seeded();
    for trigger in ["users.new", "users.updated"] {
        let mut inst = instance(&org).await?;
        let (items, state) = inst.poll(trigger, &connection(), &json!({}), None).await??;
        assert!(items.is_empty(), "{trigger}: a first run returns nothing");
        conforms(&inst.exchanges());
        assert!(state.len() < 2048, "{trigger}: a small state ({} bytes)", state.len());
        // Nothing changed: one request, nothing returned.
        let mut inst = instance(&org).await?;
        let (items, _) = inst.poll(trigger, &connection(), &json!({}), Some(&state)).await??;
        assert!(items.is_empty());
        assert_eq!(inst.exchanges().len(), 1, "{trigger}: one request when nothing changed");
    }
    run(&org, "groups.create", json!({ "name": "Within the hour" })).await?.0.expect("created");
    let mut inst = instance(&org).await?;
    let (items, state) = inst.poll("system-log.new", &connection(), &json!({}), None).await??;
    assert!(items.iter().any(|e| e["eventType"] == "group.lifecycle.create"), "a first run starts an hour back");
    let mut inst = instance(&org).await?;
    let (items, _) = inst.poll("system-log.new", &connection(), &json!({}), Some(&state)).await??;
    assert!(items.is_empty());
    assert_eq!(inst.exchanges().len(), 1);

    // Unknown triggers and broken states are refused, naming the field.
    let e = instance(&org).await?.poll("users.deleted", &connection(), &json!({}), None).await?.unwrap_err();
    assert_eq!(invalid_field(&e), "trigger");
    let e = instance(&org).await?.poll("users.new", &connection(), &json!({}), Some("{garbage")).await?.unwrap_err();
    assert_eq!(invalid_field(&e), "state");
    Ok(())
}
