//! The OAuth scopes the contract declares (each action's and trigger's `Scopes:` in the WIT,
//! `scopes` in the catalog) are exactly those Okta's API spec requires for what it sends. Every
//! action and trigger runs against the fake org, each branch that sends other requests once
//! (Set User Password with and without the old password, Delete Event Hook of an active hook,
//! ...); every request is matched to its operation in `fixtures/okta/management-api.yaml`, and
//! the `oauth2` scopes of the operations sent, united, must equal the declared ones. The match
//! over `Action` is exhaustive: a new action without its runs here does not compile.

use crate::support::common::*;
use crate::support::fake_org::receiver::Receiver;
use crate::support::openapi::OpenApi;
use okta_fake_org::FakeOrg;
use okta_harness::{Action, Backend, Exchange};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The admin user of the seeded org, with an email factor, and an active bookmark app.
const ADMIN: &str = "00ue0000000OYx9x28f7";
const ADMIN_EMAIL_FACTOR: &str = "emfe0000001lKJfF18f7";
const BOOKMARK_APP: &str = "0oae0000000H3fgRf8f7";

/// What one action sent in one run; the action must succeed.
async fn sent(org: &FakeOrg, action: &str, input: Value) -> Vec<Exchange> {
    let (r, exchanges) = run(org, action, input.clone()).await.unwrap();
    ok(r, &format!("{action} {input}"));
    exchanges
}

/// Runs an action for its side effect (a prerequisite), returning its result.
async fn setup(org: &FakeOrg, action: &str, input: Value) -> Value {
    let (r, _) = run(org, action, input.clone()).await.unwrap();
    ok(r, &format!("setup {action} {input}"))
}

async fn new_user(org: &FakeOrg, name: &str, password: bool) -> String {
    let mut input = json!({"login": format!("{name}@example.com"), "email": format!("{name}@example.com"),
        "first_name": "Scope", "last_name": name});
    if password {
        input["password"] = json!("Quartz-Lamp-42-Scope");
    }
    setup(org, "users.create", input).await["id"].as_str().unwrap().to_string()
}

async fn new_group(org: &FakeOrg, name: &str) -> String {
    setup(org, "groups.create", json!({"name": name})).await["id"].as_str().unwrap().to_string()
}

/// The requests of every run of `action`, each run in its own seeded org.
async fn runs(action: Action) -> Vec<Vec<Exchange>> {
    let org = FakeOrg::seeded();
    let one = |input: Value| {
        let org = org.clone();
        async move { vec![sent(&org, action.id(), input).await] }
    };
    match action {
        Action::UsersCreate => {
            let gid = new_group(&org, "Scoped").await;
            one(json!({"login": "s.create@example.com", "email": "s.create@example.com", "first_name": "S",
                "last_name": "C", "group_ids": [gid]}))
            .await
        }
        Action::UsersGet => one(json!({"id": ADMIN})).await,
        Action::UsersUpdate => one(json!({"id": ADMIN, "department": "Scopes"})).await,
        Action::UsersDelete => {
            let uid = new_user(&org, "s.delete", true).await;
            one(json!({"id": uid})).await
        }
        Action::UsersActivate => {
            let uid = setup(
                &org,
                "users.create",
                json!({"login": "s.staged@example.com", "email": "s.staged@example.com",
                "first_name": "S", "last_name": "Staged", "activate": false}),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_string();
            one(json!({"id": uid})).await
        }
        Action::UsersDeactivate => {
            let uid = new_user(&org, "s.deactivate", true).await;
            one(json!({"id": uid})).await
        }
        Action::UsersReactivate => {
            let uid = new_user(&org, "s.reactivate", false).await;
            one(json!({"id": uid})).await
        }
        Action::UsersSuspend => {
            let uid = new_user(&org, "s.suspend", true).await;
            one(json!({"id": uid})).await
        }
        Action::UsersUnsuspend => {
            let uid = new_user(&org, "s.unsuspend", true).await;
            setup(&org, "users.suspend", json!({"id": uid})).await;
            one(json!({"id": uid})).await
        }
        Action::UsersUnlock => {
            let locked =
                crate::support::fake_org::get(&org, "/api/v1/users?filter=status+eq+%22LOCKED_OUT%22&limit=1").await;
            one(json!({"id": locked.json()[0]["id"]})).await
        }
        Action::UsersResetPassword => {
            let uid = new_user(&org, "s.reset", true).await;
            one(json!({"id": uid, "send_email": false, "revoke_sessions": true})).await
        }
        Action::UsersSetPassword => {
            let uid = new_user(&org, "s.setpw", true).await;
            let admin_set = sent(
                &org,
                action.id(),
                json!({"user_id": uid, "new_password": "Amber-Kite-77-Scope",
                "revoke_sessions": true}),
            )
            .await;
            let change = sent(
                &org,
                action.id(),
                json!({"user_id": uid, "old_password": "Amber-Kite-77-Scope",
                "new_password": "Cobalt-Reed-58-Scope"}),
            )
            .await;
            vec![admin_set, change]
        }
        Action::UsersClearSessions => one(json!({"user_id": ADMIN, "oauth_tokens": true})).await,
        Action::UsersList => one(json!({"limit": 2})).await,
        Action::UsersListApplications => one(json!({"id": ADMIN})).await,
        Action::UsersListGroups => one(json!({"id": ADMIN})).await,
        Action::UsersListFactors => one(json!({"user_id": ADMIN})).await,
        Action::UsersUnenrollFactor => one(json!({"user_id": ADMIN, "factor_id": ADMIN_EMAIL_FACTOR})).await,
        Action::UsersListTypes => one(json!({})).await,
        Action::GroupsCreate => one(json!({"name": "Scoped create"})).await,
        Action::GroupsGet => {
            let gid = new_group(&org, "Scoped get").await;
            one(json!({"group_id": gid})).await
        }
        Action::GroupsUpdate => {
            let gid = new_group(&org, "Scoped update").await;
            one(json!({"group_id": gid, "description": "updated"})).await
        }
        Action::GroupsDelete => {
            let gid = new_group(&org, "Scoped delete").await;
            one(json!({"group_id": gid})).await
        }
        Action::GroupsList => one(json!({"limit": 2})).await,
        Action::GroupsListMembers => {
            let gid = new_group(&org, "Scoped members").await;
            setup(&org, "groups.add-user", json!({"group_id": gid, "user_id": ADMIN})).await;
            one(json!({"group_id": gid})).await
        }
        Action::GroupsAddUser => {
            let gid = new_group(&org, "Scoped add").await;
            one(json!({"group_id": gid, "user_id": ADMIN})).await
        }
        Action::GroupsRemoveUser => {
            let gid = new_group(&org, "Scoped remove").await;
            setup(&org, "groups.add-user", json!({"group_id": gid, "user_id": ADMIN})).await;
            one(json!({"group_id": gid, "user_id": ADMIN})).await
        }
        Action::AppsGet => one(json!({"app_id": BOOKMARK_APP})).await,
        Action::AppsList => one(json!({"limit": 2})).await,
        Action::AppsAssignUser => {
            let uid = new_user(&org, "s.assign", true).await;
            one(json!({"app_id": BOOKMARK_APP, "user_id": uid})).await
        }
        Action::AppsGetUserAssignment | Action::AppsUpdateUserAssignment | Action::AppsRemoveUserAssignment => {
            let uid = new_user(&org, "s.assignment", true).await;
            setup(&org, "apps.assign-user", json!({"app_id": BOOKMARK_APP, "user_id": uid})).await;
            let mut input = json!({"app_id": BOOKMARK_APP, "user_id": uid});
            if action == Action::AppsUpdateUserAssignment {
                input["profile"] = json!({"note": "scoped"});
            }
            one(input).await
        }
        Action::PoliciesList => one(json!({"type": "OKTA_SIGN_ON"})).await,
        Action::RealmsList => one(json!({})).await,
        Action::SystemLogGet => one(json!({"limit": 5})).await,
        Action::EventHooksCreate => {
            let receiver = Receiver::start().await;
            let verified = sent(
                &org,
                action.id(),
                json!({"name": "Scoped", "url": receiver.url("/a"),
                "items": ["user.lifecycle.create"]}),
            )
            .await;
            let inactive = sent(
                &org,
                action.id(),
                json!({"name": "Scoped off", "url": receiver.url("/b"),
                "items": ["user.lifecycle.create"], "do_not_activate": true}),
            )
            .await;
            vec![verified, inactive]
        }
        Action::EventHooksGet
        | Action::EventHooksActivate
        | Action::EventHooksDeactivate
        | Action::EventHooksVerify
        | Action::EventHooksDelete => {
            let receiver = Receiver::start().await;
            let hook = setup(
                &org,
                "event-hooks.create",
                json!({"name": "Scoped", "url": receiver.url("/h"),
                "items": ["user.lifecycle.create"]}),
            )
            .await;
            one(json!({"event_hook_id": hook["id"]})).await
        }
        Action::EventHooksList => one(json!({})).await,
        Action::EventHooksDeleteAll => {
            let receiver = Receiver::start().await;
            setup(
                &org,
                "event-hooks.create",
                json!({"name": "Scoped", "url": receiver.url("/all"),
                "items": ["user.lifecycle.create"]}),
            )
            .await;
            one(json!({"url": receiver.url("/all")})).await
        }
        Action::RawRequest => one(json!({"url": "/users/me", "method": "GET"})).await,
    }
}

/// The scopes Okta's spec requires for what was sent; every request must be an operation of
/// the spec that names its `oauth2` scopes.
fn required(runs: &[Vec<Exchange>]) -> BTreeSet<String> {
    let spec = OpenApi::get();
    let mut scopes = BTreeSet::new();
    for e in runs.iter().flatten() {
        let template = spec.find_path(&e.path).unwrap_or_else(|| panic!("{} {} is not in the spec", e.method, e.path));
        let op = template
            .operations
            .get(&e.method.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("{} {}: no such operation", e.method, template.template));
        let listed = op
            .oauth2_scopes
            .as_ref()
            .unwrap_or_else(|| panic!("{} {}: no oauth2 security", e.method, template.template));
        scopes.extend(listed.iter().cloned());
    }
    scopes
}

fn declared(entry: &Value) -> Option<BTreeSet<String>> {
    entry["scopes"].as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
}

#[tokio::test]
async fn every_actions_declared_scopes_are_those_of_the_operations_it_sends() {
    let mut instance = connector().instantiate(Backend::Scripted(Vec::new())).await.unwrap();
    let catalog = instance.describe_json().await.unwrap();
    let mut wrong = Vec::new();
    for action in Action::ALL {
        let entry = catalog["actions"].as_array().unwrap().iter().find(|a| a["id"] == action.id()).unwrap();
        let runs = runs(*action).await;
        assert!(runs.iter().all(|r| !r.is_empty()), "{} sent nothing", action.id());
        for r in &runs {
            conforms(r);
        }
        let needed = required(&runs);
        match declared(entry) {
            Some(declared) if declared != needed => {
                wrong.push(format!("{}: declares {declared:?}, sends {needed:?}", action.id()))
            }
            Some(_) => {}
            // Only Raw Request leaves its scopes to the path it is given.
            None => assert_eq!(*action, Action::RawRequest, "{} declares no scopes", action.id()),
        }
    }
    assert!(wrong.is_empty(), "scopes that differ from Okta's spec:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn every_triggers_declared_scopes_are_those_of_the_operations_it_sends() {
    let connector = connector();
    let mut instance = connector.instantiate(Backend::Scripted(Vec::new())).await.unwrap();
    let catalog = instance.describe_json().await.unwrap();
    let mut wrong = Vec::new();
    for trigger in catalog["triggers"].as_array().unwrap() {
        let id = trigger["id"].as_str().unwrap();
        let org = FakeOrg::seeded();
        let mut instance = connector.instantiate(Backend::FakeOrg(org.clone())).await.unwrap();
        if trigger["kind"] == "polling" {
            instance.poll(id, &connection(), &json!({}), None).await.unwrap().unwrap();
        } else {
            let receiver = Receiver::start().await;
            let (_, state) = instance
                .deploy_hook(&connection(), &json!({"items": ["user.lifecycle.create"]}), &receiver.url("/hook"), None)
                .await
                .unwrap()
                .unwrap();
            instance.teardown_hook(&connection(), &state).await.unwrap().unwrap();
        }
        let exchanges = instance.exchanges();
        assert!(!exchanges.is_empty(), "{id} sent nothing");
        conforms(&exchanges);
        let needed = required(&[exchanges]);
        let declared = declared(trigger).unwrap_or_else(|| panic!("trigger {id} declares no scopes"));
        if declared != needed {
            wrong.push(format!("{id}: declares {declared:?}, sends {needed:?}"));
        }
    }
    assert!(wrong.is_empty(), "scopes that differ from Okta's spec:\n{}", wrong.join("\n"));
}
