//! What the tests share: running actions against the fake org and checking requests against
//! Okta's spec (`common`), driving the fake org directly and replaying recorded traffic
//! (`fake_org`), the OpenAPI conformance check (`openapi`), and for the package's tests a
//! real OCI registry (`registry`) and headless Chromium (`chromium`).

pub mod chromium;
pub mod common;
pub mod fake_org;
pub mod openapi;
pub mod registry;
