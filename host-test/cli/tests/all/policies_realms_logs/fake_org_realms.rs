//! Realms in the fake org: the implicit `search=id pr` and its default page of 10, search and
//! sort rules, reads and writes, and recorded-shape replays.

use crate::support::fake_org::replay::{self, Plan, Subst};
use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::json;

fn names(r: &Resp) -> Vec<String> {
    r.json().as_array().unwrap().iter().map(|p| p["profile"]["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn listing_and_reads() {
    let org = FakeOrg::seeded();
    // seven seeded realms and six more: two pages of the default limit
    for i in 0..6 {
        let r = call(&org, "POST", "/api/v1/realms", Some(&json!({"profile": {"name": format!("Extra {i}")}}))).await;
        assert_eq!(r.status, 200);
    }
    let r = get(&org, "/api/v1/realms").await;
    let items = r.json();
    assert_eq!(items.as_array().unwrap().len(), 10);
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/realms?limit=10&search=id+pr"));
    let tenth = items[9]["id"].as_str().unwrap();
    assert!(tenth.starts_with("guo"));
    assert_eq!(r.link("next").unwrap(), format!("{ORIGIN}/api/v1/realms?after={tenth}&limit=10&search=id+pr"));
    let first = r.ordered().items()[0].clone();
    assert_eq!(first.keys(), ["id", "created", "lastUpdated", "profile", "isDefault", "_links"]);
    assert_eq!(first.get("profile").unwrap().keys(), ["name"], "the default realm has no domains");
    assert_eq!(items[0]["isDefault"], true);
    assert_eq!(items[1]["profile"]["domains"], json!(["carco.example.com", "partners.example.com"]));
    assert_eq!(
        items[0]["_links"]["self"],
        json!({"rel": "self", "href": format!("{ORIGIN}/api/v1/realms/{}", items[0]["id"].as_str().unwrap()), "method": "GET"})
    );
    let (ids, pages) = collect_ids(&org, "/api/v1/realms").await;
    assert_eq!((ids.len(), pages), (13, 2));

    let r = get(&org, "/api/v1/realms?search=profile.name+co+%22staff%22").await;
    assert_eq!(names(&r), ["EU Staff", "APAC Staff"]);
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/realms?limit=10&search=profile.name+co+%22staff%22"));
    let r = get(&org, "/api/v1/realms?search=profile.name+co+%22staff%22&sortBy=profile.name&sortOrder=asc").await;
    assert_eq!(names(&r), ["APAC Staff", "EU Staff"]);
    assert_eq!(
        r.link("self").unwrap(),
        format!("{ORIGIN}/api/v1/realms?limit=10&search=profile.name+co+%22staff%22&sortBy=profile.name&sortOrder=asc")
    );
    let one_page = get(&org, "/api/v1/realms?sortBy=profile.name&sortOrder=desc&limit=20").await;
    let desc = names(&one_page);
    let mut expected = desc.clone();
    expected.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!((desc.len(), &desc), (13, &expected));
    let (paged, pages) = collect_ids(&org, "/api/v1/realms?sortBy=profile.name&sortOrder=desc&limit=5").await;
    let one_page_ids: Vec<String> =
        one_page.json().as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!((paged, pages), (one_page_ids, 3));
    for bad in ["profile.name+eq+%22EU+Staff%22", "id+co+%22guo%22", "profile.name+sw+%22E%22"] {
        assert_error(&get(&org, &format!("/api/v1/realms?search={bad}")).await, 400, "E0000031");
    }
    assert_error(&get(&org, "/api/v1/realms?limit=0").await, 400, "E0000001");

    let one = get(&org, &format!("/api/v1/realms/{}", ids[3])).await;
    assert_eq!(one.json()["profile"]["name"], "EU Staff");
    let r = get(&org, "/api/v1/realms/nonexistent_realm_123456").await;
    assert_error(&r, 404, "E0000007");
    assert_eq!(r.json()["errorSummary"], "Not found: Resource not found: nonexistent_realm_123456 (Realm)");
    // create, replace, delete
    let r =
        call(&org, "POST", "/api/v1/realms", Some(&json!({"profile": {"name": "New Realm", "realmType": "PARTNER"}})))
            .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["profile"], json!({"name": "New Realm", "domains": []}), "realmType is not echoed");
    let nid = r.json()["id"].as_str().unwrap().to_string();
    let r = call(
        &org,
        "PUT",
        &format!("/api/v1/realms/{nid}"),
        Some(&json!({"profile": {"name": "Renamed", "domains": ["r.example.com"]}})),
    )
    .await;
    assert_eq!(r.json()["profile"], json!({"name": "Renamed", "domains": ["r.example.com"]}));
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/realms/{nid}"), None).await.status, 204);
    assert_error(&call(&org, "DELETE", &format!("/api/v1/realms/{}", ids[0]), None).await, 403, "E0000006");
    assert_error(&call(&org, "POST", "/api/v1/realms", None).await, 400, "E0000003");
    // realms are updated with PUT, never POST
    let r = call(&org, "POST", &format!("/api/v1/realms/{}", ids[3]), Some(&json!({"profile": {"name": "x"}}))).await;
    assert_error(&r, 405, "E0000022");
}

#[tokio::test]
async fn recorded_realm_shapes() {
    let org = FakeOrg::seeded();
    let mut subst = Subst::default();
    let dir = "okta-sdk-python/test_realms_it";
    let mut total = 0;
    for (file, plan) in [
        ("TestRealmsResource.test_list_realms_pagination_edge_cases.yaml", Plan::default()),
        ("TestRealmsResource.test_get_realm_not_found_error.yaml", Plan::default()),
        ("TestRealmsResource.test_create_realm_invalid_data_error.yaml", Plan::default()),
        ("TestRealmsResource.test_update_realm_basic.yaml", Plan::default()),
        ("TestRealmsResource.test_delete_realm_basic.yaml", Plan::default()),
        ("TestRealmsResource.test_comprehensive_realm_workflow.yaml", Plan::default()),
    ] {
        total += replay::replay(&org, &format!("{dir}/{file}"), plan, &mut subst).await;
    }
    assert_eq!(total, 21);
}
