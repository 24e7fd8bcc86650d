//! Okta connector: a WebAssembly component (wasm32-wasip2) that manages an Okta org through
//! its management API. The WIT package in `wit/` is the contract; [`actions`] holds one module
//! per Okta area, each action a function that describes its requests; [`okta`] is the HTTP
//! core that performs them. Everything between the two (export delegations, `invoke`, input
//! types with their defaults) is generated from the WIT by `build.rs`.

// The WIT `error` is returned by value across the component boundary, as generated.
#![allow(clippy::result_large_err)]

pub mod actions;
pub mod catalog;
pub mod connection;
pub mod error;
pub mod glue;
pub mod input;
pub mod okta;
pub mod timestamp;
pub mod triggers;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "connector",
        path: "wit",
        additional_derives: [serde::Deserialize, serde::Serialize, PartialEq],
        pub_export_macro: true,
    });
}

/// The input type of every action, generated from its WIT record: defaults applied, ranges
/// and enumerations checked, `json` fields parsed.
pub mod inputs {
    include!(concat!(env!("OUT_DIR"), "/inputs.rs"));
}

/// The hash of the sources this component was built from, in a custom section hosts read
/// without running it (see `okta_wit_model::source`): a host built from the same tree refuses
/// a component built from other sources.
#[cfg(target_arch = "wasm32")]
#[used]
#[link_section = "okta-connector-source"]
static SOURCE_HASH: [u8; 64] = *include_bytes!(concat!(env!("OUT_DIR"), "/source-hash"));

/// The component's exports.
pub struct Component;

// Native builds (unit tests) link no component exports.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);

// One delegation per exported function, generated from the WIT.
include!(concat!(env!("OUT_DIR"), "/exports.rs"));

impl bindings::exports::okta::connector::catalog::Guest for Component {
    fn describe() -> String {
        catalog::CATALOG_JSON.to_string()
    }
    fn invoke(
        action: String,
        connection: bindings::okta::connector::types::Connection,
        input: String,
    ) -> Result<String, bindings::okta::connector::types::Error> {
        catalog::invoke(&action, connection, &input)
    }
    fn poll(
        trigger: String,
        connection: bindings::okta::connector::types::Connection,
        input: String,
        state: Option<String>,
    ) -> Result<String, bindings::okta::connector::types::Error> {
        triggers::poll_json(&trigger, connection, &input, state)
    }
    fn deploy_hook(
        connection: bindings::okta::connector::types::Connection,
        input: String,
        public_url: String,
        state: Option<String>,
    ) -> Result<String, bindings::okta::connector::types::Error> {
        triggers::deploy_json(connection, &input, public_url, state)
    }
    fn receive_hook(
        input: String,
        state: String,
        request: bindings::exports::okta::connector::triggers::IncomingRequest,
    ) -> bindings::exports::okta::connector::triggers::HookReception {
        triggers::receive_json(&input, state, request)
    }
    fn teardown_hook(
        connection: bindings::okta::connector::types::Connection,
        state: String,
    ) -> Result<(), bindings::okta::connector::types::Error> {
        triggers::teardown_json(connection, state)
    }
}

impl From<okta::Page> for bindings::okta::connector::types::Page {
    fn from(p: okta::Page) -> Self {
        bindings::okta::connector::types::Page { items: p.items, next_cursor: p.next_cursor }
    }
}
