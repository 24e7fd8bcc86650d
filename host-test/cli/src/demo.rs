//! `okta-connector demo` (`make demo`): a tour against the embedded fake org, each step in a
//! fresh instance with its requests shown: one user through its lifecycle and a paged
//! listing; a group and its members; an app assignment; policies, realms and the System Log;
//! an event hook verified by a local endpoint; the polling triggers; and an event delivered
//! by Okta's hook to the Event Hook trigger; then a service app with client credentials and
//! DPoP.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use serde_json::{json, Value};

use okta_fake_org::FakeOrg;
use okta_harness::{api_token, client_credentials, error_json, redact_body, Backend, Connection, Connector, Instance};

use super::output::outln;
use super::{receiver, Failure, FAKE_ORG_DOMAIN};

/// The `make demo` tour.
pub async fn demo(connector: Arc<Connector>) -> Result<(), Failure> {
    let org = FakeOrg::seeded();
    let connection = api_token(FAKE_ORG_DOMAIN, FakeOrg::TOKEN);
    outln!("Okta connector demo: the actions and triggers against the embedded fake Okta org")?;
    outln!("({FAKE_ORG_DOMAIN}, answered in-process; {} users seeded)\n", org.user_count())?;
    let mut tour = Tour { connector: &connector, org, connection };
    outln!("== Users\n")?;

    let user = tour
        .step(
            "users.create",
            json!({
                "login": "ada.lovelace@example.com",
                "email": "ada.lovelace@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "department": "Analytical Engines",
                "password": "Demo-Passw0rd!2026",
                "activate": false
            }),
        )
        .await?;
    let id = user.get("id").and_then(Value::as_str).ok_or_else(|| anyhow!("users.create returned no id"))?.to_string();
    tour.step("users.activate", json!({ "id": id, "send_email": false })).await?;
    let page = tour.step("users.list", json!({ "limit": 2 })).await?;
    if let Some(cursor) = page.get("next_cursor").and_then(Value::as_str) {
        tour.step("users.list", json!({ "limit": 2, "after": cursor })).await?;
    }
    tour.step("users.suspend", json!({ "id": id })).await?;
    tour.step("users.unsuspend", json!({ "id": id })).await?;
    tour.step("users.reset-password", json!({ "id": id, "send_email": false })).await?;
    tour.step("users.delete", json!({ "id": id })).await?;
    // Gone: the last call shows the not-found error a deleted user gives.
    match tour.step("users.get", json!({ "id": id })).await {
        Err(Failure::Action(e)) if e["kind"] == "not-found" => {}
        Err(other) => return Err(other),
        Ok(_) => return Err(Failure::Host(anyhow!("users.get still finds the deleted user"))),
    }
    areas(&mut tour).await?;
    triggers(&mut tour, connector.clone()).await?;
    service_app(&tour).await?;
    outln!("\nDone: {} users in the fake org.", tour.org.user_count())?;
    Ok(())
}

/// A service app (client credentials, `private_key_jwt`, DPoP): two actions in one instance,
/// showing the nonce challenge, one token, then a proof on every call.
async fn service_app(tour: &Tour<'_>) -> Result<(), Failure> {
    use okta_fake_org::demo_apps::{SERVICE_CLIENT_ID, SERVICE_KEY_ID};
    const KEY: &str = include_str!("../../../fixtures/keys/rsa-pkcs8.pem");
    tour.org.register_demo_apps();
    outln!("\n== Connections: a service app with client credentials and DPoP\n")?;
    outln!("private_key_jwt assertion (RS256, fixtures/keys/rsa-pkcs8.pem, kid {SERVICE_KEY_ID}), two actions in one instance\n")?;
    let connection = client_credentials(
        FAKE_ORG_DOMAIN,
        SERVICE_CLIENT_ID,
        KEY,
        Some(SERVICE_KEY_ID),
        "okta.users.read okta.groups.read",
    );
    let mut instance = tour.connector.instantiate(Backend::FakeOrg(tour.org.clone())).await?;
    for (action, input) in [("users.list", json!({ "limit": 2 })), ("groups.list", json!({ "limit": 2 }))] {
        outln!("{action} {input}")?;
        let before = instance.exchanges().len();
        let result = instance.invoke_json(action, &connection, &input).await?;
        for e in &instance.exchanges()[before..] {
            let auth = e.request_header("authorization").and_then(|a| a.split_once(' ')).map_or("none", |(s, _)| s);
            let answer = match e.response_json() {
                Some(j) if j.get("error").is_some() => format!(" ({})", j["error"].as_str().unwrap_or("")),
                Some(j) if j.get("token_type").is_some() => {
                    format!(" (token_type {})", j["token_type"].as_str().unwrap_or(""))
                }
                _ => String::new(),
            };
            let proof = if e.request_header("dpop").is_some() { ", DPoP proof" } else { "" };
            outln!("  -> {} {}{answer}  [Authorization: {auth}{proof}]", e.line(), e.status.unwrap_or(0))?;
        }
        match result {
            Ok(v) => outln!("  => {}\n", summarise(&v))?,
            Err(e) => return Err(Failure::Action(error_json(&e))),
        }
    }
    Ok(())
}

/// Groups, apps, policies, realms, the System Log and event hooks.
async fn areas(tour: &mut Tour<'_>) -> Result<(), Failure> {
    outln!("== Groups\n")?;
    let user = tour
        .step(
            "users.create",
            json!({ "login": "grace.hopper@example.com", "email": "grace.hopper@example.com", "first_name": "Grace", "last_name": "Hopper" }),
        )
        .await?;
    let uid = id_of(&user)?;
    let group = tour.step("groups.create", json!({ "name": "Compiler Team", "description": "A-0 and after" })).await?;
    let gid = id_of(&group)?;
    tour.step("groups.add-user", json!({ "group_id": gid, "user_id": uid })).await?;
    tour.step("groups.list-members", json!({ "group_id": gid })).await?;
    tour.step("groups.update", json!({ "group_id": gid, "name": "Compilers" })).await?;
    tour.step("groups.remove-user", json!({ "group_id": gid, "user_id": uid })).await?;
    tour.step("groups.delete", json!({ "group_id": gid })).await?;

    outln!("== Applications\n")?;
    let apps = tour.step("apps.list", json!({ "q": "Expense", "limit": 1 })).await?;
    let app = apps["items"].as_array().and_then(|a| a.first()).ok_or_else(|| anyhow!("apps.list found no app"))?;
    let aid = id_of(app)?;
    tour.step(
        "apps.assign-user",
        json!({ "app_id": aid, "user_id": uid, "username": "grace", "password": "Demo-App-Passw0rd" }),
    )
    .await?;
    tour.step("apps.get-user-assignment", json!({ "app_id": aid, "user_id": uid })).await?;
    tour.step("apps.remove-user-assignment", json!({ "app_id": aid, "user_id": uid })).await?;

    outln!("== Policies, realms and the System Log\n")?;
    tour.step("policies.list", json!({ "type": "PASSWORD" })).await?;
    tour.step("realms.list", json!({ "limit": 2 })).await?;
    tour.step("system-log.get", json!({ "filter": "eventType sw \"group.\"", "limit": 3 })).await?;
    Ok(())
}

/// The event-hook actions and the four triggers.
async fn triggers(tour: &mut Tour<'_>, connector: Arc<Connector>) -> Result<(), Failure> {
    outln!("== Event hooks, with an endpoint on 127.0.0.1 that answers Okta's verification\n")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("no local port")?;
    let url = format!("http://{}/okta/events", listener.local_addr().context("no local address")?);
    let input = json!({ "items": ["group.lifecycle.create"] });
    let hook_state = Arc::new(receiver::Hook::new(connector.clone(), input.clone()));
    let bounds = receiver::Bounds {
        header_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(30),
        max_connections: 16,
    };
    let server = tokio::spawn(receiver::accept(listener, hook_state.clone(), bounds));
    let hook = tour
        .step("event-hooks.create", json!({ "name": "Demo hook", "url": url, "items": ["user.lifecycle.create"] }))
        .await?;
    let hid = id_of(&hook)?;
    tour.step("event-hooks.deactivate", json!({ "event_hook_id": hid })).await?;
    tour.step("event-hooks.delete", json!({ "event_hook_id": hid })).await?;

    outln!("== Triggers: polls\n")?;
    let mut states = Vec::new();
    for trigger in ["users.new", "users.updated", "system-log.new"] {
        let (items, next) = tour.poll(trigger, None).await?;
        outln!("  first run: {} records, state of {} bytes kept\n", items.len(), next.len())?;
        states.push(next);
    }
    tour.step("users.create", json!({ "login": "alan.turing@example.com", "email": "alan.turing@example.com", "first_name": "Alan", "last_name": "Turing" })).await?;
    for (trigger, previous) in ["users.new", "users.updated", "system-log.new"].into_iter().zip(&states) {
        let (items, _) = tour.poll(trigger, Some(previous)).await?;
        outln!("  => {}\n", summarise(&Value::Array(items)))?;
    }

    outln!("== Triggers: the Event Hook trigger receives a delivery\n")?;
    let mut deployer = tour.connector.instantiate(Backend::FakeOrg(tour.org.clone())).await?;
    let (hid, deployed) = deployer
        .deploy_hook(&tour.connection, &input, &url, None)
        .await?
        .map_err(|e| Failure::Action(error_json(&e)))?;
    hook_state.set_state(deployed.clone()).await;
    outln!("event-hook trigger deployed: hook {hid}, verified by the endpoint")?;
    outln!("  -> {}\n", requests(&deployer))?;
    outln!("Okta delivers the next write to it; the endpoint prints each event it receives:")?;
    tour.step("groups.create", json!({ "name": "Delivered by a hook" })).await?;
    tour.org.wait_for_deliveries(1, Duration::from_secs(5)).await;
    // Let the endpoint finish printing before the teardown's lines.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut remover = tour.connector.instantiate(Backend::FakeOrg(tour.org.clone())).await?;
    let last = hook_state.state().await;
    remover.teardown_hook(&tour.connection, &last).await?.map_err(|e| Failure::Action(error_json(&e)))?;
    outln!("\nevent-hook trigger torn down: hook {hid} deactivated and deleted")?;
    outln!("  -> {}", requests(&remover))?;
    server.abort();
    Ok(())
}

fn id_of(v: &Value) -> Result<String, Failure> {
    Ok(v.get("id").and_then(Value::as_str).ok_or_else(|| anyhow!("no id in {v}"))?.to_string())
}

fn requests(i: &Instance) -> String {
    i.exchanges().iter().map(|e| e.line()).collect::<Vec<_>>().join(", ")
}

struct Tour<'a> {
    connector: &'a Connector,
    org: FakeOrg,
    connection: Connection,
}

impl Tour<'_> {
    /// One poll of a polling trigger, printing it; the records and the state for the next.
    async fn poll(&mut self, trigger: &str, state: Option<&str>) -> Result<(Vec<Value>, String), Failure> {
        outln!("poll {trigger}{}", if state.is_some() { " (with the last state)" } else { " (first run)" })?;
        let mut instance: Instance = self.connector.instantiate(Backend::FakeOrg(self.org.clone())).await?;
        let r = instance.poll(trigger, &self.connection, &json!({}), state).await?;
        outln!("  -> {}", requests(&instance))?;
        r.map_err(|e| Failure::Action(error_json(&e)))
    }

    /// Runs one action in a fresh instance, printing the call and its (summarised) result.
    async fn step(&mut self, action: &str, input: Value) -> Result<Value, Failure> {
        outln!("{action} {}", redact_body(input.to_string().as_bytes()))?;
        let mut instance: Instance = self.connector.instantiate(Backend::FakeOrg(self.org.clone())).await?;
        match instance.invoke_json(action, &self.connection, &input).await? {
            Ok(v) => {
                outln!("  -> {}", requests(&instance))?;
                outln!("  => {}\n", summarise(&v))?;
                Ok(v)
            }
            Err(e) => {
                outln!("  -> {}", requests(&instance))?;
                outln!("  => error {}\n", error_json(&e))?;
                Err(Failure::Action(error_json(&e)))
            }
        }
    }
}

/// Users shrink to id, status and names; pages to their summarised items and cursor.
fn summarise(v: &Value) -> Value {
    if let Some(items) = v.get("items").and_then(Value::as_array) {
        return json!({
            "items": items.iter().map(summarise).collect::<Vec<_>>(),
            "next_cursor": v.get("next_cursor").cloned().unwrap_or(Value::Null),
        });
    }
    if let Some(items) = v.as_array() {
        return Value::Array(items.iter().map(summarise).collect());
    }
    if let (Some(uuid), Some(kind)) = (v.get("uuid"), v.get("eventType")) {
        return json!({ "uuid": uuid, "eventType": kind, "published": v.get("published") });
    }
    // Okta objects shrink to what tells them apart.
    let pick = |keys: &[&str]| {
        let mut o = serde_json::Map::new();
        for k in keys {
            if let Some(x) = v.get(*k) {
                o.insert((*k).into(), x.clone());
            }
        }
        Value::Object(o)
    };
    if v.get("objectClass").is_some() {
        return pick(&["id", "type", "profile"]);
    }
    if v.get("signOnMode").is_some() {
        return pick(&["id", "label", "signOnMode", "status"]);
    }
    if v.get("verificationStatus").is_some() {
        return pick(&["id", "name", "status", "verificationStatus"]);
    }
    if v.get("syncState").is_some() {
        return pick(&["id", "scope", "status", "credentials"]);
    }
    if v.get("system").is_some() && v.get("priority").is_some() {
        return pick(&["id", "type", "name", "status"]);
    }
    if v.get("isDefault").is_some() {
        return pick(&["id", "isDefault", "profile"]);
    }
    match (v.get("id"), v.get("status"), v.get("profile")) {
        (Some(id), Some(status), Some(profile)) => {
            let mut p = serde_json::Map::new();
            for k in ["login", "firstName", "lastName"] {
                if let Some(x) = profile.get(k) {
                    p.insert(k.into(), x.clone());
                }
            }
            json!({ "id": id, "status": status, "profile": p })
        }
        _ => v.clone(),
    }
}
