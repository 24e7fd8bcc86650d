//! Okta connector: a WebAssembly component (wasm32-wasip2) that manages an Okta org through
//! its management API. Every export only delegates: the WIT package in `wit/` is the contract,
//! [`actions`] holds one module per Okta area, and [`okta`] is the HTTP core they all share.

pub mod actions;
pub mod catalog;
pub mod connection;
pub mod error;
pub mod okta;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "connector",
        path: "wit",
        additional_derives: [serde::Deserialize],
        pub_export_macro: true,
    });
}

use bindings::exports::okta::connector::{catalog as catalog_api, users as users_api};
use bindings::okta::connector::types::{Connection, Error as WitError, Page};
use error::Outcome;

/// The component's exports.
pub struct Component;

// Native builds (unit tests) link no component exports.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);

impl users_api::Guest for Component {
    fn create(c: Connection, input: users_api::CreateUserInput) -> Outcome<String> {
        actions::users::create(&c, input).map_err(Into::into)
    }
    fn get(c: Connection, input: users_api::GetUserInput) -> Outcome<String> {
        actions::users::get(&c, input).map_err(Into::into)
    }
    fn update(c: Connection, input: users_api::UpdateUserInput) -> Outcome<String> {
        actions::users::update(&c, input).map_err(Into::into)
    }
    fn delete(c: Connection, input: users_api::UserEmailInput) -> Outcome<()> {
        actions::users::delete(&c, input).map_err(Into::into)
    }
    fn activate(c: Connection, input: users_api::UserEmailInput) -> Outcome<String> {
        actions::users::activate(&c, input).map_err(Into::into)
    }
    fn deactivate(c: Connection, input: users_api::UserEmailInput) -> Outcome<String> {
        actions::users::deactivate(&c, input).map_err(Into::into)
    }
    fn reactivate(c: Connection, input: users_api::UserEmailInput) -> Outcome<String> {
        actions::users::reactivate(&c, input).map_err(Into::into)
    }
    fn suspend(c: Connection, input: users_api::UserRefInput) -> Outcome<String> {
        actions::users::suspend(&c, input).map_err(Into::into)
    }
    fn unsuspend(c: Connection, input: users_api::UserRefInput) -> Outcome<String> {
        actions::users::unsuspend(&c, input).map_err(Into::into)
    }
    fn unlock(c: Connection, input: users_api::UserEmailInput) -> Outcome<String> {
        actions::users::unlock(&c, input).map_err(Into::into)
    }
    fn reset_password(c: Connection, input: users_api::ResetPasswordInput) -> Outcome<String> {
        actions::users::reset_password(&c, input).map_err(Into::into)
    }
    fn set_password(c: Connection, input: users_api::SetPasswordInput) -> Outcome<String> {
        actions::users::set_password(&c, input).map_err(Into::into)
    }
    fn clear_sessions(c: Connection, input: users_api::ClearSessionsInput) -> Outcome<()> {
        actions::users::clear_sessions(&c, input).map_err(Into::into)
    }
    fn list(c: Connection, input: users_api::ListUsersInput) -> Outcome<Page> {
        actions::users::list(&c, input).map_err(Into::into)
    }
    fn list_applications(c: Connection, input: users_api::UserRefInput) -> Outcome<String> {
        actions::users::list_applications(&c, input).map_err(Into::into)
    }
    fn list_groups(c: Connection, input: users_api::UserRefInput) -> Outcome<String> {
        actions::users::list_groups(&c, input).map_err(Into::into)
    }
    fn list_factors(c: Connection, input: users_api::ListFactorsInput) -> Outcome<String> {
        actions::users::list_factors(&c, input).map_err(Into::into)
    }
    fn unenroll_factor(c: Connection, input: users_api::UnenrollFactorInput) -> Outcome<()> {
        actions::users::unenroll_factor(&c, input).map_err(Into::into)
    }
    fn list_types(c: Connection) -> Outcome<String> {
        actions::users::list_types(&c).map_err(Into::into)
    }
}

impl catalog_api::Guest for Component {
    fn describe() -> String {
        catalog::CATALOG_JSON.to_string()
    }
    fn invoke(action: String, connection: Connection, input: String) -> Result<String, WitError> {
        catalog::dispatch(&action, connection, &input)
    }
}
