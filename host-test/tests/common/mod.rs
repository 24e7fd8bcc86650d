//! Helpers shared by the scenario tests: run one action in a fresh instance against a fake
//! org and keep every exchange, and hold each request to Okta's OpenAPI spec.
#![allow(dead_code)]

use anyhow::Result;
use okta_host::fake_org::FakeOrg;
use okta_host::harness::*;
use okta_host::openapi::OpenApi;
use serde_json::Value;

pub const DOMAIN: &str = "https://fake-org.okta.com";

pub fn connector() -> &'static Connector {
    Connector::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

pub fn connection() -> Connection {
    api_token(DOMAIN, FakeOrg::TOKEN)
}

/// Runs one action through `invoke` in a fresh instance answered by `org` in-process.
pub async fn run(org: &FakeOrg, action: &str, input: Value) -> Result<(Result<Value, WitError>, Vec<Exchange>)> {
    run_on(Backend::FakeOrg(org.clone()), &connection(), action, input).await
}

pub async fn run_on(
    backend: Backend,
    connection: &Connection,
    action: &str,
    input: Value,
) -> Result<(Result<Value, WitError>, Vec<Exchange>)> {
    let mut instance = connector().instantiate(backend).await?;
    let r = instance.invoke_json(action, connection, &input).await?;
    Ok((r, instance.exchanges()))
}

pub fn ok(r: Result<Value, WitError>, what: &str) -> Value {
    r.unwrap_or_else(|e| panic!("{what}: {}", error_json(&e)))
}

/// Every request sent is a path, method and set of query parameters Okta's spec declares.
pub fn conforms(exchanges: &[Exchange]) {
    let spec = OpenApi::get();
    for e in exchanges {
        if let Err(problem) = spec.check(&e.method, &e.path, e.query.as_deref()) {
            panic!("not in Okta's API: {problem}");
        }
    }
}

/// The Okta error inside any error case that carries one.
pub fn okta_error(e: &WitError) -> Option<&OktaError> {
    match e {
        WitError::Unauthorized(o)
        | WitError::Forbidden(o)
        | WitError::NotFound(o)
        | WitError::Rejected(o)
        | WitError::RateLimited(o)
        | WitError::Server(o) => Some(o),
        _ => None,
    }
}

/// The `id`s of a JSON array of users, in order.
pub fn ids(items: &Value) -> Vec<String> {
    items.as_array().expect("an array").iter().map(|u| u["id"].as_str().expect("an id").to_string()).collect()
}
