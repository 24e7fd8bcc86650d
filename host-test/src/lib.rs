//! The wasmtime host for the Okta connector component: a reusable harness, the embedded fake
//! Okta org, and the OpenAPI conformance check used by the scenario tests.

pub mod fake_org;
pub mod harness;
pub mod openapi;
