//! `okta-connector demo` (`make demo`): one user through its lifecycle and a paged listing,
//! each step in a fresh instance against the embedded fake org, its requests shown.

use anyhow::anyhow;
use serde_json::{json, Value};

use okta_host::fake_org::FakeOrg;
use okta_host::harness::{api_token, error_json, redact_body, Backend, Connection, Connector, Instance};

use super::output::outln;
use super::{Failure, FAKE_ORG_DOMAIN};

/// The `make demo` tour: one user through its lifecycle, and a paged listing.
pub async fn demo(connector: &Connector) -> Result<(), Failure> {
    let org = FakeOrg::seeded();
    let connection = api_token(FAKE_ORG_DOMAIN, FakeOrg::TOKEN);
    outln!("Okta connector demo: the Users actions against the embedded fake Okta org")?;
    outln!("({FAKE_ORG_DOMAIN}, answered in-process; {} users seeded)\n", org.user_count())?;
    let mut tour = Tour { connector, org, connection };

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
    outln!("\nDone: {} users left in the fake org.", tour.org.user_count())?;
    Ok(())
}

struct Tour<'a> {
    connector: &'a Connector,
    org: FakeOrg,
    connection: Connection,
}

impl Tour<'_> {
    /// Runs one action in a fresh instance, printing the call and its (summarised) result.
    async fn step(&mut self, action: &str, input: Value) -> Result<Value, Failure> {
        outln!("{action} {}", redact_body(input.to_string().as_bytes()))?;
        let mut instance: Instance = self.connector.instantiate(Backend::FakeOrg(self.org.clone())).await?;
        let requests = |i: &Instance| i.exchanges().iter().map(|e| e.line()).collect::<Vec<_>>().join(", ");
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
