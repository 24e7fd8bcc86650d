//! The wasmtime host for the Okta connector component: a reusable harness, the embedded fake
//! Okta org (in-process, or on loopback over TLS), and the OpenAPI conformance check used by
//! the scenario tests.

pub mod fake_org;
pub mod harness;
pub mod loopback;
pub mod openapi;
