//! Helpers shared by the scenario tests: run one action in a fresh instance against a fake
//! org and keep every exchange, and hold each request to Okta's OpenAPI spec.

use crate::support::openapi::OpenApi;
use anyhow::Result;
use okta_fake_org::FakeOrg;
use okta_harness::*;
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
    let mut instance = connector().instantiate_with(backend, local()).await?;
    let r = instance.invoke_json(action, connection, &input).await?;
    Ok((r, instance.exchanges()))
}

/// Instance options for a test whose org may be on loopback: local orgs allowed.
pub fn local() -> InstanceOptions {
    InstanceOptions { allow_local_orgs: true, ..InstanceOptions::default() }
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
        WitError::Okta(o) => Some(o),
        _ => None,
    }
}

/// The `id`s of a JSON array of users, in order.
pub fn ids(items: &Value) -> Vec<String> {
    items.as_array().expect("an array").iter().map(|u| u["id"].as_str().expect("an id").to_string()).collect()
}

// ---- scripted (fail-closed) exchanges -------------------------------------------------------

/// The token scripted tests use, and the org they talk to.
pub const SCRIPT_TOKEN: &str = "00aBcD-test-token-XyZ";
pub const ORIGIN: &str = "https://acme.okta.com";

pub fn script_connection() -> Connection {
    api_token("acme.okta.com", SCRIPT_TOKEN)
}

/// A request with the API-token headers and no body.
pub fn req(method: &str, path_and_query: &str) -> ExpectedRequest {
    ExpectedRequest::new(method, path_and_query).okta_ssws(SCRIPT_TOKEN)
}

/// A request with the API-token headers and a JSON body.
pub fn req_json(method: &str, path_and_query: &str, body: Value) -> ExpectedRequest {
    ExpectedRequest::new(method, path_and_query).okta_json(SCRIPT_TOKEN, body)
}

/// Runs one input through the typed export and `invoke` against the script; both must send
/// exactly the script and succeed with the same value, which is returned.
pub async fn both_ok(script: Vec<(ExpectedRequest, CannedResponse)>, action: &str, input: Value) -> Result<Value> {
    let both = connector().both_doors(&script, &script_connection(), action, &input).await?;
    for e in &both.exchanges {
        assert!(e.url.starts_with(ORIGIN), "{action} went to {}", e.url);
    }
    match both.result {
        Ok(v) => Ok(v),
        Err(e) => panic!("{action} failed: {}", error_json(&e)),
    }
}

/// Like [`both_ok`], for an input that must fail; the error never holds the token.
pub async fn both_fail(script: Vec<(ExpectedRequest, CannedResponse)>, action: &str, input: Value) -> Result<WitError> {
    let both = connector().both_doors(&script, &script_connection(), action, &input).await?;
    match both.result {
        Ok(v) => panic!("{action} succeeded with {v}, expected an error"),
        Err(e) => {
            assert!(!format!("{e:?}").contains(SCRIPT_TOKEN), "the token leaked into {e:?}");
            Ok(e)
        }
    }
}

/// The field an invalid-input error names.
pub fn invalid_field(e: &WitError) -> &str {
    match e {
        WitError::InvalidInput(f) => &f.field,
        other => panic!("expected invalid-input, got {}", error_json(other)),
    }
}

/// `invoke` alone (for inputs the typed door cannot even express, such as a missing required
/// field): it must fail and send nothing.
pub async fn invoke_fails(action: &str, input: Value) -> Result<WitError> {
    let mut instance = connector().instantiate(Backend::Scripted(vec![])).await?;
    let r = instance.invoke_json(action, &script_connection(), &input).await?;
    assert!(instance.exchanges().is_empty(), "{action} sent a request");
    match r {
        Ok(v) => panic!("{action} succeeded with {v}"),
        Err(e) => Ok(e),
    }
}
