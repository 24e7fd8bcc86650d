//! What the tests share: running actions against the fake org and checking requests against
//! Okta's spec (`common`), driving the fake org directly and replaying recorded traffic
//! (`fake_org`), and the OpenAPI conformance check (`openapi`).

pub mod common;
pub mod fake_org;
pub mod openapi;
