//! `listings`: every list action read page by page through the component, the exact requests
//! one page at a time, errors that leave the listing where it was, the guest's memory flat
//! whatever the listing's length, and the harness keeping no bodies when asked to keep nothing.

use std::sync::{Arc, Mutex};

use anyhow::Result;
use serde_json::{json, Value};

use crate::support::common::*;
use okta_fake_org::FakeOrg;
use okta_harness::*;

/// An input for each list action the catalog names, against the seeded fake org.
fn input_for(id: &str, group_id: &str) -> Value {
    match id {
        "users.list" => json!({ "limit": 7 }),
        "groups.list" => json!({ "limit": 2 }),
        "groups.list-members" => json!({ "group_id": group_id, "limit": 11 }),
        "apps.list" => json!({ "limit": 2 }),
        "policies.list" => json!({ "type": "PASSWORD", "limit": 1 }),
        "realms.list" => json!({ "limit": 1 }),
        "system-log.get" => {
            let since =
                crate::round_trips::iso(std::time::SystemTime::now() - std::time::Duration::from_secs(90 * 86_400));
            json!({ "limit": 50, "since": since, "until": "2100-01-01T00:00:00.000Z" })
        }
        other => panic!("a list action without a listing test: {other} (give it an input here)"),
    }
}

#[tokio::test]
async fn every_list_action_streams_what_fetch_all_returns() -> Result<()> {
    let org = FakeOrg::seeded();
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let catalog = instance.describe_json().await?;
    let listings: Vec<&str> = catalog["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["listing"] == true)
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listings,
        [
            "users.list",
            "groups.list",
            "groups.list-members",
            "apps.list",
            "policies.list",
            "realms.list",
            "system-log.get"
        ]
    );
    let groups = ok(instance.invoke_json("groups.list", &connection(), &json!({ "q": "Everyone" })).await?, "groups");
    let everyone = groups["items"][0]["id"].as_str().unwrap().to_string();
    for id in listings {
        let input = input_for(id, &everyone);
        let mut all_input = input.clone();
        all_input["fetch_all"] = json!(true);
        let mut reference = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
        let all = ok(reference.invoke_json(id, &connection(), &all_input).await?, id);
        let all = all["items"].as_array().unwrap().clone();
        assert!(all.len() > 1, "{id}: the seeded org has more than one ({})", all.len());

        let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
        let streamed = ok(instance.list_all(id, &connection(), &input.to_string()).await?.map(Value::from), id);
        assert_eq!(streamed.as_array().unwrap(), &all, "{id}: the same items in the same order");
        assert_eq!(
            instance.exchanges().len(),
            reference.exchanges().len(),
            "{id}: the same requests as Fetch All ({} items)",
            all.len()
        );
        for (a, b) in instance.exchanges().iter().zip(reference.exchanges()) {
            assert_eq!(a.url, b.url, "{id}");
        }
        conforms(&instance.exchanges());
    }
    Ok(())
}

fn user(id: &str) -> Value {
    json!({ "id": id, "status": "ACTIVE", "profile": { "login": format!("{id}@example.com") } })
}

/// Sends nothing on open, one request per page after, and the cursor of the page to come.
#[tokio::test]
async fn a_listing_asks_for_one_page_per_call() -> Result<()> {
    let script = vec![
        (
            req("GET", "/api/v1/users?limit=2&search=status+eq+%22ACTIVE%22"),
            CannedResponse::json(200, json!([user("00u1"), user("00u2")]))
                .link_next(&format!("{ORIGIN}/api/v1/users?after=00u2&limit=2&search=status+eq+%22ACTIVE%22")),
        ),
        (
            req("GET", "/api/v1/users?after=00u2&limit=2&search=status+eq+%22ACTIVE%22"),
            CannedResponse::json(200, json!([user("00u3")])),
        ),
    ];
    let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
    // Fetch All off in the input: a listing reads every page all the same.
    let input = json!({ "limit": 2, "search": "status eq \"ACTIVE\"", "fetch_all": false }).to_string();
    let listing = instance.open_listing("users.list", &script_connection(), &input).await?.expect("opened");
    assert!(instance.exchanges().is_empty(), "nothing is sent on open");
    assert_eq!(instance.listing_cursor(&listing).await?, None);

    let first = instance.next_page(&listing).await?.expect("a page").expect("not done");
    assert_eq!(serde_json::from_str::<Value>(&first)?, json!([user("00u1"), user("00u2")]));
    assert_eq!(instance.exchanges().len(), 1, "one request for one page");
    assert_eq!(instance.listing_cursor(&listing).await?.as_deref(), Some("00u2"));

    let second = instance.next_page(&listing).await?.expect("a page").expect("not done");
    assert_eq!(serde_json::from_str::<Value>(&second)?, json!([user("00u3")]));
    assert_eq!(instance.next_page(&listing).await?.expect("done"), None);
    assert_eq!(instance.next_page(&listing).await?.expect("still done"), None);
    assert_eq!(instance.listing_cursor(&listing).await?, None);
    instance.close_listing(listing).await?;
    instance.assert_script_consumed()?;
    assert_eq!(instance.exchanges().len(), 2);
    Ok(())
}

/// A page that fails is asked for again on the next call: nothing lost, nothing repeated.
#[tokio::test]
async fn a_failed_page_is_asked_again() -> Result<()> {
    let next = format!("{ORIGIN}/api/v1/users?after=00u2&limit=2");
    let script = vec![
        (
            req("GET", "/api/v1/users?limit=2"),
            CannedResponse::json(200, json!([user("00u1"), user("00u2")])).link_next(&next),
        ),
        (req("GET", "/api/v1/users?after=00u2&limit=2"), CannedResponse::raw(200, "text/html", "<html>")),
        (req("GET", "/api/v1/users?after=00u2&limit=2"), CannedResponse::json(200, json!([user("00u3")]))),
    ];
    let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
    let listing = instance.open_listing("users.list", &script_connection(), r#"{"limit": 2}"#).await?.expect("opened");
    let mut ids = Vec::new();
    let mut failures = 0;
    loop {
        match instance.next_page(&listing).await? {
            Ok(Some(page)) => ids.extend(crate::support::common::ids(&serde_json::from_str(&page)?)),
            Ok(None) => break,
            Err(e) => {
                assert_eq!(error_kind(&e), "unexpected-response", "{}", error_json(&e));
                assert!(!format!("{e:?}").contains(SCRIPT_TOKEN));
                failures += 1;
            }
        }
    }
    assert_eq!((ids, failures), (vec!["00u1".to_string(), "00u2".into(), "00u3".into()], 1));
    instance.assert_script_consumed()?;
    Ok(())
}

#[tokio::test]
async fn open_refuses_what_is_not_a_listing_and_bad_inputs_sending_nothing() -> Result<()> {
    let mut instance = connector().instantiate(Backend::Scripted(vec![])).await?;
    let refused = |r: CallResult<Listing>| match r {
        Ok(Err(e)) => e,
        Ok(Ok(_)) => panic!("opened"),
        Err(e) => panic!("{e:#}"),
    };
    let e = refused(instance.open_listing("users.get", &script_connection(), r#"{"id": "00u1"}"#).await);
    assert_eq!(invalid_field(&e), "action");
    assert!(error_json(&e)["message"].as_str().unwrap().contains("users.list"), "{}", error_json(&e));
    let e = refused(instance.open_listing("users.list", &script_connection(), r#"{"limit": 0}"#).await);
    assert_eq!(invalid_field(&e), "limit");
    let e = refused(instance.open_listing("policies.list", &script_connection(), "{}").await);
    assert_eq!(invalid_field(&e), "type");
    let bad = api_token("not a domain", SCRIPT_TOKEN);
    let e = refused(instance.open_listing("users.list", &bad, "{}").await);
    assert_eq!(error_kind(&e), "invalid-connection");
    assert!(!format!("{e:?}").contains(SCRIPT_TOKEN));
    assert!(instance.exchanges().is_empty());
    Ok(())
}

/// The guest holds one page: reading 10 000 users peaks no higher than reading the first
/// 1 000 (Fetch All of the same users grows with them).
#[tokio::test]
async fn a_listing_holds_one_page_at_a_time() -> Result<()> {
    let org = FakeOrg::empty();
    org.generate_users(10_000);
    org.set_rate_limit(1_000_000, std::time::Duration::from_secs(60));
    let options = InstanceOptions { record: Record::Nothing, ..InstanceOptions::default() };
    let mut instance = connector().instantiate_with(Backend::FakeOrg(org.clone()), options.clone()).await?;
    let listing = instance.open_listing("users.list", &connection(), r#"{"limit": 100}"#).await?.expect("opened");
    let (mut count, mut early_peak) = (0, 0);
    while let Some(page) = instance.next_page(&listing).await?.expect("a page") {
        count += serde_json::from_str::<Vec<serde::de::IgnoredAny>>(&page)?.len();
        if count == 1_000 {
            early_peak = instance.guest_memory_peak();
        }
    }
    instance.close_listing(listing).await?;
    assert_eq!(count, 10_000);
    let peak = instance.guest_memory_peak();
    assert!(peak <= early_peak + (1 << 20), "the guest grew from {early_peak} to {peak} bytes");

    let mut all = connector().instantiate_with(Backend::FakeOrg(org), options).await?;
    ok(all.invoke_json("users.list", &connection(), &json!({ "limit": 100, "fetch_all": true })).await?, "all");
    assert!(all.guest_memory_peak() > peak + (4 << 20), "Fetch All holds every user: {}", all.guest_memory_peak());
    Ok(())
}

/// With `Record::Nothing` the instance keeps no exchange, while an observer still sees each
/// one whole as it ends (what `--trace` prints).
#[tokio::test]
async fn record_nothing_keeps_no_exchange_but_observers_see_bodies() -> Result<()> {
    let org = FakeOrg::seeded();
    let seen = Arc::new(Mutex::new(Vec::<Exchange>::new()));
    let sink = seen.clone();
    let observer = ExchangeObserver::new(move |e| sink.lock().unwrap().push(e.clone()));
    for observer in [None, Some(observer)] {
        let watched = observer.is_some();
        let options = InstanceOptions { record: Record::Nothing, observer, ..InstanceOptions::default() };
        let mut instance = connector().instantiate_with(Backend::FakeOrg(org.clone()), options).await?;
        ok(
            instance.invoke_json("users.list", &connection(), &json!({ "limit": 100, "fetch_all": true })).await?,
            "list",
        );
        assert!(instance.exchanges().is_empty());
        if watched {
            let seen = seen.lock().unwrap();
            assert!(seen.len() >= 3, "the seeded org's users in pages of 100: {}", seen.len());
            assert!(seen.iter().all(|e| e.status == Some(200) && e.response_body.starts_with(b"[{")));
        }
    }
    Ok(())
}
