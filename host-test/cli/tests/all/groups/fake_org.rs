//! Groups in the fake org: CRUD with Okta's rules, listing with search/filter/q/expand and
//! paging, membership, and recorded-shape replays of real group traffic.

use crate::support::fake_org::replay::{self, Plan, Subst};
use crate::support::fake_org::*;
use okta_fake_org::FakeOrg;
use serde_json::json;

const PW: &str = "Sturdy-Passw0rd";

fn group_names(r: &Resp) -> Vec<String> {
    r.json().as_array().unwrap().iter().map(|g| g["profile"]["name"].as_str().unwrap().to_string()).collect()
}

async fn group_id(org: &FakeOrg, name: &str) -> String {
    let r = get(org, &format!("/api/v1/groups?q={}", name.replace(' ', "%20"))).await;
    r.json().as_array().unwrap().iter().find(|g| g["profile"]["name"] == name).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn crud_rules() {
    let org = FakeOrg::seeded();
    let r = call(
        &org,
        "POST",
        "/api/v1/groups",
        Some(&json!({"profile": {"name": "Blue Team", "description": "Defenders"}})),
    )
    .await;
    assert_eq!(r.status, 200);
    let g = r.json();
    let id = g["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("00g") && id.len() == 20);
    assert_eq!(g["type"], "OKTA_GROUP");
    assert_eq!(g["objectClass"], json!(["okta:user_group"]));
    assert_eq!(g["profile"], json!({"name": "Blue Team", "description": "Defenders"}));
    assert!(g["created"].as_str().unwrap().ends_with(".000Z"));
    assert_eq!(
        r.ordered().get("_links").unwrap().keys(),
        ["logo", "users", "apps"],
        "an OKTA_GROUP links logo, users and apps"
    );
    assert_eq!(g["_links"]["users"]["href"], format!("{ORIGIN}/api/v1/groups/{id}/users"));

    // duplicate names (any case) are refused
    let r = call(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {"name": "blue team"}}))).await;
    assert_error(&r, 400, "E0000001");
    assert_eq!(
        r.json()["errorCauses"][0]["errorSummary"],
        "name: An object with this field already exists in the current organization"
    );
    // custom attributes are not defined in the group schema
    let r = call(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {"name": "X", "costCenter": "1"}}))).await;
    assert_error(&r, 400, "E0000001");
    assert_error(&call(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {}}))).await, 400, "E0000001");
    assert_error(&call(&org, "POST", "/api/v1/groups", None).await, 400, "E0000003");

    // PUT replaces the whole profile: a missing description becomes null
    let r =
        call(&org, "PUT", &format!("/api/v1/groups/{id}"), Some(&json!({"profile": {"name": "Blue Team 2"}}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["profile"], json!({"name": "Blue Team 2", "description": null}));
    assert_eq!(get(&org, &format!("/api/v1/groups/{id}")).await.json()["profile"]["name"], "Blue Team 2");
    // there is no partial update
    assert_error(
        &call(&org, "POST", &format!("/api/v1/groups/{id}"), Some(&json!({"profile": {"name": "Y"}}))).await,
        405,
        "E0000022",
    );

    // BUILT_IN and APP_GROUP groups take no profile or membership writes
    let everyone = group_id(&org, "Everyone").await;
    let legacy = group_id(&org, "Legacy App Users").await;
    let me = org.get_user_json("me").unwrap()["id"].as_str().unwrap().to_string();
    for gid in [&everyone, &legacy] {
        assert_error(
            &call(&org, "PUT", &format!("/api/v1/groups/{gid}"), Some(&json!({"profile": {"name": "Z"}}))).await,
            403,
            "E0000006",
        );
        assert_error(&call(&org, "DELETE", &format!("/api/v1/groups/{gid}"), None).await, 403, "E0000006");
        assert_error(&call(&org, "PUT", &format!("/api/v1/groups/{gid}/users/{me}"), None).await, 403, "E0000006");
    }
    let app_group = get(&org, &format!("/api/v1/groups/{legacy}")).await;
    assert_eq!(app_group.json()["type"], "APP_GROUP");
    assert_eq!(app_group.ordered().get("_links").unwrap().keys(), ["logo", "source", "users", "apps"]);

    let r = call(&org, "DELETE", &format!("/api/v1/groups/{id}"), None).await;
    assert_eq!((r.status, r.body.len()), (204, 0));
    let r = get(&org, &format!("/api/v1/groups/{id}")).await;
    assert_error(&r, 404, "E0000007");
    assert_eq!(r.json()["errorSummary"], format!("Not found: Resource not found: {id} (UserGroup)"));
}

#[tokio::test]
async fn membership_and_members_listing() {
    let org = FakeOrg::seeded();
    let gid = call(&org, "POST", "/api/v1/groups", Some(&json!({"profile": {"name": "Paged Members"}}))).await.json()
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut members = Vec::new();
    for i in 0..5 {
        let id = create_user(&org, "", new_user(&format!("member{i}@example.com"), Some(PW))).await;
        let r = call(&org, "PUT", &format!("/api/v1/groups/{gid}/users/{id}"), None).await;
        assert_eq!((r.status, r.body.len()), (204, 0));
        assert!(r.header("content-type").is_none());
        members.push(id);
    }
    // a login is not a user id here
    assert_error(
        &call(&org, "PUT", &format!("/api/v1/groups/{gid}/users/member0@example.com"), None).await,
        404,
        "E0000007",
    );
    assert_error(
        &call(&org, "PUT", &format!("/api/v1/groups/00gNoSuchGroup000000/users/{}", members[0]), None).await,
        404,
        "E0000007",
    );

    let r = get(&org, &format!("/api/v1/groups/{gid}/users")).await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/groups/{gid}/users?limit=1000"));
    assert!(r.link("next").is_none());
    let u0 = r.ordered().items()[0].clone();
    assert_eq!(u0.keys(), USER_KEYS);
    assert_eq!(u0.get("_links").unwrap().keys(), ["self"]);
    let (ids, pages) = collect_ids(&org, &format!("/api/v1/groups/{gid}/users?limit=2")).await;
    assert_eq!((ids, pages), (members.clone(), 3));
    let p1 = get(&org, &format!("/api/v1/groups/{gid}/users?limit=2")).await;
    assert_eq!(p1.link("next").unwrap(), format!("{ORIGIN}/api/v1/groups/{gid}/users?after={}&limit=2", members[1]));
    assert_error(&get(&org, &format!("/api/v1/groups/{gid}/users?after=00uForged&limit=2")).await, 400, "E0000029");

    // removal, then removing again is still 204; the user's groups follow
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/groups/{gid}/users/{}", members[0]), None).await.status, 204);
    assert_eq!(call(&org, "DELETE", &format!("/api/v1/groups/{gid}/users/{}", members[0]), None).await.status, 204);
    let groups = get(&org, &format!("/api/v1/users/{}/groups", members[1])).await.json();
    let names: Vec<&str> = groups.as_array().unwrap().iter().map(|g| g["profile"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Everyone", "Paged Members"]);
    let g = get(&org, &format!("/api/v1/groups/{gid}")).await.json();
    assert!(g["lastMembershipUpdated"].as_str().unwrap() >= g["lastUpdated"].as_str().unwrap());
}

#[tokio::test]
async fn listing_search_filter_q_expand() {
    let org = FakeOrg::seeded();
    // plain list: every group, self link with the default limit written in
    let r = get(&org, "/api/v1/groups").await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/groups?limit=10000"));
    let all = r.json().as_array().unwrap().len();
    assert_eq!(all, 13);
    assert_eq!(r.json()[0]["profile"]["name"], "Everyone");
    let (ids, pages) = collect_ids(&org, "/api/v1/groups?limit=5").await;
    assert_eq!((ids.len(), pages), (13, 3));

    // filter: case-sensitive, limited properties; the link keeps it after limit
    let r = get(&org, "/api/v1/groups?filter=type+eq+%22APP_GROUP%22&limit=200").await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/groups?limit=200&filter=type+eq+%22APP_GROUP%22"));
    let names = group_names(&r);
    assert_eq!(names, ["Directory Sync Users", "Legacy App Users"]);
    assert_eq!(get(&org, "/api/v1/groups?filter=type+eq+%22app_group%22").await.json(), json!([]));
    assert_eq!(
        get(&org, "/api/v1/groups?filter=lastUpdated+gt+%222000-01-01T00%3A00%3A00.000Z%22")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        13
    );
    for bad in ["profile.name+eq+%22Sales%22", "type+sw+%22APP%22", "id+pr", "type+eq+%22A%22+and"] {
        assert_error(&get(&org, &format!("/api/v1/groups?filter={bad}")).await, 400, "E0000031");
    }

    // search: case-insensitive, co on name/description, sorted, paged by the sort
    let r = get(&org, "/api/v1/groups?search=profile.name+sw+%22s%22").await;
    let names = group_names(&r);
    assert_eq!(names, ["Sales", "Support"]);
    let r =
        get(&org, "/api/v1/groups?search=profile.description+co+%22DEPARTMENT%22+and+type+eq+%22OKTA_GROUP%22").await;
    assert_eq!(r.json().as_array().unwrap().len(), 4);
    assert_error(&get(&org, "/api/v1/groups?search=id+co+%2200g%22").await, 400, "E0000031");
    let r =
        get(&org, "/api/v1/groups?search=type+eq+%22OKTA_GROUP%22&sortBy=profile.name&sortOrder=desc&limit=4").await;
    let names = group_names(&r);
    assert_eq!(names, ["Support", "Sales", "Remote Workers", "People Ops"]);
    let last = r.json()[3]["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.link("next").unwrap(),
        format!("{ORIGIN}/api/v1/groups?after={last}&limit=4&search=type+eq+%22OKTA_GROUP%22&sortBy=profile.name&sortOrder=desc")
    );
    let (sorted, _) =
        collect_ids(&org, "/api/v1/groups?search=type+eq+%22OKTA_GROUP%22&sortBy=profile.name&sortOrder=desc&limit=4")
            .await;
    assert_eq!(sorted.len(), 10);
    // a cursor from another listing is refused
    assert_error(&get(&org, &format!("/api/v1/groups?after={last}")).await, 400, "E0000029");
    // sortBy without search is ignored and dropped from the link
    let r = get(&org, "/api/v1/groups?limit=1&sortBy=profile.name").await;
    assert_eq!(r.link("self").unwrap(), format!("{ORIGIN}/api/v1/groups?limit=1"));

    // q: name prefix, no paging, no Link, even with a limit
    let r = get(&org, "/api/v1/groups?q=s&limit=200").await;
    assert!(r.headers.get("link").is_none());
    let names = group_names(&r);
    assert_eq!(names, ["Sales", "Support"]);
    assert_eq!(get(&org, "/api/v1/groups?q=s&limit=1").await.json().as_array().unwrap().len(), 1);

    // expand=stats,app
    let r = get(&org, "/api/v1/groups?filter=type+eq+%22APP_GROUP%22&expand=stats,app").await;
    assert_eq!(
        r.link("self").unwrap(),
        format!("{ORIGIN}/api/v1/groups?limit=10000&filter=type+eq+%22APP_GROUP%22&expand=stats%2Capp")
    );
    let legacy = r.ordered().items()[1].clone();
    assert_eq!(legacy.keys().last().unwrap(), "_embedded");
    let j = r.json();
    assert_eq!(j[1]["_embedded"]["app"]["label"], "Old Portal");
    assert_eq!(j[1]["_embedded"]["app"]["signOnMode"], "SAML_2_0");
    let members = collect_ids(&org, &format!("/api/v1/groups/{}/users", j[1]["id"].as_str().unwrap())).await.0.len();
    assert_eq!(j[1]["_embedded"]["stats"]["usersCount"], members as i64);
    assert_eq!(j[1]["_embedded"]["stats"]["appsCount"], 1);
    assert!(j[0]["_embedded"].get("app").is_none(), "no source app, no app");
    let everyone = get(&org, "/api/v1/groups?q=Everyone&expand=stats").await.json();
    assert_eq!(everyone[0]["_embedded"]["stats"]["usersCount"], org.user_count() as i64);
}

#[tokio::test]
async fn recorded_group_shapes() {
    let org = FakeOrg::seeded();
    let mut subst = Subst::default();
    let mut total = 0;
    for file in [
        "terraform-provider-okta/idaas/TestAccResourceOktaGroupMemberships_crud/classic-00.yaml",
        "terraform-provider-okta/idaas/TestAccResourceOktaGroup_crud/classic-00.yaml",
        "terraform-provider-okta/idaas/TestAccDataSourceOktaGroups_read/classic-00.yaml",
        "okta-sdk-python/test_groups_it/TestGroupsResource.test_create_get_group.yaml",
        "okta-sdk-python/test_groups_it/TestGroupsResource.test_list_groups.yaml",
        "okta-sdk-python/test_groups_it/TestGroupsResource.test_search_group.yaml",
        "okta-sdk-python/test_groups_it/TestGroupsResource.test_update_group.yaml",
    ] {
        total += replay::replay(&org, file, Plan::default(), &mut subst).await;
    }
    assert!(total >= 120, "compared {total} interactions");
}
