//! The OAuth 2.0 connections: both flows against the fake org's authorization server (`scenario`), the device authorization against a scripted one (`device`), Okta's recorded DPoP exchanges replayed (`replay_dpop`), and the authorization server itself (`fake_org`).

mod device;
mod fake_org;
mod replay_dpop;
mod scenario;
