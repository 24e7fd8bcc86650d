//! The four triggers of the spec: three polling triggers that hand the host a state between
//! runs ([`system_log`], [`users`]) and the Event Hook receiver ([`event_hook`]). Each poll
//! or deploy is a [`Flow`] on the same core as the actions; receive sends nothing.

pub mod event_hook;
pub mod state;
pub mod system_log;
pub mod users;

use crate::bindings::exports::okta::connector::triggers::{
    EventHookTriggerInput as WitHookInput, Guest, HookDeployment, HookReception, IncomingRequest, PollResult,
    SystemLogTriggerInput as WitLogInput,
};
use crate::bindings::okta::connector::types::{Connection, Error as WitError};
use crate::connection::Session;
use crate::error::Error;
use crate::input::Input;
use crate::inputs::triggers::{EventHookTriggerInput, SystemLogTriggerInput};
use crate::okta::{Flow, Okta};
use serde_json::{json, Value};

/// One poll's records and the state for the next.
pub struct Poll {
    pub items: Vec<Value>,
    pub state: String,
}

impl From<Poll> for PollResult {
    fn from(p: Poll) -> PollResult {
        PollResult { items: Value::Array(p.items).to_string(), state: p.state }
    }
}

/// Runs a trigger's flow on a connection, scrubbing its secrets from an error.
fn run<T: 'static>(conn: &Connection, build: impl FnOnce(&Okta) -> Result<Flow<T>, Error>) -> Result<T, WitError> {
    let session = Session::open(conn, Vec::new())?;
    Ok(session.run(build(&session.okta))?)
}

impl Guest for crate::Component {
    fn poll_system_log(conn: Connection, input: WitLogInput, state: Option<String>) -> Result<PollResult, WitError> {
        let input = SystemLogTriggerInput::from_wit(input)?;
        run(&conn, |okta| system_log::poll(okta, input, state.as_deref())).map(Into::into)
    }

    fn poll_new_users(conn: Connection, state: Option<String>) -> Result<PollResult, WitError> {
        run(&conn, |okta| users::poll(okta, users::Kind::New, state.as_deref())).map(Into::into)
    }

    fn poll_updated_users(conn: Connection, state: Option<String>) -> Result<PollResult, WitError> {
        run(&conn, |okta| users::poll(okta, users::Kind::Updated, state.as_deref())).map(Into::into)
    }

    fn deploy_event_hook(
        conn: Connection,
        input: WitHookInput,
        public_url: String,
        state: Option<String>,
    ) -> Result<HookDeployment, WitError> {
        let input = EventHookTriggerInput::from_wit(input)?;
        let url = public_url.trim().to_string();
        run(&conn, |okta| event_hook::deploy(okta, input, url, state.as_deref()))
            .map(|d| HookDeployment { event_hook_id: d.id, state: d.state })
    }

    fn receive_event_hook(input: WitHookInput, state: String, request: IncomingRequest) -> HookReception {
        match EventHookTriggerInput::from_wit(input) {
            Ok(input) => event_hook::receive(&input, &state, request),
            Err(e) => unreadable_input(e, state),
        }
    }

    fn teardown_event_hook(conn: Connection, state: String) -> Result<(), WitError> {
        run(&conn, |okta| event_hook::teardown(okta, &state))
    }
}

fn unreadable_input(e: Error, state: String) -> HookReception {
    HookReception {
        status: 500,
        headers: Vec::new(),
        body: json!({ "error": format!("the trigger's input is wrong: {e}") }).to_string(),
        events: "[]".into(),
        state,
    }
}

// ---- the generic door (catalog) ------------------------------------------------------------

/// `catalog.poll`: `{"items": [...], "state": "..."}`.
pub fn poll_json(trigger: &str, conn: Connection, input: &str, state: Option<String>) -> Result<String, WitError> {
    let poll = match trigger {
        "system-log.new" => {
            let input = SystemLogTriggerInput::from_json(input)?;
            run(&conn, |okta| system_log::poll(okta, input, state.as_deref()))?
        }
        "users.new" | "users.updated" => {
            crate::input::NoInput::from_json(input)?;
            let kind = if trigger == "users.new" { users::Kind::New } else { users::Kind::Updated };
            run(&conn, |okta| users::poll(okta, kind, state.as_deref()))?
        }
        other => {
            let shown: String = other.chars().take(64).collect();
            return Err(Error::input(
                "trigger",
                format!("unknown polling trigger `{shown}` (system-log.new, users.new, users.updated)"),
            )
            .into());
        }
    };
    Ok(json!({ "items": poll.items, "state": poll.state }).to_string())
}

/// `catalog.deploy-hook`: `{"event_hook_id": ..., "state": ...}`.
pub fn deploy_json(
    conn: Connection,
    input: &str,
    public_url: String,
    state: Option<String>,
) -> Result<String, WitError> {
    let input = EventHookTriggerInput::from_json(input)?;
    let url = public_url.trim().to_string();
    let d = run(&conn, |okta| event_hook::deploy(okta, input, url, state.as_deref()))?;
    Ok(json!({ "event_hook_id": d.id, "state": d.state }).to_string())
}

/// `catalog.receive-hook`.
pub fn receive_json(input: &str, state: String, request: IncomingRequest) -> HookReception {
    match EventHookTriggerInput::from_json(input) {
        Ok(input) => event_hook::receive(&input, &state, request),
        Err(e) => unreadable_input(e, state),
    }
}

/// `catalog.teardown-hook`.
pub fn teardown_json(conn: Connection, state: String) -> Result<(), WitError> {
    run(&conn, |okta| event_hook::teardown(okta, &state))
}
