//! Policies in the fake org: the required `type`, filters, paging without a default limit,
//! `expand=rules`, create/delete with their events, and recorded-shape replays.

use crate::support::fake_org::replay::{self, Plan, Subst};
use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::json;

fn names(r: &Resp) -> Vec<String> {
    r.json().as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn listing_rules() {
    let org = FakeOrg::seeded();
    let r = get(&org, "/api/v1/policies").await;
    assert_error(&r, 400, "E0000028");
    assert_eq!(r.json()["errorCauses"][0]["errorSummary"], "type: The parameter is required.");
    assert_error(&get(&org, "/api/v1/policies?type=NOPE").await, 400, "E0000001");

    // by priority, the default policy last; no default limit, so no limit in the link
    let r = get(&org, "/api/v1/policies?type=PASSWORD").await;
    assert_eq!(names(&r), ["Strict Password", "Default Policy"]);
    assert_eq!(r.links(), vec![(format!("{ORIGIN}/api/v1/policies?type=PASSWORD"), "self".to_string())]);
    let p = r.ordered().items()[1].clone();
    assert_eq!(
        p.keys(),
        [
            "id",
            "status",
            "name",
            "description",
            "priority",
            "system",
            "conditions",
            "created",
            "lastUpdated",
            "settings",
            "_links",
            "type"
        ]
    );
    let j = r.json();
    assert!(j[1]["id"].as_str().unwrap().starts_with("00p"));
    assert_eq!((j[0]["priority"].as_i64(), j[1]["priority"].as_i64()), (Some(1), Some(2)));
    assert_eq!(j[1]["_links"]["self"]["hints"]["allow"], json!(["GET", "PUT"]));
    assert_eq!(r.ordered().items()[0].get("_links").unwrap().keys(), ["self", "rules", "activate"]);
    assert_eq!(j[0]["_links"]["self"]["hints"]["allow"], json!(["GET", "PUT", "DELETE"]));
    assert_eq!(j[1]["settings"]["password"]["complexity"]["minLength"], 8);
    assert_eq!(j[0]["settings"]["password"]["complexity"]["minLength"], 14);

    assert_eq!(names(&get(&org, "/api/v1/policies?type=PASSWORD&status=ACTIVE").await), ["Default Policy"]);
    assert_eq!(names(&get(&org, "/api/v1/policies?type=ACCESS_POLICY&q=okta").await), ["Okta Admin Console"]);
    assert_eq!(
        names(&get(&org, "/api/v1/policies?type=ACCESS_POLICY&sortBy=name").await),
        ["Default Policy", "Okta Admin Console", "Team Chat access"]
    );
    let chat = get(&org, "/api/v1/apps?q=Team").await.json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        names(&get(&org, &format!("/api/v1/policies?type=ACCESS_POLICY&resourceId={chat}")).await),
        ["Team Chat access"]
    );
    assert_error(&get(&org, "/api/v1/policies?type=PASSWORD&status=ON").await, 400, "E0000001");
    assert_error(&get(&org, "/api/v1/policies?type=PASSWORD&limit=x").await, 400, "E0000001");

    // paging when a limit is given
    let r = get(&org, "/api/v1/policies?type=ACCESS_POLICY&limit=2").await;
    let second = r.json()[1]["id"].as_str().unwrap().to_string();
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/policies?limit=2&type=ACCESS_POLICY"));
    assert_eq!(r.link("next").unwrap(), format!("{ORIGIN}/api/v1/policies?after={second}&limit=2&type=ACCESS_POLICY"));
    let (ids, pages) = collect_ids(&org, "/api/v1/policies?type=ACCESS_POLICY&limit=2").await;
    assert_eq!((ids.len(), pages), (3, 2));
    assert_error(&get(&org, &format!("/api/v1/policies?type=PASSWORD&after={second}")).await, 400, "E0000029");

    // expand=rules, single GET
    let r = get(&org, "/api/v1/policies?type=MFA_ENROLL&expand=rules").await;
    assert_eq!(r.json()[0]["_embedded"]["rules"][0]["name"], "Default Rule");
    let id = r.json()[0]["id"].as_str().unwrap().to_string();
    let one = get(&org, &format!("/api/v1/policies/{id}")).await;
    assert_eq!(
        (one.json()["type"].as_str(), one.json()["settings"]["type"].as_str()),
        (Some("MFA_ENROLL"), Some("AUTHENTICATORS"))
    );
    assert!(one.json().get("_embedded").is_none());
    let r = get(&org, "/api/v1/policies/00pNoSuchPolicy00000").await;
    assert_error(&r, 404, "E0000007");
    assert_eq!(r.json()["errorSummary"], "Not found: Resource not found: 00pNoSuchPolicy00000 (Policy)");
}

#[tokio::test]
async fn create_and_delete() {
    let org = FakeOrg::seeded();
    let body = json!({"type": "OKTA_SIGN_ON", "name": "Night Shift", "description": "Short sessions", "priority": 1,
                      "conditions": {"people": {"groups": {"include": []}}}});
    let r = call(&org, "POST", "/api/v1/policies", Some(&body)).await;
    assert_eq!(r.status, 200);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["priority"], 1);
    assert_eq!(r.json()["system"], false);
    assert_eq!(
        names(&get(&org, "/api/v1/policies?type=OKTA_SIGN_ON").await),
        ["Night Shift", "Contractor Sign-On", "Default Policy"]
    );
    let system =
        get(&org, "/api/v1/policies?type=OKTA_SIGN_ON&q=Default").await.json()[0]["id"].as_str().unwrap().to_string();
    assert_error(&call(&org, "DELETE", &format!("/api/v1/policies/{system}"), None).await, 403, "E0000006");
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/policies/{id}"), None).await.status, 204);
    let r = get(&org, "/api/v1/policies?type=OKTA_SIGN_ON").await;
    assert_eq!(names(&r), ["Contractor Sign-On", "Default Policy"]);
    assert_eq!(r.json()[1]["priority"], 2);
    assert_error(
        &call(&org, "POST", "/api/v1/policies", Some(&json!({"type": "OKTA_SIGN_ON"}))).await,
        400,
        "E0000001",
    );
    let types: Vec<String> = org
        .log_events()
        .iter()
        .filter(|e| e["eventType"].as_str().unwrap().starts_with("policy."))
        .map(|e| format!("{} {}", e["eventType"].as_str().unwrap(), e["target"][0]["type"].as_str().unwrap()))
        .collect();
    assert_eq!(types, ["policy.lifecycle.create Policy", "policy.lifecycle.delete Policy"]);
}

#[tokio::test]
async fn recorded_policy_shapes() {
    let org = FakeOrg::seeded();
    let mut subst = Subst::default();
    let mut total = 0;
    for file in [
        "terraform-provider-okta/idaas/TestAccDataSourceOktaPolicy_read/classic-00.yaml",
        "okta-sdk-python/test_policies_it/TestPoliciesResource.test_list_policies_by_type.yaml",
    ] {
        total += replay::replay(&org, file, Plan::default(), &mut subst).await;
    }
    assert_eq!(total, 11);
}
